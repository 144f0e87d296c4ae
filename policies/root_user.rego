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
