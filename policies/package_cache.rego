# METADATA
# title: Package manager cache left in the image
# description: |
#   ## What it does
#   Flags a `RUN` in the final image that leaves a package manager's cache in its layer:
#   `apt-get install` without removing `/var/lib/apt/lists` in the same `RUN`, `apk add`
#   without `--no-cache`, `pip install` without `--no-cache-dir`, `yum`/`dnf install`
#   without `clean all`. A `RUN --mount=type=cache` never fires: the cache lives outside
#   the image.
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
# and dnf share a check), with `verb`, the word it needs besides. Both are tested with
# `contains` in the rule body itself: most RUNs install with none of these managers, and a
# builtin per check costs less than a helper call per check. `flag_needs`, `clean_needs`:
# the words of which `flag` and `clean` need one to match (see lib.dockpolicy.text).
_checks := {
	"apt": {
		"manager": "apt",
		"verb": "install",
		"uses": `\bapt(?:-get)?\s+(?:-\S+\s+)*install\b`,
		"uses_says": [" apt-get install ", "\tapt-get install ", " apt-get -y install ", " apt install "],
		"clean": `rm\s+(?:-\S+\s+)*[^&;|\n]*/var/lib/apt/lists`,
		"clean_needs": ["/var/lib/apt/lists"],
		"clean_says": ["rm -rf /var/lib/apt/lists"],
		"fix": "remove /var/lib/apt/lists/* in the same RUN",
	},
	"apk": {
		"manager": "apk",
		"verb": "add",
		"uses": `\bapk\s+(?:-\S+\s+)*add\b`,
		"uses_says": [" apk add ", "\tapk add "],
		"flag": `--no-cache\b`,
		"flag_needs": ["--no-cache"],
		"flag_says": ["--no-cache "],
		"clean": `rm\s+(?:-\S+\s+)*[^&;|\n]*/var/cache/apk`,
		"clean_needs": ["/var/cache/apk"],
		"clean_says": ["rm -rf /var/cache/apk"],
		"fix": "use apk add --no-cache",
	},
	"pip": {
		"manager": "pip",
		"verb": "install",
		"uses": `\bpip[0-9.]*\s+(?:-\S+\s+)*install\b`,
		"uses_says": [" pip install ", " pip3 install ", "\tpip install ", "\tpip3 install "],
		"flag": `--no-cache-dir\b|\bPIP_NO_CACHE_DIR=`,
		"flag_needs": ["--no-cache-dir", "PIP_NO_CACHE_DIR="],
		"flag_says": ["--no-cache-dir "],
		"clean": `pip[0-9.]*\s+cache\s+purge`,
		"clean_needs": ["purge"],
		"clean_says": [],
		"fix": "use pip install --no-cache-dir",
	},
	"yum": _yum_dnf,
	"dnf": _yum_dnf,
}

_yum_dnf := {
	"manager": "yum/dnf",
	"verb": "install",
	"uses": `\b(?:yum|dnf|microdnf)\s+(?:-\S+\s+)*install\b`,
	"uses_says": [" yum install ", " yum -y install ", " dnf install ", " dnf -y install ", "\tyum install ", "\tdnf install "],
	"clean": `\b(?:yum|dnf|microdnf)\s+clean\s+all\b|rm\s+(?:-\S+\s+)*[^&;|\n]*/var/cache/(?:yum|dnf)`,
	"clean_needs": ["clean", "/var/cache/"],
	"clean_says": [" yum clean all ", " dnf clean all ", "rm -rf /var/cache/yum", "rm -rf /var/cache/dnf"],
	"fix": "run yum/dnf clean all in the same RUN",
}

warn contains {"msg": msg, "_loc": {"line": i.StartLine}} if {
	some run in final_runs
	text := run.text
	some word, check in _checks
	contains(text, word)
	contains(text, check.verb)
	i := run.instruction
	not dockerfile.has_mount(i, "cache")
	manager := check.manager
	# A no-cache flag works wherever it is written; a clean-up must come after the last
	# install (whatever that install downloads after a clean-up stays in the layer).
	not _flag(check, text)
	_installs_without_clean_up(check, text)
	not _env_disables_cache(manager)
	not _uv(manager, text)
	msg := sprintf("this RUN leaves the %s package cache in the image; %s", [manager, check.fix])
}

# `uses_says`, `flag_says`, `clean_says`: the usual spellings of the install, the flag
# and the clean-up (see lib.dockpolicy.text.says_any); other text falls to the regex.
_flag(check, text) if text_lib.says_any(text, check.flag_says)

_flag(check, text) if {
	check.flag
	text_lib.mentions_any(text, check.flag_needs)
	regex.match(check.flag, text)
}

# The text installs and nothing after its last install cleans up. Each regex call costs
# far more than the string checks, so text that never mentions the clean-up is only
# matched (or found to use a usual spelling of the install), and text that does is only
# split at its installs (more than one piece: it installs; the last piece: what runs
# after the last install), unless a usual clean-up follows the last mention of the verb.
_installs_without_clean_up(check, text) if {
	not text_lib.mentions_any(text, check.clean_needs)
	_installs(check, text)
}

_installs_without_clean_up(check, text) if {
	text_lib.mentions_any(text, check.clean_needs)
	not _cleans_up_after_the_last_verb(check, text)
	pieces := regex.split(check.uses, text)
	count(pieces) > 1
	not _cleans_up(check, pieces[count(pieces) - 1])
}

_installs(check, text) if text_lib.says_any(text, check.uses_says)

_installs(check, text) if regex.match(check.uses, text)

# Every install the pattern finds ends with the verb (`install`, `add`), so what follows
# the verb's last mention also follows the last install: a usual clean-up there settles
# that the text cleans up after its installs, whatever they are.
_cleans_up_after_the_last_verb(check, text) if {
	pieces := split(text, check.verb)
	text_lib.says_any(pieces[count(pieces) - 1], check.clean_says)
}

_cleans_up(check, tail) if text_lib.says_any(tail, check.clean_says)

_cleans_up(check, tail) if {
	text_lib.mentions_any(tail, check.clean_needs)
	regex.match(check.clean, tail)
}

# `uv pip install` is uv's installer, with its own cache flags.
_uv("pip", text) if {
	contains(text, "uv")
	not regex.match(_checks.pip.uses, regex.replace(text, `\buv\s+pip\b`, "uv_pip"))
}

# PIP_NO_CACHE_DIR set with ENV in the final image turns pip's cache off.
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
