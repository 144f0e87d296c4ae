package dockpolicy.docker_hub_test

import data.dockpolicy.docker_hub

_from(img) := [{"Cmd": "from", "Image": img, "ImageResolved": true, "BaseStage": null, "Stage": 0, "StartLine": 1}]

_fires(img) if {
	count(docker_hub.deny) == 1 with input as _from(img)
}

test_fires_without_a_registry if {
	_fires("nginx:1.27")
	_fires("library/nginx:1.27")
	_fires("bitnami/redis:7")
}

test_fires_on_every_docker_hub_host if {
	_fires("docker.io/library/nginx:1.27")
	_fires("index.docker.io/nginx:1.27")
	_fires("registry-1.docker.io/bitnami/redis:7")
	_fires("registry.hub.docker.com/library/nginx:1.27")
	_fires("DOCKER.IO/library/nginx:1.27")
}

test_ignores_other_registries if {
	not _fires("registry.example.com/nginx:1.27")
	not _fires("localhost/nginx:1.27")
	not _fires("localhost:5000/nginx:1.27")
	not _fires("docker.io.example.com/nginx:1.27")
}

test_exempts_scratch if not _fires("scratch")

test_config_exempt_images if {
	count(docker_hub.deny) == 0 with input as _from("nginx:1.27")
		with data.dockpolicy_config.exempt_images as {"DP004": ["nginx:*"]}
}

_with_pulled(cmd, flag, img) := [
	{"Cmd": "from", "Image": "registry.example.com/base:1", "ImageResolved": true, "BaseStage": null, "Stage": 0, "StartLine": 1},
	{"Cmd": cmd, "Flags": [flag], "Value": ["/x", "/y"], "Stage": 0, "StartLine": 3, "Images": [{"Image": img, "ImageResolved": true, "Flag": flag}]},
]

test_images_pulled_outside_from_count if {
	some r in docker_hub.deny with input as _with_pulled("copy", "--from=composer:2", "composer:2")
	r.msg == `COPY --from image "composer:2" comes from Docker Hub; pull it through your own registry`
	r._loc.line == 3
	count(docker_hub.deny) == 1 with input as _with_pulled("run", "--mount=type=cache,from=alpine:3,target=/c", "alpine:3")
	count(docker_hub.deny) == 0 with input as _with_pulled("copy", "--from=ghcr.io/x/y:1", "ghcr.io/x/y:1")
}
