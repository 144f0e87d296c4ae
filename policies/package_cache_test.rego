package dockpolicy.package_cache_test

import data.dockpolicy.package_cache
import data.lib.dockpolicy.text_test

_from := {"Cmd": "from", "Image": "debian:12-slim", "ImageResolved": true, "BaseStage": null, "Stage": 0, "StartLine": 1, "Value": ["debian:12-slim"], "Flags": []}

_run(text) := {"Cmd": "run", "Value": [text], "Flags": [], "Stage": 0, "StartLine": 2}

_warns(text) if count(package_cache.warn) == 1 with input as [_from, _run(text)]

test_apt_without_cleanup_warns if _warns("apt-get update && apt-get install -y curl")

test_apt_with_cleanup_passes if not _warns("apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*")

test_apt_cleanup_in_a_later_run_still_warns if {
	count(package_cache.warn) == 1 with input as [_from, _run("apt-get install -y curl"), _run("rm -rf /var/lib/apt/lists/*")]
}

test_apk_needs_no_cache if {
	_warns("apk add curl")
	not _warns("apk add --no-cache curl")
	not _warns("apk update && apk add curl && rm -rf /var/cache/apk/*")
}

test_pip_needs_no_cache_dir if {
	_warns("pip install -r requirements.txt")
	_warns("python3 -m pip install flask")
	not _warns("pip install --no-cache-dir -r requirements.txt")
	not _warns("pip3 install --no-cache-dir flask")
}

test_pip_cache_disabled_by_env if {
	count(package_cache.warn) == 0 with input as [_from, {"Cmd": "env", "Value": ["PIP_NO_CACHE_DIR", "1", "="], "Stage": 0, "StartLine": 2}, _run("pip install flask")]
}

test_yum_and_dnf_need_clean_all if {
	_warns("yum install -y httpd")
	_warns("dnf -y install httpd")
	not _warns("yum install -y httpd && yum clean all")
	not _warns("microdnf install -y httpd && microdnf clean all")
}

# yum and dnf are two keys of one check: a RUN naming both still gets one finding.
test_yum_and_dnf_in_one_run_warn_once if {
	_warns("yum install -y dnf-plugins-core && dnf install -y httpd")
	not _warns("yum install -y dnf-plugins-core && dnf install -y httpd && dnf clean all")
}

# A clean-up after the verb's last mention settles it without the regex; when the verb
# comes up again after the clean-up, the installs themselves decide.
test_the_last_install_decides_even_when_the_verb_comes_later if {
	_warns("apt-get install -y curl && rm -rf /var/lib/apt/lists/* && apt-get install -y vim")
	not _warns("apt-get install -y gcc && rm -rf /var/lib/apt/lists/* && make install")
	not _warns("apt-get -o Acquire::Retries=3 install -y curl && rm -r /var/lib/apt/lists")
}

_mounted(text, mounts) := {"Cmd": "run", "Value": [text], "Flags": [concat("", ["--mount=type=cache,", m]) | some m in mounts], "Stage": 0, "StartLine": 2}

_warns_mounted(text, mounts) if count(package_cache.warn) == 1 with input as [_from, _mounted(text, mounts)]

test_cache_mounts_excuse_the_managers_they_mount if {
	count(package_cache.warn) == 0 with input as [_from, {"Cmd": "run", "Value": ["apt-get install -y curl"], "Flags": ["--mount=type=cache,target=/var/cache/apt"], "Stage": 0, "StartLine": 2}]
	every case in [
		["apt-get update && apt-get install -y curl", "target=/var/cache/apt"],
		["apt-get update && apt-get install -y curl", "target=/var/lib/apt,sharing=locked"],
		["apt-get update && apt-get install -y curl", "id=lists,dst=/var/lib/apt/lists"],
		["apt-get update && apt-get install -y curl", "destination=/var"],
		["apk add curl", "target=/var/cache/apk"],
		["apk add curl", "target=/etc/apk/cache"],
		["pip install flask", "target=/root/.cache/pip"],
		["pip install flask", "target=/root/.cache"],
		["pip install flask", "target=/home/app/.cache/pip,uid=1000"],
		["dnf install -y httpd", "target=/var/cache/dnf"],
		["tdnf install -y httpd", "target=/var/cache/tdnf"],
		["zypper -n install curl", "target=/var/cache/zypp"],
		["npm ci", "target=/root/.npm"],
		["yarn install --frozen-lockfile", "target=/usr/local/share/.cache/yarn"],
		["yarn install --frozen-lockfile", "target=/root/.cache"],
	] {
		not _warns_mounted(case[0], [case[1]])
	}
	every case in [
		["apt-get update && apt-get install -y curl", "target=/root/.cache/pip"],
		["apt-get update && apt-get install -y curl", "target=/var/cache/apt/archives/partial"],
		["apk add curl", "target=/var/cache/apt"],
		["pip install flask", "target=/root/.npm"],
		["npm ci", "target=/root/.cache"],
		["pip install flask", "target=/root/.cache/pipx"],
	] {
		_warns_mounted(case[0], [case[1]])
	}
	# Two mounts for two managers.
	not _warns_mounted("apt-get update && apt-get install -y python3-pip && pip install flask", ["target=/var/lib/apt", "target=/root/.cache/pip"])
	_warns_mounted("apt-get update && apt-get install -y python3-pip && pip install flask", ["target=/root/.cache/pip"])
}

test_builder_stages_do_not_count if {
	count(package_cache.warn) == 0 with input as [
		_from, _run("apt-get install -y gcc"),
		{"Cmd": "from", "Image": "scratch", "ImageResolved": true, "BaseStage": null, "Stage": 1, "StartLine": 3, "Value": ["scratch"], "Flags": []},
	]
}

test_heredoc_bodies_are_checked if {
	count(package_cache.warn) == 1 with input as [_from, {"Cmd": "run", "Value": ["<<EOF"], "Flags": [], "Stage": 0, "StartLine": 2, "Heredocs": [{"Name": "EOF", "Content": "apk add curl\n"}]}]
}

test_cleanup_must_follow_the_last_install if {
	_warns("apt-get install -y curl && rm -rf /var/lib/apt/lists/* && apt-get install -y wget")
	_warns("echo \"rm -rf /var/lib/apt/lists\" && apt-get install -y curl")
}

test_uv_pip_is_not_pip if not _warns("uv pip install flask")

test_flags_before_the_subcommand_count if {
	not _warns("apk --no-cache add nginx")
	not _warns("pip --no-cache-dir install flask")
}

# Text that mentions the clean-up is split at its installs instead of matched: without an
# install it still does not warn.
test_cleanup_without_an_install_passes if {
	not _warns("apt-mark hold install-info && rm -rf /var/lib/apt/lists/*")
	_warns("rm -rf /var/lib/apt/lists/* && apt-mark hold x && apt-get install -y curl")
}

# The usual spellings of an install, a no-cache flag or a clean-up decide without the
# regex (lib.dockpolicy.text.says_any), so each must match its pattern wherever it stands.
test_usual_spellings_match_their_patterns_anywhere if {
	every _, check in package_cache._checks {
		every spelling in object.get(check, "flag_says", []) {
			text_test.matches_wherever_it_stands(check.flag, spelling)
		}
		every spelling in check.uses_says {
			text_test.matches_wherever_it_stands(check.uses, spelling)
		}
		every spelling in check.clean_says {
			text_test.matches_wherever_it_stands(check.clean, spelling)
		}
	}
}

test_apt_dist_clean_removes_the_lists if {
	not _warns("apt-get update && apt-get install -y curl && apt-get dist-clean")
	not _warns("apt update && apt install -y curl && apt dist-clean")
	_warns("apt-get dist-clean && apt-get update && apt-get install -y curl")
	_warns("apt-get update && apt-get install -y curl && apt-get clean")
}

test_apt_update_alone_leaves_the_lists if {
	_warns("apt-get update")
	_warns("apt-get update && apt-get upgrade -y")
	_warns("apt-get -q update && apt-get -y dist-upgrade")
	not _warns("apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*")
	not _warns("apt-get check")
}

test_every_apk_add_needs_no_cache if {
	_warns("apk add --no-cache curl && apk add jq")
	_warns("apk add jq && apk add --no-cache curl")
	_warns("apk --no-cache add curl; apk add jq")
	not _warns("apk add --no-cache curl && apk --no-cache add jq")
	not _warns("apk add --no-cache curl && apk add jq && rm -rf /var/cache/apk/*")
	not _warns("apk add curl && rm -rf /var/cache/apk/* && apk add --no-cache jq")
	_warns("apk add curl && rm -rf /var/cache/apk/* && apk add jq")
	not _warns("apk add --no-cache --virtual .build-deps gcc && apk add --no-network --virtual .rundeps $deps && apk del --no-network .build-deps")
}

test_every_pip_install_needs_no_cache_dir if {
	_warns("pip install --no-cache-dir -U pip && pip install -r requirements.txt")
	not _warns("pip install --no-cache-dir -U pip && pip install --no-cache-dir -r requirements.txt")
	not _warns("PIP_NO_CACHE_DIR=1 pip install -U pip && pip install flask")
	not _warns("pip install flask && pip cache purge")
	not _warns("pip install flask && rm -rf /root/.cache/pip")
	not _warns("pip install flask && rm -rf ~/.cache")
	_warns("pip install flask && rm -rf ~/.cache/yarn")
}

test_options_may_stand_before_clean_all if {
	not _warns("dnf -y install httpd && dnf -y clean all")
	not _warns("yum install -y httpd && yum --setopt=tsflags=nodocs clean all")
	not _warns("microdnf install -y httpd && microdnf -y clean all")
	_warns("dnf -y install httpd && dnf -y clean packages")
}

test_tdnf_zypper_npm_and_yarn_caches if {
	every text in [
		"tdnf install -y curl", "zypper -n install curl", "zypper --non-interactive in -y curl",
		"zypper in curl && zypper clean", "npm ci", "npm install -g pnpm", "npm i express",
		"yarn install --frozen-lockfile", "yarn add react", "yarn global add serve",
		"npm ci --cache /tmp/npm", "yarn install --cache-folder /tmp/yc",
	] {
		_warns(text)
	}
	every text in [
		"tdnf install -y curl && tdnf clean all", "tdnf install -y curl && rm -rf /var/cache/tdnf",
		"zypper -n install curl && zypper clean -a", "zypper in curl && zypper cc -a",
		"zypper in -y curl && zypper clean --all", "zypper in curl && rm -rf /var/cache/zypp/*",
		"npm ci && npm cache clean --force", "npm install && rm -rf /root/.npm",
		"npm install -g pnpm && rm -rf ~/.npm", "npm ci --cache /tmp/npm && rm -rf /tmp/npm",
		"npm_config_cache=/tmp/c npm ci && rm -rf /tmp/c", "yarn install && yarn cache clean",
		"yarn install --cache-folder /tmp/yc && rm -rf /tmp/yc",
		"YARN_CACHE_FOLDER=/tmp/yc yarn install && rm -rf /tmp/yc",
		"yarn install && rm -rf /usr/local/share/.cache/yarn", "npm run build", "npm init -y",
	] {
		not _warns(text)
	}
}

_run_at(text, line) := {"Cmd": "run", "Value": [text], "Flags": [], "Stage": 0, "StartLine": line}

# In PowerShell a quoted string is text, not a command.
test_powershell_strings_are_not_commands if {
	shell := {"Cmd": "shell", "Value": ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"], "Stage": 0, "StartLine": 2}
	count(package_cache.warn) == 0 with input as [_from, shell, _run_at("Write-Host 'Verifying pip install ...'; pip --version", 3)]
	count(package_cache.warn) == 0 with input as [_from, shell, _run_at("Write-Host \"running pip install\"; pip --version", 3)]
	count(package_cache.warn) == 1 with input as [_from, shell, _run_at("Write-Host 'Installing'; pip install flask", 3)]
	not _warns("powershell -Command \"Write-Host 'Verifying pip install ...'; pip --version\"")
	_warns("powershell -Command \"pip install flask\"")
	_warns("pwsh -c \"pip install flask\"")
	# Outside PowerShell, sh runs what it is given.
	_warns("sh -c 'pip install flask'")
}

# ONBUILD RUN triggers run in every child build.
# A trigger's cache mount is read from its text, where conftest's document keeps it.
test_onbuild_run_cache_mounts_excuse_what_they_mount if {
	count(package_cache.warn) == 0 with input as [_from, {"Cmd": "onbuild", "SubCmd": "RUN", "Value": ["apk add curl"], "Flags": [], "Stage": 0, "StartLine": 2, "Original": "ONBUILD RUN --mount=type=cache,target=/var/cache/apk apk add curl"}]
	count(package_cache.warn) == 1 with input as [_from, {"Cmd": "onbuild", "SubCmd": "RUN", "Value": ["apk add curl"], "Flags": [], "Stage": 0, "StartLine": 2, "Original": "ONBUILD RUN --mount=type=cache,target=/root/.cache/pip apk add curl"}]
	count(package_cache.warn) == 1 with input as [_from, {"Cmd": "onbuild", "SubCmd": "RUN", "Value": ["apk add curl --mount=type=cache,target=/var/cache/apk"], "Flags": [], "Stage": 0, "StartLine": 2, "Original": "ONBUILD RUN apk add curl --mount=type=cache,target=/var/cache/apk"}]
}

test_onbuild_run_triggers_count if {
	count(package_cache.warn) == 1 with input as [_from, {"Cmd": "onbuild", "SubCmd": "RUN", "Value": ["apk add curl"], "Flags": [], "Stage": 0, "StartLine": 2}]
	count(package_cache.warn) == 0 with input as [_from, {"Cmd": "onbuild", "SubCmd": "run", "Value": ["apk add --no-cache curl"], "Flags": [], "Stage": 0, "StartLine": 2}]
}

test_a_later_shell_ends_powershell if {
	shell := {"Cmd": "shell", "Value": ["powershell", "-Command"], "Stage": 0, "StartLine": 2}
	sh := {"Cmd": "shell", "Value": ["/bin/sh", "-c"], "Stage": 0, "StartLine": 3}
	count(package_cache.warn) == 1 with input as [_from, shell, sh, _run_at("echo 'x' && pip install flask", 4)]
	count(package_cache.warn) == 0 with input as [_from, shell, _run_at("echo 'pip install flask'", 4)]
	# A SHELL after the RUN does not change it.
	count(package_cache.warn) == 1 with input as [_from, _run_at("bash -c 'pip install flask'", 2), shell]
}
