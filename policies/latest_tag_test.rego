package dockpolicy.latest_tag_test

import data.dockpolicy.latest_tag

_from(img) := [{"Cmd": "from", "Image": img, "ImageResolved": true, "BaseStage": null, "Stage": 0, "StartLine": 1}]

test_fires_on_an_untagged_image if count(latest_tag.deny) == 1 with input as _from("nginx")

test_fires_on_the_latest_tag if count(latest_tag.deny) == 1 with input as _from("registry.example.com:5000/team/app:latest")

test_ignores_a_version_tag if count(latest_tag.deny) == 0 with input as _from("nginx:1.27")

test_ignores_a_digest_without_tag if count(latest_tag.deny) == 0 with input as _from(concat("", ["nginx@sha256:", _digest]))

test_ignores_latest_pinned_by_digest if count(latest_tag.deny) == 0 with input as _from(concat("", ["nginx:latest@sha256:", _digest]))

test_exempts_scratch if count(latest_tag.deny) == 0 with input as _from("scratch")

test_exempts_an_earlier_stage if {
	count(latest_tag.deny) == 0 with input as [
		{"Cmd": "from", "Image": "golang:1.23", "ImageResolved": true, "BaseStage": null, "Stage": 0, "StartLine": 1},
		{"Cmd": "from", "Image": "build", "ImageResolved": true, "BaseStage": 0, "Stage": 1, "StartLine": 3},
	]
}

test_a_registry_port_is_not_a_tag if count(latest_tag.deny) == 1 with input as _from("localhost:5000/app")

test_skips_an_unresolved_arg if {
	count(latest_tag.deny) == 0 with input as [{"Cmd": "from", "Image": "", "ImageResolved": false, "BaseStage": null, "Stage": 0, "StartLine": 2}]
}

test_config_exempt_images if {
	count(latest_tag.deny) == 0 with input as _from("registry.example.com/legacy/app")
		with data.dockpolicy_config.exempt_images as {"DP001": ["registry.example.com/legacy/**"]}
}

test_reports_the_from_line if {
	some result in latest_tag.deny with input as _from("nginx")
	result._loc.line == 1
}

_digest := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

# Compose images are judged as interpolated with no variable set.
_compose_msgs(image) := msgs if {
	denies := latest_tag.deny with input as {"services": {"web": {"image": image}}}
	msgs := {d.msg | some d in denies}
}

test_compose_images_use_the_interpolation_default if {
	_compose_msgs("app:${TAG:-latest}") == {`service "web" image "app:${TAG:-latest}", interpolated as "app:latest" uses the latest tag (an untagged image means latest); pin a version`}
	_compose_msgs("app:${TAG:-1.2}") == set()
	_compose_msgs("app") == {`service "web" image "app" uses the latest tag (an untagged image means latest); pin a version`}
}

test_compose_images_needing_a_variable_are_not_judged if {
	every image in ["app:${TAG}", "app:$TAG", "app:${TAG:?TAG is required}", "${IMAGE}"] {
		_compose_msgs(image) == set()
	}
}

test_k8s_image_findings_carry_their_path if {
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"initContainers": [{"name": "i", "image": "app"}], "containers": [{"name": "m", "image": "app"}]}}
	denies := latest_tag.deny with input as pod
	{d._loc.path | some d in denies} == {["spec", "initContainers", 0, "image"], ["spec", "containers", 0, "image"]}
}

# A COPY --from / RUN --mount from= naming an image, as dockpolicy's parser gives it
# (stage names and indexes never get `Images`: tested in Rust and the rule fixtures).
_pulled(cmd, flag, img, resolved) := {"Cmd": cmd, "Flags": [flag], "Value": ["/x", "/y"], "Stage": 1, "StartLine": 5, "Images": [{"Image": img, "ImageResolved": resolved, "Flag": flag}]}

_pinned_from := {"Cmd": "from", "Image": "golang:1.23", "ImageResolved": true, "BaseStage": null, "Stage": 0, "StartLine": 1}

test_copy_from_an_image_counts if {
	results := latest_tag.deny with input as [_pinned_from, _pulled("copy", "--from=ghcr.io/x/y:latest", "ghcr.io/x/y:latest", true)]
	count(results) == 1
	some r in results
	r._loc.line == 5
	contains(r.msg, `COPY --from image "ghcr.io/x/y:latest"`)
	count(latest_tag.deny) == 1 with input as [_pinned_from, _pulled("copy", "--from=composer", "composer", true)]
	count(latest_tag.deny) == 0 with input as [_pinned_from, _pulled("copy", "--from=composer:2", "composer:2", true)]
}

test_run_mount_from_an_image_counts if {
	some r in latest_tag.deny with input as [_pinned_from, _pulled("run", "--mount=type=bind,from=alpine,target=/x", "alpine", true)]
	contains(r.msg, `RUN --mount image "alpine"`)
	count(latest_tag.deny) == 0 with input as [_pinned_from, _pulled("run", "--mount=type=bind,from=alpine:3,target=/x", "alpine:3", true)]
}

test_pulled_images_unresolved_scratch_or_without_images_do_not_count if {
	count(latest_tag.deny) == 0 with input as [_pinned_from, _pulled("copy", "--from=${IMG}", "", false)]
	count(latest_tag.deny) == 0 with input as [_pinned_from, _pulled("copy", "--from=scratch", "scratch", true)]
	count(latest_tag.deny) == 0 with input as [_pinned_from, {"Cmd": "copy", "Flags": ["--from=build"], "Value": ["/x", "/y"], "Stage": 1, "StartLine": 5}]
}
