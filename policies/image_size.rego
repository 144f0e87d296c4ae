# METADATA
# title: Image is too large
# description: |
#   ## What it does
#   For image archives (`docker save`, OCI layout), flags an image whose total
#   uncompressed size is above `max_image_size` (config; default 1 GiB), naming the
#   largest layers and the build step that created each.
#
#   ## Why
#   Large images pull slowly, start slowly, cost storage in every node and registry, and
#   usually carry what the service never uses.
#
#   ## Example
#   A 2.3 GiB image whose largest layer is `RUN apt-get install -y build-essential ...`.
#
#   ## Use instead
#   A multi-stage build with a minimal final stage; clean package caches in the same RUN.
# custom:
#   id: DP012
#   slug: image-size
#   severity: warn
#   remediation: Move build steps to a builder stage, use a minimal base, and remove caches in the layer that creates them.
package dockpolicy.image_size

import data.lib.dockpolicy.config.max_image_size
import data.lib.dockpolicy.image_config.archive as image_archive

warn contains {"msg": msg, "_loc": {}} if {
	# Manifests, Compose files and images are objects, Dockerfiles arrays: this builtin
	# check ends the body for a Dockerfile before any helper rule is called.
	is_object(input)
	size := image_archive.size
	size > max_image_size
	by_size := sort([[0 - l.size, i] | some i, l in image_archive.layers])
	top := [_describe(image_archive.layers[pair[1]]) | some k, pair in by_size; k < 3]
	msg := sprintf("the image is %s uncompressed, above max_image_size %s; largest layers: %s", [_human(size), _human(max_image_size), concat("; ", top)])
}

_describe(layer) := sprintf("%s (%s)", [_human(layer.size), _step(layer.created_by)])

_step(created_by) := "unknown step" if created_by == ""

_step(created_by) := trim_space(substring(created_by, 0, 80)) if created_by != ""

# One decimal, computed in integers so OPA and regorus print the same text.
_human(bytes) := _tenths(bytes, 1073741824, "GiB") if bytes >= 1073741824

_human(bytes) := _tenths(bytes, 1048576, "MiB") if {
	bytes < 1073741824
	bytes >= 1048576
}

_tenths(bytes, unit, name) := sprintf("%d.%d %s", [floor(t / 10), t % 10, name]) if t := round((bytes * 10) / unit)

_human(bytes) := sprintf("%d bytes", [bytes]) if bytes < 1048576
