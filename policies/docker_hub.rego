# METADATA
# title: Base image comes from Docker Hub
# description: |
#   ## What it does
#   Flags a base image pulled from Docker Hub: written without a registry (`nginx`,
#   `library/nginx`, `bitnami/redis`) or with one of Docker Hub's hosts (`docker.io`,
#   `index.docker.io`, `registry-1.docker.io`, `registry.hub.docker.com`).
#   Base images include the images a build pulls outside `FROM`: `COPY --from=<image>`
#   (and `ADD --from`) and `RUN --mount=...,from=<image>` (any mount type), in any stage;
#   a `--from` that names a stage or a stage index is no image. Variables in them expand
#   in the stage's scope; a reference whose variables have no known value is skipped.
#
#   ## Why
#   Docker Hub rate-limits anonymous pulls, and images there are outside your
#   organisation's scanning, signing and retention. Pull through your own registry.
#
#   ## Example
#   ```dockerfile
#   FROM bitnami/redis:7.4
#   ```
#
#   ## Use instead
#   ```dockerfile
#   FROM registry.example.com/dockerhub/bitnami/redis:7.4
#   ```
# custom:
#   id: DP004
#   slug: docker-hub
#   severity: deny
#   remediation: Pull through your organisation's registry or a pull-through cache.
#   gatekeeper: true
package dockpolicy.docker_hub

import data.lib.dockpolicy.config
import data.lib.dockpolicy.images.parsed as parsed_images
import data.lib.dockpolicy.images.references as image_references

deny contains {"msg": msg, "_loc": ref.loc} if {
	some ref in image_references
	not config.exempt("DP004", ref.image)
	# image.is_docker_hub, from the references parsed once per input.
	parsed_images[ref.image].host == "docker.io"
	msg := sprintf("%s %q comes from Docker Hub; pull it through your own registry", [ref.where, ref.image])
}
