# METADATA
# title: Kubernetes input helpers
# description: |
#   Finds the pod spec and containers of every workload kind (Pod, Deployment,
#   StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ReplicationController, PodTemplate)
#   in a manifest: the object itself, the items of a `List` kind, an AdmissionReview
#   document's `request.object`, or the object Gatekeeper passes (`input.review.object`).
package lib.dockpolicy.kubernetes

# The manifest objects being judged.
objects contains o.object if some o in located_objects

# located_objects contains {"object", "path"}: each object and the path to it from the root
# of the document (what a finding's `_loc.path` starts with).
located_objects contains {"object": input.review.object, "path": ["review", "object"]} if is_object(input.review.object)

# An AdmissionReview saved to a file (what the API server sends Gatekeeper).
located_objects contains {"object": input.request.object, "path": ["request", "object"]} if {
	input.kind == "AdmissionReview"
	is_object(input.request.object)
}

located_objects contains {"object": input, "path": []} if _top_level_object

located_objects contains {"object": item, "path": ["items", i]} if {
	_top_level_object
	endswith(input.kind, "List")
	# (Each collection a manifest may leave empty, `items:` parsing as null, is checked
	# before it is iterated: regorus's interpreter stops with an error on `some x in null`,
	# where OPA, Gatekeeper and the VM find nothing.)
	items := input.items
	is_array(items)
	some i, item in items
	is_object(item)
}

_top_level_object if {
	is_object(input)
	not input.review
	is_string(input.kind)
	input.apiVersion
}

_template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}

# pods contains {"object", "spec", "path"}: each object's pod spec and the path to it from
# the root of the document.
pods contains {"object": o, "spec": o.spec, "path": array.concat(lo.path, ["spec"])} if {
	some lo in located_objects
	o := lo.object
	o.kind == "Pod"
	is_object(o.spec)
}

pods contains {"object": o, "spec": o.spec.template.spec, "path": array.concat(lo.path, ["spec", "template", "spec"])} if {
	some lo in located_objects
	o := lo.object
	o.kind in _template_kinds
	is_object(o.spec.template.spec)
}

pods contains {"object": o, "spec": o.template.spec, "path": array.concat(lo.path, ["template", "spec"])} if {
	some lo in located_objects
	o := lo.object
	o.kind == "PodTemplate"
	is_object(o.template.spec)
}

pods contains {"object": o, "spec": o.spec.jobTemplate.spec.template.spec, "path": array.concat(lo.path, ["spec", "jobTemplate", "spec", "template", "spec"])} if {
	some lo in located_objects
	o := lo.object
	o.kind == "CronJob"
	is_object(o.spec.jobTemplate.spec.template.spec)
}

# containers contains {"container", "pod", "name", "path"} for every container, init
# container and ephemeral container; name is "Kind/name" of the owning object, path the
# container's path from the root of the document (`["items", 0, "spec", "containers", 1]`).
containers contains {"container": c, "pod": p.spec, "name": name(p.object), "path": array.concat(p.path, [kind, i])} if {
	some p in pods
	some kind in ["containers", "initContainers", "ephemeralContainers"]
	list := p.spec[kind]
	is_array(list)
	some i, c in list
	is_object(c)
}

# name(o) is "Kind/name" for messages.
name(o) := sprintf("%s/%s", [o.kind, o.metadata.name]) if is_string(o.metadata.name)

name(o) := sprintf("%s/<unnamed>", [o.kind]) if not is_string(o.metadata.name)
