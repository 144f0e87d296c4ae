# METADATA
# title: Image runs as root
# description: |
#   ## What it does
#   Flags a final stage that sets no `USER`, or whose last `USER` is root (`root`, `0`,
#   `root:<group>`, `0:<group>`, quoted) or empty. Builder stages do not count; `USER` set
#   in an earlier stage that the final stage builds `FROM` does (Docker inherits it). A
#   base image you know runs as non-root (e.g. distroless `:nonroot`) can be listed under
#   `exempt_images: {DP005: [...]}`.
#
#   Variables in `USER` are expanded as Docker does, in the stage's scope: a global `ARG`
#   (before the first `FROM`) is visible in a stage only if the stage re-declares it
#   (`ARG NAME`); a stage's own `ARG NAME=default` beats the global default; ARGs of the
#   stage it builds `FROM` are not inherited, its `ENV` is; `ENV` beats `ARG`. So
#   `USER ${APP_UID}` with `APP_UID` not declared in the stage is empty, and runs as root;
#   `${APP_USER:-root}` is root. A variable whose value the Dockerfile does not give (an
#   `ARG` without default, or a name it never declares) is not judged.
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
#   gatekeeper: true
package dockpolicy.root_user

import data.lib.dockpolicy.config
import data.lib.dockpolicy.dockerfile
import data.lib.dockpolicy.dockerfile.final_base
import data.lib.dockpolicy.dockerfile.final_from
import data.lib.dockpolicy.dockerfile.final_instructions
import data.lib.dockpolicy.dockerfile.froms
import data.lib.dockpolicy.dockerfile.is_dockerfile
import data.lib.dockpolicy.image_config.config as image_settings
import data.lib.dockpolicy.kubernetes.containers as k8s_containers

_users := [i | some i in final_instructions; i.Cmd == "user"]

deny contains {"msg": msg, "_loc": {"line": final_from.StartLine}} if {
	is_dockerfile
	count(_users) == 0
	not _exempt_base
	msg := "the final stage sets no USER, so the container runs as root; add USER with a non-root user"
}

deny contains {"msg": msg, "_loc": {"line": last.StartLine}} if {
	count(_users) > 0
	last := _users[count(_users) - 1]
	user := _judged_user(last)
	_is_root_or_empty(user)
	msg := _root_message(last.Value[0], user)
}

# The value a USER is judged by: expanded in its stage's scope when the parser did that
# (undefined when a variable has no known value), else resolved here as written.
# (`is_string`: regorus's VM lets `user := <undefined>` succeed.)
_judged_user(i) := user if {
	is_object(object.get(i, "User", null))
	user := dockerfile.user_value(i)
	is_string(user)
}

_judged_user(i) := _resolve(dockerfile.user_value(i)) if {
	not is_object(object.get(i, "User", null))
}

_root_message(written, user) := msg if {
	not contains(written, "$")
	user != ""
	msg := sprintf("the final stage's last USER is %q, which is root; switch to a non-root user", [written])
} else := msg if {
	not contains(written, "$")
	msg := sprintf("the final stage's last USER %s is empty, so the container runs as root; switch to a non-root user", [written])
} else := msg if {
	user == ""
	msg := sprintf("the final stage's last USER %s is empty in this stage (%s), so the container runs as root; declare the variable in the stage (ARG NAME) or switch to a non-root user", [written, _empty_because(written)])
} else := sprintf("the final stage's last USER %s expands to %q, which is root; switch to a non-root user", [written, user])

# Why a USER made of variables is empty: the variables the stage does not declare.
_empty_because(written) := sprintf("%s %s not declared in it", [concat(", ", undeclared), _is_are(undeclared)]) if {
	names := {m[1] | some m in regex.find_all_string_submatch_n(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`, written, -1)}
	declared := {p.key |
		some i in final_instructions
		i.Cmd in {"arg", "env"}
		i.StartLine > froms[0].StartLine
		some p in _pairs_of(i)
	}
	undeclared := sort(names - declared)
	count(undeclared) > 0
} else := "its variables are empty"

_is_are(names) := "is" if count(names) == 1

_is_are(names) := "are" if count(names) > 1

_pairs_of(i) := dockerfile.arg_pairs(i) if i.Cmd == "arg"

_pairs_of(i) := dockerfile.pairs(i) if i.Cmd == "env"

_is_root_or_empty(user) if user == ""

_is_root_or_empty(user) if _is_root(user)

# root, 0 (or 00...), with or without a group.
_is_root(user) if {
	name := split(user, ":")[0]
	name == "root"
}

_is_root(user) if {
	startswith(user, "0")
	regex.match(`^0+(:.*)?$`, user)
}

_exempt_base if config.exempt("DP005", final_base.Image)

# USER ${UID} / $UID: the value an ARG default or ENV of the final image (or a global
# ARG) gives the variable; other text is kept as written.
_resolve(user) := _vars[name] if {
	_is_variable(user)
	m := regex.find_all_string_submatch_n(`^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?(:.*)?$`, user, 1)
	count(m) == 1
	name := m[0][1]
	_vars[name]
}

_resolve(user) := user if not _is_variable(user)

_resolve(user) := user if {
	_is_variable(user)
	m := regex.find_all_string_submatch_n(`^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`, user, 1)
	not _vars[m[0][1]]
}

_is_variable(user) if startswith(user, "$")

# Variable values for USER: the last ENV of a name wins, and ENV beats ARG (as in Docker).
_env_defs := [{"key": pair.key, "value": pair.value} |
	some i in _var_sources
	i.Cmd == "env"
	some pair in dockerfile.pairs(i)
]

_arg_defs := [{"key": pair.key, "value": pair.value} |
	some i in _var_sources
	i.Cmd == "arg"
	some pair in dockerfile.arg_pairs(i)
	is_string(pair.value)
]

_vars[k] := values[count(values) - 1] if {
	some d in _env_defs
	k := d.key
	values := [e.value | some e in _env_defs; e.key == k]
}

_vars[k] := values[count(values) - 1] if {
	some d in _arg_defs
	k := d.key
	not _env_named(k)
	values := [e.value | some e in _arg_defs; e.key == k]
}

_env_named(name) if {
	some d in _env_defs
	d.key == name
}

# The final image's ARG/ENV instructions and the global ARGs before the first FROM.
_var_sources := array.concat(final_instructions, [i |
	some i in input
	i.Cmd == "arg"
	i.StartLine < froms[0].StartLine
])

# Kubernetes: a container runs as root unless runAsNonRoot is true, and runAsUser: 0
# runs as root whatever runAsNonRoot says. Container settings override the pod's.
deny contains {"msg": msg, "_loc": {"key": "image", "value": c.container.image, "path": array.concat(c.path, ["image"])}} if {
	# Manifests, Compose files and images are objects, Dockerfiles arrays: this builtin
	# check ends the body for a Dockerfile before any helper rule is called.
	is_object(input)
	some c in k8s_containers
	# (The finding's location names the image. Without one the rule reports nothing in
	# OPA and the interpreter, and regorus's VM must not report a location it cannot
	# name: found by the engines fuzz target.)
	is_string(c.container.image)
	reason := _k8s_root_reason(c)
	not config.exempt("DP005", object.get(c.container, "image", ""))
	msg := sprintf("%s container %q %s", [c.name, object.get(c.container, "name", ""), reason])
}

# A container's effective security setting: its own, else the pod's, else null. Written
# with object.get so it is always defined: OPA and regorus disagree on `not f(x)` when x
# is undefined, and this rule must mean the same in the CLI and in Gatekeeper.
_setting(c, field) := object.get(_security_context(c.container), field, object.get(_security_context(c.pod), field, null))

_security_context(obj) := sc if {
	sc := object.get(obj, "securityContext", {})
	is_object(sc)
}

_security_context(obj) := {} if {
	sc := object.get(obj, "securityContext", {})
	not is_object(sc)
}

_k8s_root_reason(c) := "runs as root (runAsUser: 0)" if _setting(c, "runAsUser") == 0

_k8s_root_reason(c) := "may run as root: set securityContext.runAsNonRoot: true (pod or container)" if {
	_setting(c, "runAsUser") != 0
	_setting(c, "runAsNonRoot") != true
}

# Built images: the config's User.
deny contains {"msg": msg, "_loc": {}} if {
	is_object(input)
	user := trim_space(image_settings.user)
	_root_or_empty(user)
	msg := sprintf("the image runs as root (config User is %q); build it with a non-root USER", [user])
}

_root_or_empty(user) if user == ""

_root_or_empty(user) if _is_root(user)
