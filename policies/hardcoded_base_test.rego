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

test_a_tag_alone_from_an_arg_still_hard_codes_the_image if {
	results := hardcoded_base.warn with input as [_from("registry.example.com/node:${NODE_VERSION}", "registry.example.com/node:22", 0, null)]
	count(results) == 1
	some r in results
	contains(r.msg, "the image name in FROM registry.example.com/node:${NODE_VERSION} is still hard-coded, only its tag comes from an ARG")
	count(hardcoded_base.warn) == 1 with input as [_from("node:$V@sha256:00", "node:22@sha256:00", 0, null)]
	count(hardcoded_base.warn) == 1 with input as [_from("localhost:5000/node:22-${VARIANT}", "localhost:5000/node:22-slim", 0, null)]
	count(hardcoded_base.warn) == 1 with input as [_from("node:${V}", "node:", 0, null)]
}

test_a_digest_alone_from_an_arg_says_digest if {
	some r in hardcoded_base.warn with input as [_from("node@${DIGEST}", "node@sha256:00", 0, null)]
	contains(r.msg, "only its digest comes from an ARG")
}

test_a_variable_in_the_registry_or_repository_passes if {
	count(hardcoded_base.warn) == 0 with input as [_from("${REGISTRY}/node:${V}", "r.example/node:22", 0, null)]
	count(hardcoded_base.warn) == 0 with input as [_from("registry:${PORT}/node:22", "registry:5000/node:22", 0, null)]
	count(hardcoded_base.warn) == 0 with input as [_from("node${SUFFIX}:22", "node:22", 0, null)]
	count(hardcoded_base.warn) == 0 with input as [_from("team/${APP}:1", "team/app:1", 0, null)]
}

test_a_tag_alone_from_an_arg_can_be_exempted if {
	count(hardcoded_base.warn) == 0 with input as [_from("node:${V}", "node:22", 0, null)]
		with data.dockpolicy_config.exempt_images as {"DP010": ["node:*"]}
}
