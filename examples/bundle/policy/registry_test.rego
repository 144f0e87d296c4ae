package org.registry_test

import data.org.registry

_from(image) := [{"Cmd": "from", "Image": image, "BaseStage": null, "StartLine": 1}]

test_approved_registry_passes if {
	count(registry.deny) == 0 with input as _from("registry.example.com/base/python:3.12")
}

test_docker_hub_is_denied if {
	count(registry.deny) == 1 with input as _from("python:3.12")
}

test_scratch_needs_no_registry if {
	count(registry.deny) == 0 with input as _from("scratch")
}

test_earlier_stage_is_not_checked if {
	count(registry.deny) == 0 with input as [{"Cmd": "from", "Image": "build", "BaseStage": 0, "StartLine": 4}]
}

test_registry_list_can_be_overridden if {
	count(registry.deny) == 0 with input as _from("quay.io/team/app:1")
		with data.org.allowed_registries as ["quay.io/"]
}
