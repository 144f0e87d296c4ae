# METADATA
# title: Image configuration helpers
# description: |
#   Built images, as `docker inspect` prints them (`Config`, `RepoTags`, `RepoDigests`),
#   as an OCI image config (`config`, `rootfs`, `history`), or as dockpolicy reads an
#   image archive (`docker save` tarball or OCI layout: `Image` with the config, the
#   layers and the final file list). One shape for the rules: {user, env, labels}.
package lib.dockpolicy.image_config

# docker inspect: one image object.
config := {"user": object.get(c, "User", ""), "env": object.get(c, "Env", []), "labels": _labels(object.get(c, "Labels", {}))} if {
	is_object(input)
	not input.ImageArchive
	is_object(input.Config)
	input.RootFS
	c := input.Config
}

# OCI image config.
config := {"user": object.get(c, "User", ""), "env": object.get(c, "Env", []), "labels": _labels(object.get(c, "Labels", {}))} if {
	is_object(input)
	not input.ImageArchive
	input.rootfs
	is_object(input.config)
	c := input.config
}

# Image archives: dockpolicy puts the image config under ImageArchive.config.
config := {"user": object.get(c, "User", ""), "env": object.get(c, "Env", []), "labels": _labels(object.get(c, "Labels", {}))} if {
	is_object(input.ImageArchive.config)
	c := object.get(input.ImageArchive.config, "config", {})
	is_object(c)
}

is_image if config

archive := input.ImageArchive

is_archive if archive

_labels(l) := l if is_object(l)

_labels(l) := {} if not is_object(l)

# References the image is known by: RepoTags and RepoDigests of docker inspect, or the
# tags an archive's manifest records.
references contains ref if {
	is_object(input)
	# (docker inspect may print null for an empty list: a null is checked before it is
	# iterated, see lib.dockpolicy.kubernetes.)
	tags := input.RepoTags
	is_array(tags)
	some ref in tags
	is_string(ref)
	ref != "<none>:<none>"
}

references contains ref if {
	is_object(input)
	digests := input.RepoDigests
	is_array(digests)
	some ref in digests
	is_string(ref)
}

references contains ref if {
	is_object(input)
	some ref in input.ImageArchive.tags
	is_string(ref)
}

# env_pairs is the config's Env ("K=V" strings) as [{key, value}].
env_pairs := [{"key": substring(e, 0, n), "value": substring(e, n + 1, -1)} |
	env := config.env
	is_array(env)
	some e in env
	is_string(e)
	n := indexof(e, "=")
	n >= 0
]

# files is the final filesystem of an image archive, keyed by path.
files := {f.path: f | some f in archive.files}

# has_file(paths) is the first of paths present in the archive's final filesystem.
present(paths) := [p | some p in paths; files[p]]
