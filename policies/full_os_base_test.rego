package dockpolicy.full_os_base_test

import data.dockpolicy.full_os_base

_from(img, stage, base) := {"Cmd": "from", "Image": img, "ImageResolved": true, "BaseStage": base, "Stage": stage, "StartLine": stage + 1, "Value": [img]}

_warns(img) if count(full_os_base.warn) == 1 with input as [_from(img, 0, null)]

test_full_distributions_warn if {
	every img in ["ubuntu:24.04", "debian:12", "centos:7", "fedora:40", "rockylinux:9", "amazonlinux:2023", "opensuse/leap:15.6", "registry.access.redhat.com/ubi9/ubi:9.4", "registry.example.com/mirror/ubuntu:22.04"] {
		_warns(img)
	}
}

test_minimal_bases_pass if {
	every img in ["debian:12-slim", "debian:bookworm-slim", "alpine:3.20", "busybox:1.36", "gcr.io/distroless/static-debian12", "registry.access.redhat.com/ubi9/ubi-minimal:9.4", "node:22-alpine", "python:3.12-slim"] {
		not _warns(img)
	}
}

# A minimal variant is a whole `-`, `_` or `.`-separated part of the tag, anywhere in it.
test_minimal_variants_are_whole_parts_of_the_tag if {
	every img in ["debian:slim", "debian:12-slim-amd64", "ubuntu:22.04_minimal", "fedora:40.micro", "debian:distroless"] {
		not _warns(img)
	}
	every img in ["debian:slimmer", "ubuntu:noslim", "fedora:micro2", "debian:12-minimalist", "ubuntu:22.04"] {
		_warns(img)
	}
}

test_only_the_final_stage_counts if {
	count(full_os_base.warn) == 0 with input as [_from("ubuntu:24.04", 0, null), _from("alpine:3.20", 1, null)]
	count(full_os_base.warn) == 1 with input as [_from("alpine:3.20", 0, null), _from("debian:12", 1, null)]
}

test_the_base_is_found_through_the_stage_chain if {
	count(full_os_base.warn) == 1 with input as [_from("ubuntu:24.04", 0, null), _from("base", 1, 0)]
}

test_scratch_passes if {
	count(full_os_base.warn) == 0 with input as [{"Cmd": "from", "Image": "scratch", "ImageResolved": true, "BaseStage": null, "Stage": 0, "StartLine": 1}]
}

test_configured_minimal_images_pass if {
	count(full_os_base.warn) == 0 with input as [_from("registry.example.com/hardened/ubuntu:24.04", 0, null)]
		with data.dockpolicy_config.minimal_base_images as ["registry.example.com/hardened/**"]
}

test_minimal_patterns_match_names_without_tags if {
	every img in ["registry.example.com/ubuntu:22.04", "ubuntu:22.04"] {
		count(full_os_base.warn) == 0 with input as [_from(img, 0, null)]
			with data.dockpolicy_config.minimal_base_images as ["registry.example.com/ubuntu", "docker.io/library/ubuntu"]
	}
}
