# METADATA
# title: Image reference helpers
# description: |
#   Parses container image references (`[registry/]repository[:tag][@digest]`) the way
#   Docker does, and matches registries by host and path, never by raw string prefix.
#   Lives under `lib.` so Gatekeeper templates can inline it as a lib.
package lib.dockpolicy.image

# Registry host names that all mean Docker Hub.
docker_hub_hosts := {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}

# parse(ref) splits a reference into registry (host, "" when none is written), the
# normalised registry (Docker Hub spelled docker.io), repository, tag and digest.
parse(ref) := {
	"registry": registry,
	"host": host,
	"repository": repository,
	"tag": tag,
	"digest": digest,
} if {
	name_and_digest := split(ref, "@")
	digest := _at(name_and_digest, 1)
	parts := split(name_and_digest[0], "/")
	has_host := _has_host(parts)
	registry := _first_if(has_host, parts)
	host := _normal_host(lower(registry))
	path_parts := array.slice(parts, _count_if(has_host), count(parts))
	last := path_parts[count(path_parts) - 1]
	name_tag := split(last, ":")
	tag := _at(name_tag, 1)
	path := array.concat(array.slice(path_parts, 0, count(path_parts) - 1), [name_tag[0]])
	repository := _hub_repository(host, concat("/", path))
}

_at(arr, i) := arr[i] if count(arr) > i

_at(arr, i) := "" if count(arr) <= i

_has_host(parts) if _host_first(parts)

_has_host(parts) := false if not _host_first(parts)

_host_first(parts) if {
	count(parts) > 1
	_is_host(parts[0])
}

_first_if(true, parts) := parts[0]

_first_if(false, _) := ""

_count_if(true) := 1

_count_if(false) := 0

_is_host(component) if contains(component, ".")

_is_host(component) if contains(component, ":")

_is_host(component) if component == "localhost"

_normal_host(h) := "docker.io" if h == ""

_normal_host(h) := "docker.io" if h in docker_hub_hosts

_normal_host(h) := h if {
	h != ""
	not h in docker_hub_hosts
}

# Official Docker Hub images live under library/.
_hub_repository("docker.io", path) := concat("/", ["library", path]) if not contains(path, "/")

_hub_repository(host, path) := path if {
	host == "docker.io"
	contains(path, "/")
}

_hub_repository(host, path) := path if host != "docker.io"

# is_scratch(ref) holds for the empty base image.
is_scratch(ref) if lower(ref) == "scratch"

# has_digest(ref) holds when the reference pins a sha256 content digest.
has_digest(ref) if {
	contains(ref, "@sha256:")
	regex.match(`@sha256:[a-f0-9]{64}$`, ref)
}

# is_docker_hub(ref) holds for images pulled from Docker Hub, written with or without a host.
is_docker_hub(ref) if parse(ref).host == "docker.io"

# registry_allowed(ref, allowed) holds when ref's registry matches an entry of allowed.
# An entry is a host ("registry.example.com", "localhost:5000") optionally followed by a
# path prefix ("registry.example.com/team"). Hosts compare exactly (case-insensitive),
# so "registry.example.com.evil.io" never matches "registry.example.com"; a path prefix
# matches whole path components only.
registry_allowed(ref, allowed) if {
	r := parse(ref)
	some entry in allowed
	_entry_matches(r, entry)
}

_entry_matches(r, entry) if {
	parts := split(trim_right(entry, "/"), "/")
	_normal_host(lower(parts[0])) == r.host
	prefix := concat("/", array.slice(parts, 1, count(parts)))
	_path_matches(r.repository, prefix)
}

_path_matches(_, prefix) if prefix == ""

_path_matches(repository, prefix) if repository == prefix

_path_matches(repository, prefix) if startswith(repository, concat("", [prefix, "/"]))

# matches_any(ref, patterns) holds when ref matches a glob pattern (`*` stays within a
# path component, `**` crosses them), e.g. "gcr.io/distroless/**". The pattern may name
# the image with or without its tag, and Docker Hub images by their short or full name
# ("ubuntu", "docker.io/library/ubuntu:*").
matches_any(ref, patterns) if {
	some pattern in patterns
	some candidate in spellings(ref)
	glob.match(pattern, ["/"], candidate)
}

# spellings(ref): the reference as written, without tag and digest, and in full
# (registry/repository[:tag]).
spellings(ref) := {ref, name, full, full_name, concat("", [full_name, _tag_suffix(p.tag)])} if {
	p := parse(ref)
	name := split(split(ref, "@")[0], ":")[0]
	full_name := concat("/", [p.host, p.repository])
	full := concat("", [full_name, _tag_suffix(p.tag)])
}

_tag_suffix(tag) := "" if tag == ""

_tag_suffix(tag) := concat("", [":", tag]) if tag != ""
