# METADATA
# title: Package manager cache left in the image
# description: |
#   ## What it does
#   Flags a `RUN` of the final image (an `ONBUILD RUN` trigger too: it runs in every
#   child build) that leaves a package manager's cache in its layer:
#
#   * apt: `apt-get`/`apt` `update` or `install` (`update && upgrade` too) without
#     `rm -rf /var/lib/apt/lists/*` or `apt-get dist-clean` after it in the same `RUN`;
#   * apk: an `apk add` without `--no-cache`: every `apk add` needs its own (or
#     `--no-network`, which downloads nothing), unless `/var/cache/apk` is removed after it;
#   * pip: a `pip install` without `--no-cache-dir` (each one; `PIP_NO_CACHE_DIR` set in
#     the `RUN` or by `ENV` covers all), unless `pip cache purge` or removing
#     `~/.cache/pip` (or `~/.cache`) follows; `uv pip` is uv's and not checked; in a
#     PowerShell `RUN` (`SHELL ["powershell", ...]`, `RUN powershell ...`), text in
#     quoted strings is not a command;
#   * yum, dnf, microdnf: `install` without `clean all` (options may stand between:
#     `dnf -y clean all`) or removing `/var/cache/yum|dnf`; tdnf: without `tdnf clean all`
#     or removing `/var/cache/tdnf`; zypper: `install`/`in` without `zypper clean -a`
#     (`cc -a`, `--all`) or removing `/var/cache/zypp`;
#   * npm: `npm ci`/`install`/`i`/`add` without `npm cache clean`, removing `~/.npm`,
#     or a `--cache`/`npm_config_cache=` directory removed later in the `RUN`; yarn:
#     `yarn install`/`add` without `yarn cache clean`, removing `~/.cache/yarn`, or a
#     `--cache-folder`/`YARN_CACHE_FOLDER=` directory removed later.
#
#   A clean-up counts only after the last install that needs it. A
#   `RUN --mount=type=cache` excuses only the managers whose cache it mounts (`target`,
#   `dst` or `destination`; a parent directory covers its children): apt
#   `/var/cache/apt` or `/var/lib/apt`, apk `/var/cache/apk` or `/etc/apk/cache`, pip
#   `~/.cache/pip`, yum/dnf `/var/cache/yum` or `/var/cache/dnf`, tdnf `/var/cache/tdnf`,
#   zypper `/var/cache/zypp`, npm `~/.npm`, yarn `/usr/local/share/.cache/yarn` or
#   `~/.cache/yarn` (`~` is `/root` or `/home/<user>`).
#
#   ## Why
#   A cache removed in a later `RUN` is still in the earlier layer: every pull downloads
#   it. Tens to hundreds of megabytes per image, for nothing.
#
#   ## Example
#   ```dockerfile
#   RUN apt-get update && apt-get install -y curl
#   ```
#
#   ## Use instead
#   ```dockerfile
#   RUN apt-get update && apt-get install -y --no-install-recommends curl \
#       && rm -rf /var/lib/apt/lists/*
#   ```
# custom:
#   id: DP011
#   slug: package-cache
#   severity: warn
#   remediation: Clean the cache in the same RUN (or use --no-cache / --no-cache-dir), or use RUN --mount=type=cache.
package dockpolicy.package_cache

import data.lib.dockpolicy.dockerfile
import data.lib.dockpolicy.dockerfile.final_instructions
import data.lib.dockpolicy.dockerfile.final_runs
import data.lib.dockpolicy.image_config.archive as image_archive
import data.lib.dockpolicy.text as text_lib

# Keyed by the word each install command needs (`uses` cannot match text without it; yum
# and dnf share a check), with `verbs`, the words of which it needs one besides. `flags`:
# the options of which each install needs one, when the manager has them. `decided_by`:
# the words of which a flag or a clean-up needs one (see lib.dockpolicy.text): text
# without any only has to install. `mounts` and `home_mounts` (under a home directory):
# the cache paths a cache mount excuses.
_checks := {
	"apt": {
		"manager": "apt",
		"verbs": ["install", "update"],
		"uses": `\bapt(?:-get)?\s+(?:-\S+\s+)*(?:install|update)\b`,
		"uses_says": [" apt-get install ", "\tapt-get install ", " apt-get -y install ", " apt install ", " apt-get update "],
		"clean": `rm\s+(?:-\S+\s+)*[^&;|\n]*/var/lib/apt/lists|\bapt(?:-get)?\s+(?:-\S+\s+)*dist-clean\b`,
		"decided_by": ["/var/lib/apt/lists", "dist-clean"],
		"clean_says": ["rm -rf /var/lib/apt/lists", " apt-get dist-clean ", "; \tapt-get dist-clean;", "; \tapt-get dist-clean ", "rm -fr /var/cache/apt/* /var/lib/apt/lists"],
		"mounts": ["/var/cache/apt", "/var/lib/apt/lists"],
		"fix": "remove /var/lib/apt/lists/* in the same RUN",
	},
	"apk": {
		"manager": "apk",
		"verbs": ["add"],
		"uses": `\bapk\s+(?:-\S+\s+)*add\b`,
		"uses_says": [" apk add ", "\tapk add "],
		"flags": ["--no-cache", "--no-network"],
		"decided_by": ["--no-cache", "--no-network", "/var/cache/apk"],
		"clean": `rm\s+(?:-\S+\s+)*[^&;|\n]*/var/cache/apk`,
		"clean_says": ["rm -rf /var/cache/apk"],
		"mounts": ["/var/cache/apk", "/etc/apk/cache"],
		"fix": "use apk add --no-cache",
	},
	"pip": {
		"manager": "pip",
		"verbs": ["install"],
		"uses": `\bpip[0-9.]*\s+(?:-\S+\s+)*install\b`,
		"uses_says": [" pip install ", " pip3 install ", "\tpip install ", "\tpip3 install "],
		"flags": ["--no-cache-dir"],
		"decided_by": ["--no-cache-dir", "purge", "/.cache"],
		"disabled_by": "PIP_NO_CACHE_DIR=",
		"clean": `\bpip[0-9.]*\s+cache\s+purge\b|rm\s+(?:-\S+\s+)*[^&;|\n]*/\.cache(?:/pip)?(?:/\*?)?(?:[\s"';&|]|$)`,
		"clean_says": [],
		"home_mounts": [".cache/pip"],
		"fix": "use pip install --no-cache-dir",
	},
	"yum": _yum_dnf,
	"dnf": _yum_dnf,
	"tdnf": {
		"manager": "tdnf",
		"verbs": ["install"],
		"uses": `\btdnf\s+(?:-\S+\s+)*install\b`,
		"uses_says": [" tdnf install ", " tdnf -y install "],
		"clean": `\btdnf\s+(?:-\S+\s+)*clean\s+all\b|rm\s+(?:-\S+\s+)*[^&;|\n]*/var/cache/tdnf`,
		"decided_by": ["clean", "/var/cache/tdnf"],
		"clean_says": [" tdnf clean all "],
		"mounts": ["/var/cache/tdnf"],
		"fix": "run tdnf clean all in the same RUN",
	},
	"zypper": {
		"manager": "zypper",
		"verbs": ["in"],
		"uses": `\bzypper\s+(?:-\S+\s+)*(?:install|in)\b`,
		"uses_says": [" zypper install ", " zypper -n install ", " zypper in "],
		"clean": `\bzypper\s+(?:-\S+\s+)*(?:clean|cc)\s+(?:-\S+\s+)*(?:-a|--all)\b|rm\s+(?:-\S+\s+)*[^&;|\n]*/var/cache/zypp`,
		"decided_by": ["clean", "cc", "/var/cache/zypp"],
		"clean_says": [" zypper clean -a ", " zypper clean --all ", " zypper cc -a "],
		"mounts": ["/var/cache/zypp"],
		"fix": "run zypper clean -a in the same RUN",
	},
	"npm": {
		"manager": "npm",
		"verbs": ["i", "add"],
		"uses": `\bnpm\s+(?:-\S+\s+)*(?:ci|install|i|add)\b`,
		"uses_says": [" npm ci ", " npm install ", " npm i "],
		"clean": `\bnpm\s+(?:-\S+\s+)*cache\s+clean\b|rm\s+(?:-\S+\s+)*[^&;|\n]*/\.npm\b`,
		"decided_by": ["clean", ".npm"],
		"clean_says": [" npm cache clean ", "rm -rf /root/.npm ", "rm -rf ~/.npm "],
		"cache_dir": `(?:--cache(?:=|\s+)|\b(?i:npm_config_cache)=)["']?([^\s"';&|]+)`,
		"cache_dir_needs": ["--cache", "npm_config_cache=", "NPM_CONFIG_CACHE="],
		"home_mounts": [".npm"],
		"fix": "run npm cache clean --force in the same RUN",
	},
	"yarn": {
		"manager": "yarn",
		"verbs": ["install", "add"],
		"uses": `\byarn\s+(?:-\S+\s+)*(?:global\s+)?(?:install|add)\b`,
		"uses_says": [" yarn install ", " yarn add ", " yarn global add "],
		"clean": `\byarn\s+(?:-\S+\s+)*cache\s+clean\b|rm\s+(?:-\S+\s+)*[^&;|\n]*/\.cache/yarn\b`,
		"decided_by": ["clean", ".cache/yarn"],
		"clean_says": [" yarn cache clean "],
		"cache_dir": `(?:--cache-folder(?:=|\s+)|\bYARN_CACHE_FOLDER=)["']?([^\s"';&|]+)`,
		"cache_dir_needs": ["--cache-folder", "YARN_CACHE_FOLDER="],
		"mounts": ["/usr/local/share/.cache/yarn"],
		"home_mounts": [".cache/yarn"],
		"fix": "run yarn cache clean in the same RUN",
	},
}

_yum_dnf := {
	"manager": "yum/dnf",
	"verbs": ["install"],
	"uses": `\b(?:yum|dnf|microdnf)\s+(?:-\S+\s+)*install\b`,
	"uses_says": [" yum install ", " yum -y install ", " dnf install ", " dnf -y install ", "\tyum install ", "\tdnf install "],
	"clean": `\b(?:yum|dnf|microdnf)\s+(?:-\S+\s+)*clean\s+all\b|rm\s+(?:-\S+\s+)*[^&;|\n]*/var/cache/(?:yum|dnf)`,
	"decided_by": ["clean", "/var/cache/"],
	"clean_says": [" yum clean all ", " dnf clean all ", " microdnf clean all ", "rm -rf /var/cache/yum", "rm -rf /var/cache/dnf"],
	"mounts": ["/var/cache/yum", "/var/cache/dnf"],
	"fix": "run yum/dnf clean all in the same RUN",
}

warn contains {"msg": msg, "_loc": {"line": i.StartLine}} if {
	some run in final_runs
	text := run.text
	some word, check in _checks
	contains(text, word)
	text_lib.mentions_any(text, check.verbs)
	_leaves_cache(check, word, text)
	i := run.instruction
	not _only_in_powershell_strings(check, word, i, text)
	not _cache_mounted(i, check)
	manager := check.manager
	not _disabled_in_text(check, text)
	not _env_disables_cache(manager)
	not _uv(manager, text)
	not _cache_dir_removed(check, text)
	msg := sprintf("this RUN leaves the %s package cache in the image; %s", [manager, check.fix])
}

# In PowerShell, quoted text is a string, never a command (`Write-Host 'Verifying pip
# install ...'`): a RUN that leaves a cache only in its strings does not. (Decided for the
# RUNs that would be found only: most RUNs are not PowerShell, and most leave no cache.)
_only_in_powershell_strings(check, word, i, text) if {
	_powershell_wrapper(text)
	not _leaves_cache(check, word, regex.replace(text, `'[^']*'`, "''"))
}

_only_in_powershell_strings(check, word, i, text) if {
	not _powershell_wrapper(text)
	_powershell_lines[line]
	line < i.StartLine
	not _other_shell_between(line, i.StartLine)
	not _leaves_cache(check, word, regex.replace(text, `'[^']*'|"[^"]*"`, "''"))
}

# `RUN powershell -Command "..."`: the outer double quotes hold the script.
_powershell_wrapper(text) if text_lib.mentions_any(lower(substring(text, 0, 11)), ["powershell", "pwsh"])

# The lines of the final image's SHELL instructions that run PowerShell, and of the others.
_powershell_lines contains i.StartLine if {
	some i in final_instructions
	i.Cmd == "shell"
	text_lib.mentions_any(lower(concat(" ", i.Value)), ["powershell", "pwsh"])
}

_other_shell_between(from, to) if {
	some i in final_instructions
	i.Cmd == "shell"
	i.StartLine > from
	i.StartLine < to
	not _powershell_lines[i.StartLine]
}

# A cache mount excuses the manager when it mounts one of its cache paths or a parent.
_cache_mounted(i, check) if {
	some target in dockerfile.cache_mount_targets(i)
	some path in _cache_paths(check, target)
	_covers(target, path)
}

_cache_paths(check, target) := array.concat(object.get(check, "mounts", []), [concat("/", [home, path]) |
	home := _home(target)
	some path in object.get(check, "home_mounts", [])
])

# The home directory a mount target is in or is: `/root` or `/home/<user>`.
_home(target) := "/root" if startswith(concat("", [target, "/"]), "/root/")

_home(target) := concat("/", ["", "home", parts[2]]) if {
	startswith(target, "/home/")
	parts := split(target, "/")
	count(parts) > 2
}

_covers(target, path) if path == target

_covers(target, path) if startswith(path, concat("", [trim_suffix(target, "/"), "/"]))

# The install commands and clean-ups of the text decide: some install without the
# manager's no-cache flag has no clean-up after it. Text that mentions neither a flag
# nor a clean-up only has to install (its usual spelling, or the pattern); a usual
# clean-up after the last mention of every verb settles that it cleans up after its
# installs; otherwise one scan finds the installs and clean-ups in order.
_leaves_cache(check, _, text) if {
	not text_lib.mentions_any(text, check.decided_by)
	_installs(check, text)
}

_leaves_cache(check, word, text) if {
	text_lib.mentions_any(text, check.decided_by)
	not _every_install_has_a_flag(check, word, text)
	not _cleans_up_after_the_last_verbs(check, text)
	not _cleans_up_in_a_later_command(check, text)
	steps := regex.find_all_string_submatch_n(_scan(check), text, -1)
	uncached := [k | some k, step in steps; step[1] != ""; not _has_flag(check, step[1])]
	count(uncached) > 0
	last := max(uncached)
	not _cleaned_after(steps, last)
}

# One install with its arguments (group 1) or one clean-up (group 2).
_scan(check) := concat("", ["(", check.uses, `[^&;|\n]*)|(`, check.clean, ")"])

# Every install starts at a mention of the manager's word and runs to the end of that shell
# command: when what follows each mention up to there has a flag or no verb, every install
# has a flag (without a regex call).
_every_install_has_a_flag(check, word, text) if {
	flags := check.flags
	pieces := split(text, word)
	every k, piece in pieces {
		_flagged_or_no_install(k, _up_to_the_command_end(piece), flags, check.verbs)
	}
}

_flagged_or_no_install(0, _, _, _) := true

_flagged_or_no_install(k, command, flags, _) if {
	k > 0
	text_lib.mentions_any(command, flags)
}

_flagged_or_no_install(k, command, _, verbs) if {
	k > 0
	not text_lib.mentions_any(command, verbs)
}

_up_to_the_command_end(s) := split(split(split(split(s, "&")[0], ";")[0], "|")[0], "\n")[0]

_has_flag(check, install) if text_lib.mentions_any(install, check.flags)

# An environment variable set in the RUN that turns the cache off for all its installs.
_disabled_in_text(check, text) if contains(text, check.disabled_by)

_cleaned_after(steps, k) if {
	some j, step in steps
	j > k
	step[2] != ""
}

_installs(check, text) if text_lib.says_any(text, check.uses_says)

_installs(check, text) if regex.match(check.uses, text)

# Every install the pattern finds ends with one of the verbs, so what follows the last
# mention of each verb also follows the last install: a usual clean-up there settles that
# the text cleans up after its installs, whatever they are.
_cleans_up_after_the_last_verbs(check, text) if {
	count(check.clean_says) > 0
	every verb in check.verbs {
		pieces := split(text, verb)
		text_lib.says_any(pieces[count(pieces) - 1], check.clean_says)
	}
}

# The same settled by one match instead of the scan, for any clean-up: an install runs from
# its verb to the end of that shell command, so a clean-up that starts after the command
# holding a verb's last mention (past its `&`, `;`, `|` or line break) is a step of its own
# that the scan finds after every install ending in that verb. (A verb the text never
# mentions ends no install; `decided_by` has a word of every clean-up.)
_cleans_up_in_a_later_command(check, text) if {
	every verb in check.verbs {
		pieces := split(text, verb)
		last := pieces[count(pieces) - 1]
		later := substring(last, count(_up_to_the_command_end(last)), -1)
		text_lib.mentions_any(later, check.decided_by)
		regex.match(check.clean, later)
	}
}

# `npm ci --cache /tmp/npm && rm -rf /tmp/npm`: the cache went to a directory the RUN
# removes.
_cache_dir_removed(check, text) if {
	text_lib.mentions_any(text, check.cache_dir_needs)
	some found in regex.find_all_string_submatch_n(check.cache_dir, text, -1)
	dir := found[1]
	# A later mention of the directory that an rm command names.
	pieces := split(text, dir)
	some k, piece in pieces
	k > 0
	k < count(pieces) - 1
	contains(piece, "rm")
	regex.match(`rm\s+(?:-\S+\s+)*[^&;|\n]*$`, piece)
}

# `uv pip install` is uv's installer, with its own cache flags.
_uv("pip", text) if {
	contains(text, "uv")
	not regex.match(_checks.pip.uses, regex.replace(text, `\buv\s+pip\b`, "uv_pip"))
}

# PIP_NO_CACHE_DIR set with ENV in the final image, or in the RUN, turns pip's cache off.
_env_disables_cache("pip") if {
	some i in final_instructions
	i.Cmd == "env"
	some pair in dockerfile.pairs(i)
	pair.key == "PIP_NO_CACHE_DIR"
}

# Image archives: package caches left in the final filesystem.
warn contains {"msg": msg, "_loc": {}} if {
	# Manifests, Compose files and images are objects, Dockerfiles arrays: this builtin
	# check ends the body for a Dockerfile before any helper rule is called.
	is_object(input)
	some manager, prefix in _cache_dirs
	cached := [f.path |
		some f in image_archive.files
		f.type == "file"
		startswith(f.path, prefix)
		not endswith(f.path, "/lock")
	]
	count(cached) > 0
	msg := sprintf("the image keeps the %s package cache (%d files under %s)", [manager, count(cached), prefix])
}

_cache_dirs := {"apt": "/var/lib/apt/lists/", "apk": "/var/cache/apk/", "pip": "/root/.cache/pip/", "yum/dnf": "/var/cache/dnf/", "yum": "/var/cache/yum/"}
