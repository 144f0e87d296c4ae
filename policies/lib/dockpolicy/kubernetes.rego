# METADATA
# title: Kubernetes input helpers
# description: |
#   Finds the pod spec and containers of every workload kind (Pod, Deployment,
#   StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ReplicationController, PodTemplate)
#   in a manifest: the object itself, the items of a `List` kind, an AdmissionReview
#   document's `request.object`, or the object Gatekeeper passes (`input.review.object`).
package lib.dockpolicy.kubernetes

# The manifest objects being judged.
objects contains input.review.object if is_object(input.review.object)

# An AdmissionReview saved to a file (what the API server sends Gatekeeper).
objects contains input.request.object if {
	input.kind == "AdmissionReview"
	is_object(input.request.object)
}

objects contains input if _top_level_object

objects contains item if {
	_top_level_object
	endswith(input.kind, "List")
	# (Each collection a manifest may leave empty, `items:` parsing as null, is checked
	# before it is iterated: regorus's interpreter stops with an error on `some x in null`,
	# where OPA, Gatekeeper and the VM find nothing.)
	items := input.items
	is_array(items)
	some item in items
	is_object(item)
}

_top_level_object if {
	is_object(input)
	not input.review
	is_string(input.kind)
	input.apiVersion
}

_template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}

# pods contains {"object", "spec", "path"}: each object's pod spec and the path to it.
pods contains {"object": o, "spec": o.spec, "path": ["spec"]} if {
	some o in objects
	o.kind == "Pod"
	is_object(o.spec)
}

pods contains {"object": o, "spec": o.spec.template.spec, "path": ["spec", "template", "spec"]} if {
	some o in objects
	o.kind in _template_kinds
	is_object(o.spec.template.spec)
}

pods contains {"object": o, "spec": o.template.spec, "path": ["template", "spec"]} if {
	some o in objects
	o.kind == "PodTemplate"
	is_object(o.template.spec)
}

pods contains {"object": o, "spec": o.spec.jobTemplate.spec.template.spec, "path": ["spec", "jobTemplate", "spec", "template", "spec"]} if {
	some o in objects
	o.kind == "CronJob"
	is_object(o.spec.jobTemplate.spec.template.spec)
}

# containers contains {"container", "pod", "name", "path"} for every container, init
# container and ephemeral container; name is "Kind/name" of the owning object.
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
