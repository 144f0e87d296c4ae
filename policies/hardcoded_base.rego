# METADATA
# title: Base image is hard-coded
# description: |
#   ## What it does
#   Flags a stage whose external base image is written literally in `FROM` instead of
#   coming from an `ARG` declared before the first `FROM` (`ARG BASE_IMAGE=...` then
#   `FROM ${BASE_IMAGE}`). `scratch` and earlier stages are exempt. A `FROM` where only
#   the tag or digest comes from an ARG (`FROM registry/node:${NODE_VERSION}`,
#   `FROM node:$V@sha256:...`) is flagged too: the image name is still hard-coded. A
#   variable in the registry or repository part (`FROM ${REGISTRY}/node:22`) passes.
#
#   ## Why
#   With the base in an ARG, a platform team can move every service to a patched or
#   mirrored base image with `--build-arg`, without editing each Dockerfile.
#
#   ## Example
#   ```dockerfile
#   FROM python:3.12-slim
#   ```
#
#   ## Use instead
#   ```dockerfile
#   ARG BASE_IMAGE=python:3.12-slim
#   FROM ${BASE_IMAGE}
#   ```
# custom:
#   id: DP010
#   slug: hardcoded-base
#   severity: warn
#   remediation: Declare `ARG BASE_IMAGE=<image>` before the first FROM and use `FROM ${BASE_IMAGE}`.
package dockpolicy.hardcoded_base

import data.lib.dockpolicy.config
import data.lib.dockpolicy.dockerfile.froms

warn contains {"msg": msg, "_loc": {"line": f.StartLine}} if {
	some f in froms
	f.BaseStage == null
	lower(f.Image) != "scratch"
	not contains(f.Value[0], "$")
	not config.exempt("DP010", f.Image)
	msg := sprintf("the base image %q is hard-coded; take it from an ARG (ARG BASE_IMAGE=%s, then FROM ${BASE_IMAGE})", [f.Image, f.Image])
}

warn contains {"msg": msg, "_loc": {"line": f.StartLine}} if {
	some f in froms
	f.BaseStage == null
	written := f.Value[0]
	contains(written, "$")
	part := _variable_part(written)
	not config.exempt("DP010", f.Image)
	msg := sprintf("the image name in FROM %s is still hard-coded, only its %s comes from an ARG; take the whole image from an ARG (ARG BASE_IMAGE=%s, then FROM ${BASE_IMAGE})", [written, part, f.Image])
}

# Which part of a written reference its first variable is in: "digest" (after `@`) or
# "tag" (after the `:` of the last path component, with no `/` after it); undefined when
# it is in the registry or repository.
_variable_part(written) := "digest" if {
	contains(substring(written, 0, indexof(written, "$")), "@")
} else := "tag" if {
	at := indexof(written, "$")
	components := split(substring(written, 0, at), "/")
	contains(components[count(components) - 1], ":")
	not contains(substring(written, at, -1), "/")
}
