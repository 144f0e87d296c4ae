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
	every img in ["debian:slimmer", "ubuntu:noslim", "fedora:micro2", "debian:12-minimalist", "ubuntu:22.04", "ubuntu:alpineish"] {
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

# The variant decides, not the distribution: full language and server images are full
# operating systems unless their tag or name says they are a minimal variant.
test_the_variant_decides if {
	every img in ["node:22-bookworm", "python:3.12", "golang:1.23", "nginx:1.27", "ubuntu:24.04", "registry.example.com/base/app:1.0", "mcr.microsoft.com/dotnet/aspnet:8.0", "eclipse-temurin:21-jre", "jupyter/minimal-notebook:latest", "node:22-alpinefoo"] {
		_warns(img)
	}
	every img in [
		"node:22-alpine3.20", "python:3.12-slim-bookworm", "eclipse-temurin:21-jre-alpine",
		"mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled",
		"mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled-extra",
		"registry.access.redhat.com/ubi9/ubi-minimal:9.4", "registry.access.redhat.com/ubi9-micro:9.4",
		"registry.access.redhat.com/ubi8/ubi-micro", "debian:bookworm-slim", "nginx:1.27-alpine",
		"busybox:1.36", "alpine", "cgr.dev/chainguard/node:latest", "chainguard/wolfi-base",
		"cgr.dev/chainguard/wolfi-base", "gcr.io/distroless/java21-debian12:nonroot",
		"registry.example.com/mirror/distroless/base:latest", "myorg/app:1.0-distroless",
		"azul/zulu-openjdk-alpine:21-jre", "mcr.microsoft.com/windows/nanoserver:ltsc2022",
		"mcr.microsoft.com/dotnet/runtime:8.0-nanoserver-ltsc2022", "mhart/alpine-node:16", "easypi/alpine-arm", "alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	] {
		not _warns(img)
	}
}

test_the_message_says_the_image_is_not_a_minimal_variant if {
	some result in full_os_base.warn with input as [_from("node:22-bookworm", 0, null)]
	startswith(result.msg, "node:22-bookworm is not a minimal variant (")
}

test_configured_minimal_images_pass_whatever_their_variant if {
	count(full_os_base.warn) == 1 with input as [_from("registry.example.com/base/app:1.0", 0, null)]
	count(full_os_base.warn) == 0 with input as [_from("registry.example.com/base/app:1.0", 0, null)]
		with data.dockpolicy_config.minimal_base_images as ["registry.example.com/base/*"]
}

test_a_minimal_base_through_the_stage_chain_passes if {
	count(full_os_base.warn) == 0 with input as [_from("node:22-alpine", 0, null), _from("base", 1, 0)]
	count(full_os_base.warn) == 1 with input as [_from("node:22-alpine", 0, null), _from("python:3.12", 1, null), _from("app", 2, 1)]
}

test_scratch_through_the_stage_chain_passes if {
	count(full_os_base.warn) == 0 with input as [_from("scratch", 0, null), _from("base", 1, 0)]
}
