package dockpolicy.latest_tag_test

import data.dockpolicy.latest_tag

_from(image) := [{"Cmd": "from", "Image": image, "ImageResolved": true, "BaseStage": null, "StartLine": 1}]

test_untagged_image_fails if {
	count(latest_tag.deny) == 1 with input as _from("nginx")
}

test_latest_tag_fails if {
	count(latest_tag.deny) == 1 with input as _from("registry.example.com:5000/team/app:latest")
}

test_version_tag_passes if {
	count(latest_tag.deny) == 0 with input as _from("nginx:1.27")
}

test_digest_without_tag_passes if {
	count(latest_tag.deny) == 0 with input as _from("nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000")
}

test_scratch_is_exempt if {
	count(latest_tag.deny) == 0 with input as _from("scratch")
}

test_earlier_stage_is_exempt if {
	count(latest_tag.deny) == 0 with input as [
		{"Cmd": "from", "Image": "golang:1.23", "ImageResolved": true, "BaseStage": null, "StartLine": 1},
		{"Cmd": "from", "Image": "build", "ImageResolved": true, "BaseStage": 0, "StartLine": 3},
	]
}

test_registry_port_is_not_a_tag if {
	count(latest_tag.deny) == 1 with input as _from("localhost:5000/app")
}
