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

test_cache_mounts_never_warn if {
	count(package_cache.warn) == 0 with input as [_from, {"Cmd": "run", "Value": ["apt-get install -y curl"], "Flags": ["--mount=type=cache,target=/var/cache/apt"], "Stage": 0, "StartLine": 2}]
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
