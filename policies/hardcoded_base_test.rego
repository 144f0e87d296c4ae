package dockpolicy.hardcoded_base_test

import data.dockpolicy.hardcoded_base

_from(raw, img, stage, base) := {"Cmd": "from", "Image": img, "ImageResolved": true, "BaseStage": base, "Stage": stage, "StartLine": 1, "Value": [raw]}

test_warns_on_a_literal_base if count(hardcoded_base.warn) == 1 with input as [_from("python:3.12", "python:3.12", 0, null)]

test_passes_with_an_arg if {
	count(hardcoded_base.warn) == 0 with input as [_from("${BASE_IMAGE}", "python:3.12", 0, null)]
	count(hardcoded_base.warn) == 0 with input as [_from("$REGISTRY/python:3.12", "r.example/python:3.12", 0, null)]
}

test_exempts_scratch_and_stages if {
	count(hardcoded_base.warn) == 0 with input as [_from("scratch", "scratch", 0, null)]
	count(hardcoded_base.warn) == 0 with input as [_from("${B}", "x:1", 0, null), _from("build", "build", 1, 0)]
}

test_every_stage_counts if {
	count(hardcoded_base.warn) == 2 with input as [_from("golang:1.23", "golang:1.23", 0, null), _from("alpine:3.20", "alpine:3.20", 1, null)]
}
