# METADATA
# title: Final image is based on a full operating system
# description: |
#   ## What it does
#   Flags a final stage whose base image is a general-purpose distribution (ubuntu,
#   debian without `slim`, centos, fedora, rockylinux, almalinux, amazonlinux, opensuse,
#   oraclelinux, archlinux, Red Hat UBI standard images) instead of `scratch`, distroless,
#   busybox, alpine, a `-slim`/`-minimal`/`-micro` variant, or an image matching the
#   configured `minimal_base_images` patterns. The base is found through the stage chain.
#
#   ## Why
#   A full distribution ships a shell, a package manager and hundreds of packages the
#   service never uses: more CVEs to triage, more tools for an attacker, slower pulls.
#
#   ## Example
#   ```dockerfile
#   FROM golang:1.23 AS build
#   RUN go build -o /app .
#   FROM ubuntu:24.04
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

_distributions := {"ubuntu", "debian", "centos", "fedora", "rockylinux", "almalinux", "amazonlinux", "oraclelinux", "archlinux", "opensuse", "leap", "tumbleweed", "ubi", "ubi7", "ubi8", "ubi9", "ubi10", "kali-rolling", "clearlinux", "photon", "mageia", "alt", "sles"}

warn contains {"msg": msg, "_loc": {"line": final_from.StartLine}} if {
	base := final_base
	base.ImageResolved
	_full_os(base.Image)
	not config.exempt("DP007", base.Image)
	not image.matches_any(base.Image, minimal_base_images)
	msg := sprintf("the final image is based on %q, a full operating system; use a minimal base (distroless, scratch, alpine or a -slim variant)", [base.Image])
}

_full_os(ref) if {
	parsed := images.parse(ref)
	parts := split(parsed.repository, "/")
	name := parts[count(parts) - 1]
	name in _distributions
	not _minimal_variant(parsed.tag)
}

# A minimal variant names itself as one of the tag's `-`, `_` or `.`-separated parts
# (`3.12-slim-bookworm`, `9.4-micro`, `minimal`). Splitting says so with string builtins,
# a fraction of the cost of a regex call.
_minimal_variant(tag) if {
	some part in split(replace(replace(tag, "_", "-"), ".", "-"), "-")
	part in {"slim", "minimal", "micro", "distroless"}
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
