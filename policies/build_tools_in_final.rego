# METADATA
# title: Final image carries build tools
# description: |
#   ## What it does
#   Flags a final image that compiles code or carries a toolchain:
#
#   * its base is an SDK image (golang, rust, maven, gradle, gcc, buildpack-deps, the .NET
#     `sdk`, clojure, haskell, swift, elixir) or a JDK: a Java image of any vendor
#     (openjdk, eclipse-temurin, amazoncorretto, zulu, liberica, ibm-semeru-runtimes,
#     sapmachine, ibmjava, `ubi9/openjdk-21`, `mcr.microsoft.com/openjdk/jdk`, ...) is a
#     JDK unless its name or tag says `jre`, `runtime` or `headless` (`21-jre`,
#     `liberica-openjre-alpine`, `openjdk-21-runtime`); distroless Java images are runtimes;
#   * a `RUN` (an `ONBUILD RUN` trigger too) installs compilers or build tools (gcc, g++,
#     make, build-essential, build-base, cmake, clang, autoconf, musl-dev, a JDK package,
#     ...) with apt, apk, yum, dnf, microdnf, tdnf or zypper, unless a later command of
#     the same `RUN` removes them: `apk del` of the tool or of the virtual package that
#     installed it (`apk add --virtual .build-deps` / `-t NAME`), `apt-get purge|remove`,
#     `yum|dnf remove|erase`, `zypper rm`, or Debian's `apt-mark auto` followed by
#     `apt-get purge --auto-remove`;
#   * a `RUN` runs a build (`go build`, `cargo build`, `mvn package`, `gradle build`,
#     `npm run build`, `make`).
#
#   Heredoc scripts are read line by line: a command on its own line runs. Stages the
#   final image does not build on do not count: that is the point of a multi-stage build.
#
#   ## Why
#   Compilers and SDKs are large and full of CVEs, and give an attacker in the container
#   everything needed to build tools. The running service needs only the build's output.
#
#   ## Example
#   ```dockerfile
#   FROM golang:1.23
#   COPY . .
#   RUN go build -o /app .
#   CMD ["/app"]
#   ```
#
#   ## Use instead
#   ```dockerfile
#   FROM golang:1.23 AS build
#   COPY . .
#   RUN go build -o /app .
#   FROM gcr.io/distroless/static-debian12:nonroot
#   COPY --from=build /app /app
#   CMD ["/app"]
#   ```
# custom:
#   id: DP008
#   slug: build-tools-in-final
#   severity: warn
#   remediation: Build in a builder stage and COPY --from it only the artifacts into a minimal final stage.
package dockpolicy.build_tools_in_final

import data.lib.dockpolicy.config
import data.lib.dockpolicy.dockerfile.final_base
import data.lib.dockpolicy.dockerfile.final_from
import data.lib.dockpolicy.dockerfile.final_runs
import data.lib.dockpolicy.images
import data.lib.dockpolicy.image_config.archive as image_archive
import data.lib.dockpolicy.text as text_lib

_sdk_images := {"golang", "rust", "maven", "gradle", "gcc", "buildpack-deps", "sdk", "clojure", "haskell", "swift", "elixir"}

warn contains {"msg": msg, "_loc": {"line": final_from.StartLine}} if {
	base := final_base
	_sdk(images.parse(base.Image))
	not config.exempt("DP008", base.Image)
	msg := sprintf("the final image is based on the SDK image %q; build in a separate stage and copy only the artifacts", [base.Image])
}

warn contains {"msg": msg, "_loc": {"line": i.StartLine}} if {
	some run in final_runs
	i := run.instruction
	reasons := _reasons(run.text)
	count(reasons) > 0
	msg := sprintf("the final image %s; use a multi-stage build", [concat(" and ", reasons)])
}

# _sdk(parsed) holds for a parsed image reference (images.parse) that names an SDK.
_sdk(parsed) if {
	parts := split(parsed.repository, "/")
	name := parts[count(parts) - 1]
	name in _sdk_images
}

# A Java image is a JDK unless its name or tag says it is a runtime (`jre`, `runtime`,
# `headless`): `openjdk:21`, `eclipse-temurin:21`, `amazoncorretto:21`,
# `ubi9/openjdk-21`, `mcr.microsoft.com/openjdk/jdk` are JDKs; `eclipse-temurin:21-jre`,
# `liberica-openjre-alpine`, `ubi9/openjdk-21-runtime`, `amazoncorretto:21-headless` are
# not. Distroless Java images carry a runtime only.
_sdk(parsed) if {
	path := split(lower(parsed.repository), "/")
	name := path[count(path) - 1]
	_java_image(name)
	not "distroless" in path
	not _says_runtime(name)
	not _says_runtime(lower(parsed.tag))
}

_java_image(name) if text_lib.mentions_any(name, ["jdk", "jre"])

# `java`, `java21`, `ibmjava` (not `javascript-node`).
_java_image(name) if {
	some word in text_lib.name_parts(name)
	_java_word(trim_prefix(word, "ibm"))
}

_java_word(word) if word == "java"

_java_word(word) if {
	startswith(word, "java")
	text_lib.digits(trim_prefix(word, "java"))
}

_java_image(name) if name in {"eclipse-temurin", "ibm-semeru-runtimes", "sapmachine", "amazoncorretto"}

# (`runtime` as a whole part: `ibm-semeru-runtimes` names JDK and JRE images alike.)
_says_runtime(s) if text_lib.mentions_any(s, ["jre", "headless"])

_says_runtime(s) if "runtime" in text_lib.name_parts(s)

# A package manager command up to the end of its shell command: the manager, its verb
# (group 1) and the rest (group 2). Removals are matched too: a tool removed later in the
# same RUN (`apk del .build-deps`, `apt-get purge -y --auto-remove gcc`) is not in the
# image.
_package_command := `(?:apt-get|apt|apk|yum|dnf|microdnf|tdnf|zypper)\s+(?:-\S+\s+)*(install|add|in|del|remove|purge|erase|rm|autoremove)\b([^&;|\n]*)`

_install_verbs := {"install", "add", "in"}

_removal_verbs := {"del", "remove", "purge", "erase", "rm", "autoremove"}

# The toolchain packages, matched as whole package words with an optional version suffix
# (`gcc-12`, `gcc-c++`) and pin (`gcc=4:12.2.0-3`), plus the JDK package families below.
_tools := {"gcc", "g++", "cc", "make", "build-essential", "build-base", "cmake", "clang", "autoconf", "automake", "libtool", "gfortran", "golang", "rustc", "cargo", "maven", "gradle", "musl-dev", "ninja-build"}

# Keyed by the word each pattern cannot match text without, with `verb`, the word it
# needs besides ("" when none). Both are tested with `contains` in the comprehension
# itself: a builtin per check costs less than a helper call per check, and most RUNs
# name none of these words.
_build_commands := {
	"go": {"reason": "runs go build", "pattern": `\bgo\s+build\b`, "verb": "build", "says": [" go build "]},
	"cargo": {"reason": "runs cargo build", "pattern": `\bcargo\s+build\b`, "verb": "build"},
	"mvn": {"reason": "runs mvn package", "pattern": `\bmvnw?\b[^&;|\n]*\b(?:package|install|verify)\b`, "verb": ""},
	"gradle": {"reason": "runs gradle build", "pattern": `\bgradlew?\b[^&;|\n]*\b(?:build|assemble)\b`, "verb": ""},
	"npm": _npm_build,
	"yarn": _npm_build,
	"make": {"reason": "runs make", "pattern": `(?m)(?:^\s*|[;&|]\s*|\b(?:then|do)\s+)make(?:\s|$)`, "verb": "", "says": ["&& make ", "; make ", "; \tmake ", "&& \tmake "]},
}

_npm_build := {"reason": "runs an npm build", "pattern": `\b(?:npm|pnpm|yarn)\s+(?:run\s+)?build\b`, "verb": "build"}

_install_needs := ["apt", "apk", "yum", "dnf", "zypper"]

_reasons(text) := array.concat(_installs(text), [r | some r in sort(_builds(text))])

_builds(text) := {check.reason |
	some word, check in _build_commands
	contains(text, word)
	contains(text, check.verb)
	_runs(check, text)
}

# `says`: the usual spellings of a command (see lib.dockpolicy.text.says_any).
_runs(check, text) if text_lib.says_any(text, check.says)

_runs(check, text) if regex.match(check.pattern, text)

# Every package word that can name a tool contains one of these.
# (`autoconf` and `rustc` rather than `auto` and `rust`: those also pass text that only
# runs apt-get autoremove or adds a trust key, and each text passed costs a regex call.)
_tool_needs := ["gcc", "g++", "cc", "make", "build-", "clang", "autoconf", "automake", "libtool", "gfortran", "golang", "rustc", "cargo", "maven", "gradle", "jdk", "musl-dev", "ninja"]

# (A heredoc script's lines are separate commands: the patterns stop at a line break, and
# those anchored at a command's start match at a line's start too.)
_tools_installed(text) := {tool |
	text_lib.mentions_any(text, _install_needs)
	text_lib.mentions_any(text, ["install", "add", " in "])
	# An install segment can name a tool only when the whole text does: most installs
	# name none, and skip the regex.
	text_lib.mentions_any(text, _tool_needs)
	heads := _tool_heads
	commands := regex.find_all_string_submatch_n(_package_command, text, -1)
	some k, command in commands
	command[1] in _install_verbs
	text_lib.mentions_any(command[0], _tool_needs)
	some word in _words(command[0])
	heads[_head(word)]
	tool := _tool(word)
	not _removed_later(text, commands, k, tool)
}

# Package words: a command split at ASCII whitespace (what `\s` means in OPA; a command
# never holds a newline), with string builtins rather than a regex call.
_words(command) := [word | some word in split(strings.replace_n(_blanks, command), " "); word != ""]

# A later command of the same RUN removes the tool, or the virtual package
# (`apk add --virtual .build-deps gcc`, `-t NAME`, `--virtual=NAME`) that installed it.
_removed_later(_, commands, k, _) if {
	text_lib.mentions_any(commands[k][0], ["-t", "--virtual"])
	some virtual in _virtual_names(_words(commands[k][0]))
	some j, command in commands
	j > k
	command[1] in _removal_verbs
	virtual in _words(command[2])
}

_removed_later(_, commands, k, tool) if {
	some j, command in commands
	j > k
	command[1] in _removal_verbs
	some word in _words(command[2])
	_tool(word) == tool
}

# Debian's idiom: `apt-mark auto '.*'` marks every package installed since the saved
# manual list as removable, and `apt-get purge --auto-remove` then removes them all.
_removed_later(text, commands, k, _) if {
	contains(text, "apt-mark auto")
	startswith(commands[k][0], "apt")
	some j, command in commands
	j > k
	command[1] in _removal_verbs
	startswith(command[0], "apt")
	text_lib.mentions_any(command[0], ["--auto-remove", "autoremove"])
}

_virtual_names(words) := {name |
	some word in words
	startswith(word, "--virtual=")
	name := trim_prefix(word, "--virtual=")
} | {name |
	some n, word in words
	word in {"--virtual", "-t"}
	n + 1 < count(words)
	name := words[n + 1]
}

_blanks := {"\t": " ", "\r": " ", "\f": " "}

# The part of a package word before its first `-`, `=` or `:`: a set lookup on it skips
# the full check for the words that cannot name a tool (most of them).
_head(word) := split(split(split(word, "-")[0], "=")[0], ":")[0]

_tool_heads := {"gcc", "g++", "cc", "make", "build", "cmake", "clang", "autoconf", "automake", "libtool", "gfortran", "golang", "rustc", "cargo", "maven", "gradle", "musl", "ninja", "openjdk", "java"}

# _tool(word) is the toolchain a package word names: the word without its version pin
# (`=...` or `:...`), then without a version suffix (`-12`, `-4.9`, `-c++`).
_tool(word) := tool if {
	name := _unpinned(word)
	tool := _tool_name(name)
}

# (No tool name or version suffix contains `=` or `:`, so the pin starts at the first one.)
_unpinned(word) := split(split(word, "=")[0], ":")[0]

_tool_name(name) := name if _is_tool(name)

_tool_name(name) := base if {
	endswith(name, "-c++")
	base := trim_suffix(name, "-c++")
	_is_tool(base)
}

_tool_name(name) := base if {
	parts := split(name, "-")
	count(parts) > 1
	_version(parts[count(parts) - 1])
	base := concat("-", array.slice(parts, 0, count(parts) - 1))
	_is_tool(base)
}

_is_tool(name) if name in _tools

# openjdk-17-jdk
_is_tool(name) if {
	startswith(name, "openjdk-")
	endswith(name, "-jdk")
	text_lib.digits(trim_suffix(trim_prefix(name, "openjdk-"), "-jdk"))
}

# java-17-openjdk-devel, java-1.8.0-openjdk-devel
_is_tool(name) if {
	startswith(name, "java-")
	endswith(name, "-openjdk-devel")
	version := trim_suffix(trim_prefix(name, "java-"), "-openjdk-devel")
	count(version) > 0
	trim(version, "0123456789.") == ""
}

# A version suffix: a digit, then digits and dots.
_version(v) if {
	substring(v, 0, 1) in {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	trim(v, "0123456789.") == ""
}

_installs(text) := [sprintf("installs %s", [concat(", ", sort(tools))]) |
	tools := _tools_installed(text)
	count(tools) > 0
]

# Image archives: compilers in the final filesystem.
warn contains {"msg": msg, "_loc": {}} if {
	# Manifests, Compose files and images are objects, Dockerfiles arrays: this builtin
	# check ends the body for a Dockerfile before any helper rule is called.
	is_object(input)
	found := {f.path |
		some f in image_archive.files
		f.type in {"file", "symlink", "hardlink"}
		_compiler(f.path)
	}
	count(found) > 0
	msg := sprintf("the image carries build tools: %s; use a multi-stage build", [concat(", ", sort(found))])
}

_compiler(path) if {
	parts := split(path, "/")
	parts[count(parts) - 1] in {"gcc", "g++", "cc", "cc1", "cc1plus", "javac", "rustc", "go", "clang"}
	regex.match(`^/(usr/(local/)?)?(bin|libexec/gcc/.*|lib/gcc/.*|local/go/bin|lib/go[^/]*/bin|lib/jvm/.*/bin)/[^/]+$`, path)
}
