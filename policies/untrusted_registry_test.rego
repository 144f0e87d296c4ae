package dockpolicy.untrusted_registry_test

import data.dockpolicy.untrusted_registry

_from(img) := [{"Cmd": "from", "Image": img, "ImageResolved": true, "BaseStage": null, "Stage": 0, "StartLine": 1}]

_denied(img, allowed) if {
	count(untrusted_registry.deny) == 1 with input as _from(img)
		with data.dockpolicy_config.allowed_registries as allowed
}

test_silent_without_configuration if count(untrusted_registry.deny) == 0 with input as _from("quay.io/x/y:1")

test_allows_a_listed_host if not _denied("registry.example.com/team/app:1", ["registry.example.com"])

test_host_match_is_case_insensitive if not _denied("Registry.Example.com/app:1", ["registry.example.com"])

test_fires_on_another_host if _denied("quay.io/team/app:1", ["registry.example.com"])

test_a_lookalike_suffix_host_does_not_pass if _denied("registry.example.com.evil.io/app:1", ["registry.example.com"])

test_a_lookalike_prefix_host_does_not_pass if _denied("registry.example.company/app:1", ["registry.example.com"])

test_path_prefix_matches_whole_components if {
	not _denied("registry.example.com/team/app:1", ["registry.example.com/team"])
	_denied("registry.example.com/teamevil/app:1", ["registry.example.com/team"])
	_denied("registry.example.com/other/app:1", ["registry.example.com/team/"])
}

test_port_is_part_of_the_host if {
	not _denied("localhost:5000/app:1", ["localhost:5000"])
	_denied("localhost:5001/app:1", ["localhost:5000"])
}

test_docker_hub_images_are_docker_io if {
	_denied("nginx:1.27", ["registry.example.com"])
	not _denied("nginx:1.27", ["docker.io"])
	not _denied("bitnami/redis:7", ["docker.io/bitnami"])
	not _denied("nginx:1.27", ["docker.io/library"])
	not _denied("index.docker.io/library/nginx:1.27", ["docker.io"])
}

test_exempts_scratch_and_stages if {
	count(untrusted_registry.deny) == 0 with input as _from("scratch")
		with data.dockpolicy_config.allowed_registries as ["registry.example.com"]
}

test_config_exempt_images if {
	count(untrusted_registry.deny) == 0 with input as _from("quay.io/team/app:1")
		with data.dockpolicy_config.allowed_registries as ["registry.example.com"]
		with data.dockpolicy_config.exempt_images as {"DP003": ["quay.io/team/*"]}
}

test_images_pulled_outside_from_count if {
	doc := [
		{"Cmd": "from", "Image": "registry.example.com/base:1", "ImageResolved": true, "BaseStage": null, "Stage": 0, "StartLine": 1},
		{"Cmd": "copy", "Flags": ["--from=ghcr.io/x/y:1"], "Value": ["/x", "/y"], "Stage": 0, "StartLine": 2, "Images": [{"Image": "ghcr.io/x/y:1", "ImageResolved": true, "Flag": "--from=ghcr.io/x/y:1"}]},
	]
	some r in untrusted_registry.deny with input as doc
		with data.dockpolicy_config.allowed_registries as ["registry.example.com"]
	startswith(r.msg, `COPY --from image "ghcr.io/x/y:1" comes from registry "ghcr.io"`)
	count(untrusted_registry.deny) == 0 with input as doc
		with data.dockpolicy_config.allowed_registries as ["registry.example.com", "ghcr.io"]
}
