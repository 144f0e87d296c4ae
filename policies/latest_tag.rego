# METADATA
# title: Base image uses the latest tag
# description: |
#   ## What it does
#   Flags a base image (in any stage) whose tag is `latest`, or that has no tag and no
#   digest, which Docker reads as `latest`. `scratch` and earlier stages are exempt.
#   Base images include the images a build pulls outside `FROM`: `COPY --from=<image>`
#   (and `ADD --from`) and `RUN --mount=...,from=<image>` (any mount type), in any stage;
#   a `--from` that names a stage or a stage index is no image. Variables in them expand
#   in the stage's scope; a reference whose variables have no known value is skipped.
#
#   Kubernetes containers and Compose services are checked too. A Compose image is read
#   as Compose interpolates it with no variable set (`app:${TAG:-latest}` is `app:latest`,
#   `${VAR:+alt}` is empty, `$$` is `$`); one that needs a variable's value (`${TAG}`,
#   `$TAG`, `${TAG:?err}`) is not judged. DP002-DP004 read images the same way.
#
#   ## Why
#   `latest` moves: the same Dockerfile builds a different image tomorrow, and a rollback
#   rebuilds something nobody tested.
#
#   ## Example
#   ```dockerfile
#   FROM nginx
#   ```
#
#   ## Use instead
#   ```dockerfile
#   FROM nginx:1.27.2
#   ```
# custom:
#   id: DP001
#   slug: latest-tag
#   severity: deny
#   remediation: Pin the base image to a version tag (and ideally a digest).
#   gatekeeper: true
package dockpolicy.latest_tag

import data.lib.dockpolicy.config
import data.lib.dockpolicy.images.parsed as parsed_images
import data.lib.dockpolicy.images.references as image_references

deny contains {"msg": msg, "_loc": ref.loc} if {
	some ref in image_references
	not config.exempt("DP001", ref.image)
	parsed := parsed_images[ref.image]
	parsed.digest == ""
	parsed.tag in {"", "latest"}
	msg := sprintf("%s %q uses the latest tag (an untagged image means latest); pin a version", [ref.where, ref.image])
}
