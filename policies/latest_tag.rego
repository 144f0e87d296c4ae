# METADATA
# title: Base image uses the latest tag
# description: |
#   ## What it does
#   Flags a base image (in any stage) whose tag is `latest`, or that has no tag and no
#   digest, which Docker reads as `latest`.
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
package dockpolicy.latest_tag

import data.lib.dockpolicy.dockerfile
import data.lib.dockpolicy.image

deny contains result if {
	some instruction in dockerfile.external_bases
	ref := image.parse(instruction.Image)
	ref.digest == ""
	_floating(ref.tag)
	result := {
		"msg": sprintf("base image %q uses the latest tag; pin a version", [instruction.Image]),
		"id": "DP001",
		"title": "Base image uses the latest tag",
		"severity": "deny",
		"line": instruction.StartLine,
	}
}

_floating(tag) if tag in {"", "latest"}
