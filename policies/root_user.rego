# METADATA
# title: Image runs as root
# description: |
#   ## What it does
#   Flags a final stage that sets no `USER`, or whose last `USER` is root (`root`, `0`,
#   `root:<group>`, `0:<group>`). Builder stages do not count; `USER` set in an earlier
#   stage that the final stage builds `FROM` does (Docker inherits it). Base images that
#   are published to run as non-root by convention (a tag containing `nonroot`, as
#   distroless uses) are trusted.
#
#   ## Why
#   A process running as root in a container is root on the host's kernel: a container
#   escape or a writable host mount becomes full compromise.
#
#   ## Example
#   ```dockerfile
#   FROM node:22-alpine
#   COPY . /app
#   CMD ["node", "/app/server.js"]
#   ```
#
#   ## Use instead
#   ```dockerfile
#   FROM node:22-alpine
#   COPY --chown=node:node . /app
#   USER node
#   CMD ["node", "/app/server.js"]
#   ```
# custom:
#   id: DP005
#   slug: root-user
#   severity: deny
#   remediation: Add `USER <non-root user or uid>` to the final stage (create the user if the base image has none).
package dockpolicy.root_user

import data.lib.dockpolicy.config
import data.lib.dockpolicy.dockerfile
import data.lib.dockpolicy.image
import data.lib.dockpolicy.image_config
import data.lib.dockpolicy.kubernetes

_users := [i | some i in dockerfile.final_instructions; i.Cmd == "user"]

deny contains {"msg": msg, "_loc": {"line": dockerfile.final_from.StartLine}} if {
	dockerfile.is_dockerfile
	count(_users) == 0
	not _non_root_base
	msg := "the final stage sets no USER, so the container runs as root; add USER with a non-root user"
}

deny contains {"msg": msg, "_loc": {"line": last.StartLine}} if {
	count(_users) > 0
	last := _users[count(_users) - 1]
	_is_root(trim_space(last.Value[0]))
	msg := sprintf("the final stage's last USER is %q, which is root; switch to a non-root user", [last.Value[0]])
}

_is_root(user) if split(user, ":")[0] in {"root", "0"}

_non_root_base if contains(image.parse(dockerfile.final_base.Image).tag, "nonroot")

_non_root_base if config.exempt("DP005", dockerfile.final_base.Image)

# Kubernetes: a container runs as root unless runAsNonRoot is true, and runAsUser: 0
# runs as root whatever runAsNonRoot says. Container settings override the pod's.
deny contains {"msg": msg, "_loc": {"key": "image", "value": c.container.image}} if {
	some c in kubernetes.containers
	reason := _k8s_root_reason(c)
	not config.exempt("DP005", object.get(c.container, "image", ""))
	msg := sprintf("%s container %q %s", [c.name, object.get(c.container, "name", ""), reason])
}

# A container's effective security setting: its own, else the pod's.
_k8s_setting(c, field) := c.container.securityContext[field]

_k8s_setting(c, field) := c.pod.securityContext[field] if not _has(c.container.securityContext, field)

_has(obj, field) if obj[field] != null

_k8s_root_reason(c) := "runs as root (runAsUser: 0)" if _k8s_setting(c, "runAsUser") == 0

_k8s_root_reason(c) := "may run as root: set securityContext.runAsNonRoot: true (pod or container)" if {
	not _k8s_setting(c, "runAsUser") == 0
	not _k8s_setting(c, "runAsNonRoot") == true
}

# Built images: the config's User.
deny contains {"msg": msg, "_loc": {}} if {
	user := trim_space(image_config.config.user)
	_root_or_empty(user)
	msg := sprintf("the image runs as root (config User is %q); build it with a non-root USER", [user])
}

_root_or_empty(user) if user == ""

_root_or_empty(user) if _is_root(user)
