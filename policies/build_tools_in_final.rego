# METADATA
# title: Final image carries build tools
# description: |
#   ## What it does
#   Flags a final image that compiles code or carries a toolchain: its base is an SDK
#   image (golang, rust, maven, gradle, a JDK, the .NET SDK, gcc, buildpack-deps), it
#   installs compilers or build tools (gcc, g++, make, build-essential, cmake, clang,
#   autoconf, ...), or it runs a build (`go build`, `cargo build`, `mvn package`,
#   `gradle build`, `npm run build`, `make`). Stages the final image does not build on do
#   not count: that is the point of a multi-stage build.
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
import data.lib.dockpolicy.dockerfile
import data.lib.dockpolicy.dockerfile.final_base
import data.lib.dockpolicy.dockerfile.final_from
import data.lib.dockpolicy.dockerfile.final_instructions
import data.lib.dockpolicy.image
import data.lib.dockpolicy.image_config.archive as image_archive
import data.lib.dockpolicy.text as text_lib

_sdk_images := {"golang", "rust", "maven", "gradle", "gcc", "buildpack-deps", "sdk", "amazoncorretto", "clojure", "haskell", "swift", "elixir"}

warn contains {"msg": msg, "_loc": {"line": final_from.StartLine}} if {
	base := final_base
	_sdk(base.Image)
	not config.exempt("DP008", base.Image)
	msg := sprintf("the final image is based on the SDK image %q; build in a separate stage and copy only the artifacts", [base.Image])
}

warn contains {"msg": msg, "_loc": {"line": i.StartLine}} if {
	some i in final_instructions
	i.Cmd == "run"
	reasons := _reasons(dockerfile.command_text(i))
	count(reasons) > 0
	msg := sprintf("the final image %s; use a multi-stage build", [concat(" and ", reasons)])
}

_sdk(ref) if {
	parsed := image.parse(ref)
	parts := split(parsed.repository, "/")
	name := parts[count(parts) - 1]
	name in _sdk_images
}

_sdk(ref) if {
	parsed := image.parse(ref)
	parts := split(parsed.repository, "/")
	parts[count(parts) - 1] in {"openjdk", "eclipse-temurin", "ibmjava", "ibm-semeru-runtimes", "sapmachine"}
	# These images are JDKs unless the tag says jre (openjdk:21, eclipse-temurin:21 are JDKs).
	not contains(parsed.tag, "jre")
}

_install := `(?:apt-get|apt|apk|yum|dnf|microdnf|zypper)\s+(?:-\S+\s+)*(?:install|add)\b[^&;|\n]*`

# A package word naming a toolchain, with an optional version pin (`gcc=4:12.2.0-3`).
_tool_word := `^(gcc|g\+\+|cc|make|build-essential|build-base|cmake|clang|autoconf|automake|libtool|gfortran|golang|rustc|cargo|maven|gradle|openjdk-\d+-jdk|java-[\d.]+-openjdk-devel|musl-dev|ninja-build)(?:-[0-9][0-9.]*|-c\+\+)?(?:[=:]\S*)?$`

# Each with the literal words it cannot match without (see lib.dockpolicy.text).
_build_commands := {
	"runs go build": {"pattern": `\bgo\s+build\b`, "needs": ["go"]},
	"runs cargo build": {"pattern": `\bcargo\s+build\b`, "needs": ["cargo"]},
	"runs mvn package": {"pattern": `\bmvnw?\b[^&;|\n]*\b(?:package|install|verify)\b`, "needs": ["mvn"]},
	"runs gradle build": {"pattern": `\bgradlew?\b[^&;|\n]*\b(?:build|assemble)\b`, "needs": ["gradle"]},
	"runs an npm build": {"pattern": `\b(?:npm|pnpm|yarn)\s+(?:run\s+)?build\b`, "needs": ["npm", "yarn"]},
	"runs make": {"pattern": `(?:^|[;&|]\s*|\bthen\s+)make(?:\s|$)`, "needs": ["make"]},
}

_install_needs := ["apt", "apk", "yum", "dnf", "zypper"]

_reasons(text) := array.concat(_installs(text), [r | some r in sort(_builds(text))])

_builds(text) := {reason |
	some reason, check in _build_commands
	text_lib.mentions_any(text, check.needs)
	regex.match(check.pattern, text)
}

_tools_installed(text) := {tool |
	text_lib.mentions_any(text, _install_needs)
	some segment in regex.find_n(_install, text, -1)
	some word in regex.split(`\s+`, segment)
	substring(word, 0, 2) in _tool_starts
	some match in regex.find_all_string_submatch_n(_tool_word, word, 1)
	tool := match[1]
}

# Every name _tool_word accepts starts with one of these two letters; other words skip
# the regex (a set lookup is far cheaper than a regex match per package word).
_tool_starts := {"gc", "g+", "cc", "ma", "bu", "cm", "cl", "au", "li", "gf", "go", "ru", "ca", "op", "ja", "mu", "ni"}

_installs(text) := [sprintf("installs %s", [concat(", ", sort(tools))]) |
	tools := _tools_installed(text)
	count(tools) > 0
]

# Image archives: compilers in the final filesystem.
warn contains {"msg": msg, "_loc": {}} if {
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
