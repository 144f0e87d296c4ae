# METADATA
# title: Base image comes from a registry that is not allowed
# description: |
#   ## What it does
#   When `allowed_registries` is configured, flags a base image whose registry is not in
#   the list. An entry is a host (`registry.example.com`, `localhost:5000`), optionally with
#   a path prefix (`registry.example.com/team`). Matching compares the parsed host exactly
#   and path prefixes by whole components, so `registry.example.com.evil.io/x` never passes
#   for `registry.example.com`. Images without a host are Docker Hub (`docker.io`).
#   Base images include the images a build pulls outside `FROM`: `COPY --from=<image>`
#   (and `ADD --from`) and `RUN --mount=...,from=<image>` (any mount type), in any stage;
#   a `--from` that names a stage or a stage index is no image. Variables in them expand
#   in the stage's scope; a reference whose variables have no known value is skipped.
#
#   ## Why
#   Images from registries you do not control can change or disappear under you, and skip
#   your scanning and signing.
#
#   ## Example
#   ```yaml
#   # .dockpolicy.yaml
#   allowed_registries: [registry.example.com]
#   ```
#   ```dockerfile
#   FROM quay.io/someone/tool:1.0
#   ```
#
#   ## Use instead
#   ```dockerfile
#   FROM registry.example.com/mirror/tool:1.0
#   ```
# custom:
#   id: DP003
#   slug: untrusted-registry
#   severity: deny
#   remediation: Mirror the image into an allowed registry, or add its registry to allowed_registries.
#   gatekeeper: true
package dockpolicy.untrusted_registry

import data.lib.dockpolicy.config
import data.lib.dockpolicy.config.allowed_registries
import data.lib.dockpolicy.image
import data.lib.dockpolicy.images.references as image_references

deny contains {"msg": msg, "_loc": ref.loc} if {
	count(allowed_registries) > 0
	some ref in image_references
	not config.exempt("DP003", ref.image)
	not image.registry_allowed(ref.image, allowed_registries)
	msg := sprintf("%s %q comes from registry %q, which is not in allowed_registries %v", [ref.where, ref.image, image.parse(ref.image).host, allowed_registries])
}
