# METADATA
# title: Image references across input kinds
# description: |
#   Every image reference an input pulls, as {"image", "loc", "where"} (where: how a
#   message names it, e.g. `base image`), whatever the
#   input kind: a Dockerfile's external `FROM`s and the images its `COPY --from=<image>`
#   and `RUN --mount=...,from=<image>` pull (in any stage), a Kubernetes workload's
#   containers, a
#   Compose file's services, and the tags and digests of a built image. The image rules
#   (DP001-DP004) read only this set, so one rule fires on every kind of input that names
#   images. `loc` is what the finding's `_loc` should be (with a `path` from the document's
#   root for manifests and Compose files). A Compose image is taken as interpolated with no
#   variable set (lib.dockpolicy.compose.interpolated), and left out when that needs one.
package lib.dockpolicy.images

import data.lib.dockpolicy.compose
import data.lib.dockpolicy.compose.services as compose_services
import data.lib.dockpolicy.dockerfile.external_bases
import data.lib.dockpolicy.dockerfile.pulled_images
import data.lib.dockpolicy.image
import data.lib.dockpolicy.image_config.references as built_references
import data.lib.dockpolicy.kubernetes.containers as k8s_containers

references contains {"image": f.Image, "loc": {"line": f.StartLine}, "where": "base image"} if {
	some f in external_bases
}

# The build pulls these too, from their registries, like a base image.
references contains {"image": p.image.Image, "loc": {"line": p.instruction.StartLine}, "where": _pulled_where(p.instruction)} if {
	some p in pulled_images
}

_pulled_where(i) := "RUN --mount image" if i.Cmd == "run"

_pulled_where(i) := sprintf("%s --from image", [upper(i.Cmd)]) if i.Cmd != "run"

references contains {"image": c.container.image, "loc": {"key": "image", "value": c.container.image, "path": array.concat(c.path, ["image"])}, "where": where} if {
	# Manifests, Compose files and images are objects, Dockerfiles arrays: this builtin
	# check ends the body for a Dockerfile before any helper rule is called.
	is_object(input)
	some c in k8s_containers
	is_string(c.container.image)
	where := sprintf("%s container %q image", [c.name, object.get(c.container, "name", "")])
}

# A Compose image is judged as Compose interpolates it with no variable set (a default
# used, `$$` a `$`); one that needs a variable's value names no image to judge.
references contains {"image": image, "loc": {"key": "image", "value": s.service.image, "path": ["services", s.name, "image"]}, "where": where} if {
	is_object(input)
	some s in compose_services
	is_string(s.service.image)
	image := compose.interpolated(s.service.image)
	# (regorus's VM lets `image := <undefined>` succeed.)
	is_string(image)
	where := _compose_where(s.name, s.service.image, image)
}

_compose_where(name, written, image) := sprintf("service %q image", [name]) if written == image

_compose_where(name, written, image) := sprintf("service %q image %q, interpolated as", [name, written]) if written != image

# A built image's own references: a tag that is latest, or no digest, is still worth
# knowing about when the image is deployed by that reference.
references contains {"image": ref, "loc": {}, "where": "image reference"} if {
	is_object(input)
	some ref in built_references
	not contains(ref, "@")
	not _has_digest_reference
}

references contains {"image": ref, "loc": {}, "where": "image reference"} if {
	is_object(input)
	some ref in built_references
	contains(ref, "@")
}

_has_digest_reference if {
	some ref in built_references
	contains(ref, "@")
}

# parsed[image]: each referenced image parsed once per input. image.parse is the costliest
# helper the image rules share, and a rule's value is computed once per evaluation where a
# function call is not, so DP001, DP004, DP007 and DP008 read it from here. A Dockerfile's
# FROM comes parsed (`ImageRef`, the same parts computed in Rust, held equal to these by
# tests/parsed_fields.rs); the references of other inputs are parsed here.
parsed[f.Image] := _base_reference(f) if some f in external_bases

parsed[p.image.Image] := _base_reference(p.image) if some p in pulled_images

parsed[r.image] := image.parse(r.image) if {
	is_object(input)
	some r in references
}

# (Documents made elsewhere, e.g. by an older dockpolicy, may lack `ImageRef`.)
_base_reference(f) := f.ImageRef if {
	is_object(f.ImageRef)
} else := image.parse(f.Image)

# parse(ref) is image.parse(ref), taken from `parsed` when ref is one of the references.
# (One definition with `else`: two definitions would each look `parsed` up, a VM call.
# `is_object` is not redundant: regorus's VM lets `known := <undefined>` succeed, and then
# an unresolved final base, which is not among the references, parsed as nothing there;
# found by the `engines` fuzz target.)
parse(ref) := known if {
	known := parsed[ref]
	is_object(known)
} else := image.parse(ref)
