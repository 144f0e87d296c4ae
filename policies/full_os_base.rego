# METADATA
# title: Final image is based on a full operating system
# description: |
#   ## What it does
#   Flags a final stage whose base image is not a minimal variant. Minimal are: `scratch`;
#   distroless (a `distroless` part in the repository path or the tag, e.g.
#   `gcr.io/distroless/...`); Chainguard and Wolfi (`cgr.dev/...`, `chainguard/...` on
#   Docker Hub, `wolfi-base`); `busybox`; alpine (the image `alpine`, a repository name
#   part `alpine` as in `*-alpine`, a tag part `alpine` or `alpine3.20`...); a `slim`,
#   `minimal`, `micro`, `chiseled` (or `chiselled`) or `nanoserver` part in the tag, or a
#   repository named `*-slim`, `*-minimal`, `*-micro`, `*-chiseled` (`ubi9-micro`,
#   `ubi9/ubi-minimal`); `nanoserver`; and
#   the images matching the configured `minimal_base_images` patterns. Every other image
#   is a full operating system: `ubuntu:24.04`, `nginx:1.27`, `node:22-bookworm`,
#   `python:3.12`, `golang:1.23`, an internal `registry.example.com/base/app:1.0`. Tag and
#   repository parts are separated by `-`, `_` or `.`. The base is found through the stage
#   chain. For an image archive: a shell or a package manager in its filesystem.
#
#   ## Why
#   A full distribution ships a shell, a package manager and hundreds of packages the
#   service never uses: more CVEs to triage, more tools for an attacker, slower pulls.
#
#   ## Example
#   ```dockerfile
#   FROM golang:1.23 AS build
#   RUN go build -o /app .
#   FROM node:22-bookworm
#   COPY --from=build /app /app
#   ```
#
#   ## Use instead
#   ```dockerfile
#   FROM gcr.io/distroless/static-debian12:nonroot
#   COPY --from=build /app /app
#   ```
# custom:
#   id: DP007
#   slug: full-os-base
#   severity: warn
#   remediation: Use a multi-stage build and a minimal runtime base (distroless, scratch, alpine, a -slim variant), or list your own minimal images in minimal_base_images.
package dockpolicy.full_os_base

import data.lib.dockpolicy.config
import data.lib.dockpolicy.config.minimal_base_images
import data.lib.dockpolicy.dockerfile.final_base
import data.lib.dockpolicy.dockerfile.final_from
import data.lib.dockpolicy.image
import data.lib.dockpolicy.image_config
import data.lib.dockpolicy.images
import data.lib.dockpolicy.text as text_lib

warn contains {"msg": msg, "_loc": {"line": final_from.StartLine}} if {
	base := final_base
	base.ImageResolved
	not minimal(base.Image)
	not config.exempt("DP007", base.Image)
	not image.matches_any(base.Image, minimal_base_images)
	msg := sprintf("%s is not a minimal variant (scratch, distroless, Chainguard/Wolfi, busybox, alpine, -slim, -minimal, -micro, chiseled, nanoserver): the final image carries a full operating system; use a minimal base, or list the image in minimal_base_images", [base.Image])
}

# minimal(ref) holds when an image reference names a minimal variant (see the description).
minimal(ref) if _minimal_image(images.parse(ref))

_minimal_image(parsed) if {
	path := split(lower(parsed.repository), "/")
	_minimal_repository(parsed.host, path)
}

_minimal_image(parsed) if {
	some word in text_lib.name_parts(lower(parsed.tag))
	_minimal_word(word)
}

# (`alpine3.20` splits into `alpine3` and `20`.)
_minimal_word(word) if word in _minimal_tag_words

_minimal_word(word) if {
	startswith(word, "alpine")
	text_lib.digits(trim_prefix(word, "alpine"))
}

_minimal_tag_words := {"slim", "minimal", "micro", "distroless", "alpine", "chiseled", "chiselled", "nanoserver", "busybox"}

_minimal_repository(_, path) if path[count(path) - 1] in {"scratch", "busybox", "nanoserver"}

_minimal_repository(host, _) if host == "cgr.dev"

_minimal_repository(_, path) if {
	count(path) > 1
	path[0] == "chainguard"
}

_minimal_repository(_, path) if {
	some part in path
	contains(part, "distroless")
	"distroless" in text_lib.name_parts(part)
}

# A repository named as a variant: `ubi9-micro`, `ubi-minimal`, `chiseled-jre`; alpine
# and wolfi anywhere in the name (`zulu-openjdk-alpine`, `alpine-node`, `wolfi-base`).
_minimal_repository(_, path) if {
	words := text_lib.name_parts(path[count(path) - 1])
	count(words) > 1
	words[count(words) - 1] in {"slim", "minimal", "micro", "chiseled", "chiselled"}
}

# (Each checks with `contains` before it splits the name: most names have neither word.)
_minimal_repository(_, path) if {
	name := path[count(path) - 1]
	contains(name, "wolfi")
	"wolfi" in text_lib.name_parts(name)
}

_minimal_repository(_, path) if {
	name := path[count(path) - 1]
	contains(name, "alpine")
	some word in text_lib.name_parts(name)
	startswith(word, "alpine")
	text_lib.digits(concat("", [trim_prefix(word, "alpine"), "0"]))
}

# Image archives: a shell or a package manager in the final filesystem means the image
# is not distroless.
warn contains {"msg": msg, "_loc": {}} if {
	# Images are objects, Dockerfiles arrays: this builtin check ends the body for a
	# Dockerfile before any helper is called.
	is_object(input)
	found := image_config.present(_os_tools)
	count(found) > 0
	msg := sprintf("the image is not minimal: it contains %s", [concat(", ", found)])
}

_os_tools := ["/bin/sh", "/bin/bash", "/usr/bin/apt", "/usr/bin/apt-get", "/sbin/apk", "/usr/bin/dnf", "/usr/bin/yum", "/usr/bin/microdnf", "/usr/bin/zypper"]
