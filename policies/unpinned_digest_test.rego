package dockpolicy.unpinned_digest_test

import data.dockpolicy.unpinned_digest

_from(img) := [{"Cmd": "from", "Image": img, "ImageResolved": true, "BaseStage": null, "Stage": 0, "StartLine": 1}]

_digest := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

test_fires_on_a_tag_only if count(unpinned_digest.deny) == 1 with input as _from("python:3.12-slim")

test_ignores_tag_and_digest if count(unpinned_digest.deny) == 0 with input as _from(concat("", ["python:3.12-slim@sha256:", _digest]))

test_ignores_digest_only if count(unpinned_digest.deny) == 0 with input as _from(concat("", ["python@sha256:", _digest]))

test_fires_on_a_short_digest if count(unpinned_digest.deny) == 1 with input as _from("python@sha256:abc123")

test_exempts_scratch if count(unpinned_digest.deny) == 0 with input as _from("scratch")

test_exempts_an_earlier_stage if {
	count(unpinned_digest.deny) == 0 with input as [
		{"Cmd": "from", "Image": "build", "ImageResolved": true, "BaseStage": 0, "Stage": 1, "StartLine": 3},
		{"Cmd": "from", "Image": concat("", ["golang@sha256:", _digest]), "ImageResolved": true, "BaseStage": null, "Stage": 0, "StartLine": 1},
	]
}

test_config_exempt_images if {
	count(unpinned_digest.deny) == 0 with input as _from("python:3.12")
		with data.dockpolicy_config.exempt_images as {"DP002": ["python:*"]}
}

_with_pulled(img) := [
	{"Cmd": "from", "Image": concat("", ["golang:1.23@sha256:", _digest]), "ImageResolved": true, "BaseStage": null, "Stage": 0, "StartLine": 1},
	{"Cmd": "run", "Flags": [concat("", ["--mount=type=bind,from=", img, ",target=/x"])], "Value": ["make"], "Stage": 0, "StartLine": 2, "Images": [{"Image": img, "ImageResolved": true, "Flag": "--mount"}]},
]

test_images_pulled_outside_from_count if {
	some r in unpinned_digest.deny with input as _with_pulled("alpine:3")
	r.msg == `RUN --mount image "alpine:3" is not pinned by digest; add @sha256:<digest>`
	count(unpinned_digest.deny) == 0 with input as _with_pulled(concat("", ["alpine:3@sha256:", _digest]))
}
