# METADATA
# title: Image reference helpers
# description: |
#   Parses container image references (`[registry/]repository[:tag][@digest]`) the way
#   Docker does. Lives under `lib.` so Gatekeeper templates can inline it as a lib.
package lib.dockpolicy.image

# parse(ref) splits a reference into registry, repository, tag and digest.
# The registry is the first path component when it looks like a host (has a dot or a
# port, or is localhost); otherwise the image is on Docker Hub and registry is "".
parse(ref) := {
	"registry": registry,
	"repository": repository,
	"tag": tag,
	"digest": digest,
} if {
	name_and_digest := split(ref, "@")
	digest := _at(name_and_digest, 1)
	parts := split(name_and_digest[0], "/")
	registry := _registry(parts)
	last := parts[count(parts) - 1]
	name_tag := split(last, ":")
	tag := _at(name_tag, 1)
	path := array.concat(array.slice(parts, count(_registry_parts(parts)), count(parts) - 1), [name_tag[0]])
	repository := concat("/", path)
}

_at(arr, i) := arr[i] if count(arr) > i

_at(arr, i) := "" if count(arr) <= i

_registry(parts) := parts[0] if {
	count(parts) > 1
	_is_host(parts[0])
}

_registry(parts) := "" if {
	not _host_first(parts)
}

_host_first(parts) if {
	count(parts) > 1
	_is_host(parts[0])
}

_registry_parts(parts) := [parts[0]] if _host_first(parts)

_registry_parts(parts) := [] if not _host_first(parts)

_is_host(component) if contains(component, ".")

_is_host(component) if contains(component, ":")

_is_host(component) if component == "localhost"

# is_scratch(ref) holds for the empty base image.
is_scratch(ref) if lower(ref) == "scratch"

# has_digest(ref) holds when the reference pins a sha256 content digest.
has_digest(ref) if regex.match(`@sha256:[a-f0-9]{64}$`, ref)
