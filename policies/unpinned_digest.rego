# METADATA
# title: Base image is not pinned by digest
# description: |
#   ## What it does
#   Flags a base image (in any stage) that is not pinned by a `@sha256:<64 hex>` digest.
#   `scratch` and earlier stages are exempt.
#   Base images include the images a build pulls outside `FROM`: `COPY --from=<image>`
#   (and `ADD --from`) and `RUN --mount=...,from=<image>` (any mount type), in any stage;
#   a `--from` that names a stage or a stage index is no image. Variables in them expand
#   in the stage's scope; a reference whose variables have no known value is skipped.
#
#   ## Why
#   Tags are mutable: a registry (or an attacker with push rights) can point a tag at a
#   different image. A digest names exactly one image, so builds are reproducible and
#   tamper-evident.
#
#   ## Example
#   ```dockerfile
#   FROM python:3.12-slim
#   ```
#
#   ## Use instead
#   ```dockerfile
#   FROM python:3.12-slim@sha256:<digest>
#   ```
# custom:
#   id: DP002
#   slug: unpinned-digest
#   severity: deny
#   remediation: Append the image's digest (`docker buildx imagetools inspect IMAGE` shows it) and let a bot such as Renovate update it.
#   gatekeeper: true
package dockpolicy.unpinned_digest

import data.lib.dockpolicy.config
import data.lib.dockpolicy.image
import data.lib.dockpolicy.images.references as image_references

deny contains {"msg": msg, "_loc": ref.loc} if {
	some ref in image_references
	not config.exempt("DP002", ref.image)
	not image.has_digest(ref.image)
	msg := sprintf("%s %q is not pinned by digest; add @sha256:<digest>", [ref.where, ref.image])
}
