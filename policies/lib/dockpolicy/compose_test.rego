package lib.dockpolicy.compose_test

import data.lib.dockpolicy.compose
import data.lib.dockpolicy.kubernetes

test_interpolation_uses_defaults_as_with_no_variable_set if {
	compose.interpolated("app:1.2") == "app:1.2"
	compose.interpolated("app:${TAG:-latest}") == "app:latest"
	compose.interpolated("app:${TAG-1.2}") == "app:1.2"
	compose.interpolated("${REGISTRY:-ghcr.io}/app:${TAG:-1}") == "ghcr.io/app:1"
	compose.interpolated("app:1${SUFFIX:+-debug}") == "app:1"
	compose.interpolated("app:1${SUFFIX+-debug}") == "app:1"
	compose.interpolated("app:${TAG:-}") == "app:"
	compose.interpolated("pa$$word") == "pa$word"
	compose.interpolated("$${TAG}") == "${TAG}"
}

test_interpolation_needing_a_variable_is_undefined if {
	every s in ["app:${TAG}", "app:$TAG", "app:${TAG:?set TAG}", "app:${TAG?set TAG}", "app:${TAG:-${DEFAULT_TAG}}", "app:$", "app:${1}", "app:${TAG:-x}-$BUILD"] {
		not compose.interpolated(s)
	}
}

test_environment_entries_know_their_place if {
	compose.environment({"environment": ["A=1", "B"]}) == [{"key": "A", "value": "1", "step": 0}, {"key": "B", "value": null, "step": 1}]
	compose.environment({"environment": {"A": 1}}) == [{"key": "A", "value": 1, "step": "A"}]
}

test_kubernetes_containers_have_paths_from_the_document_root if {
	pod := {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"initContainers": [{"image": "a"}], "containers": [{"image": "a"}]}}
	_paths(object.union(pod, {"apiVersion": "v1"})) == {["spec", "initContainers", 0], ["spec", "containers", 0]}
	list := {"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ConfigMap"}, pod]}
	_paths(list) == {["items", 1, "spec", "containers", 0], ["items", 1, "spec", "initContainers", 0]}
	review := {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"object": pod}}
	_paths(review) == {["request", "object", "spec", "containers", 0], ["request", "object", "spec", "initContainers", 0]}
	_paths({"review": {"object": pod}}) == {["review", "object", "spec", "containers", 0], ["review", "object", "spec", "initContainers", 0]}
}

_paths(doc) := paths if {
	containers := kubernetes.containers with input as doc
	paths := {c.path | some c in containers}
}
