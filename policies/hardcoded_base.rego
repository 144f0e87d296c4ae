# METADATA
# title: Base image is hard-coded
# description: |
#   ## What it does
#   Flags a stage whose external base image is written literally in `FROM` instead of
#   coming from an `ARG` declared before the first `FROM` (`ARG BASE_IMAGE=...` then
#   `FROM ${BASE_IMAGE}`). `scratch` and earlier stages are exempt.
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
