# METADATA
# title: Final image lacks required labels
# description: |
#   ## What it does
#   Flags a final image that lacks a label from `required_labels` (default: maintainer
#   information, `org.opencontainers.image.authors` or `maintainer`). Each entry lists
#   alternatives; one of them must be set. Labels from every stage the final stage builds
#   `FROM` count. A `MAINTAINER` instruction does not: it is deprecated. A label whose
#   value is empty or blank is missing: as written (`LABEL maintainer=""`), after Docker
#   expands its variables in the stage (`LABEL maintainer=$AUTHOR` with `AUTHOR` a global
#   ARG the stage does not re-declare), and in a built image's config (`"Labels":
#   {"maintainer": ""}`). A value from a variable the Dockerfile gives no value (an `ARG`
#   without default) counts as set.
#
#   ## Why
#   When an image misbehaves in production, its labels are how people find the team that
#   owns it, the source it came from and the revision it was built from.
#
#   ## Example
#   ```dockerfile
#   FROM alpine:3.20
#   MAINTAINER jane@example.com
#   ```
#
#   ## Use instead
#   ```dockerfile
#   FROM alpine:3.20
#   LABEL org.opencontainers.image.authors="jane@example.com"
#   ```
# custom:
#   id: DP009
#   slug: missing-labels
#   severity: warn
#   remediation: Add the labels with LABEL in the final stage (OCI annotation keys such as org.opencontainers.image.authors).
package dockpolicy.missing_labels

import data.lib.dockpolicy.config.required_labels
import data.lib.dockpolicy.dockerfile
import data.lib.dockpolicy.dockerfile.final_from
import data.lib.dockpolicy.dockerfile.final_instructions
import data.lib.dockpolicy.dockerfile.is_dockerfile
import data.lib.dockpolicy.image_config.config as image_settings
import data.lib.dockpolicy.image_config.is_image

# Labels set to a non-blank value (LABEL maintainer="" does not count), after variable
# expansion where the parser resolved it.
_labels := {dockerfile.unquote(pair.key) |
	some i in final_instructions
	i.Cmd == "label"
	some pair in dockerfile.pairs(i)
	trim_space(dockerfile.unquote(dockerfile.pair_value(pair))) != ""
}

_has_maintainer if {
	some i in final_instructions
	i.Cmd == "maintainer"
}

warn contains {"msg": msg, "_loc": {"line": final_from.StartLine}} if {
	is_dockerfile
	some entry in required_labels
	alternatives := _alternatives(entry)
	count({a | some a in alternatives; a in _labels}) == 0
	msg := sprintf("the final image has no %s label%s", [concat(" or ", alternatives), _maintainer_note])
}

_alternatives(entry) := [entry] if is_string(entry)

_alternatives(entry) := entry if is_array(entry)

default _maintainer_note := ""

_maintainer_note := "; MAINTAINER is deprecated and does not count, use LABEL org.opencontainers.image.authors=..." if _has_maintainer

# Built images: the labels recorded in the image config.
warn contains {"msg": msg, "_loc": {}} if {
	# Manifests, Compose files and images are objects, Dockerfiles arrays: this builtin
	# check ends the body for a Dockerfile before any helper rule is called.
	is_object(input)
	# (The guard is not redundant for regorus's VM, which lets `x := undefined` succeed.)
	is_image
	labels := image_settings.labels
	some entry in required_labels
	alternatives := _alternatives(entry)
	count({a | some a in alternatives; _set_in_image(labels, a)}) == 0
	msg := sprintf("the image has no %s label", [concat(" or ", alternatives)])
}

# A label a built image sets to a non-blank value ("" is what `LABEL a=""` records).
_set_in_image(labels, name) if {
	value := object.get(labels, name, null)
	value != null
	not _blank(value)
}

_blank(value) if {
	is_string(value)
	trim_space(value) == ""
}
