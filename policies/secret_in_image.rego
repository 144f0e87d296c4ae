# METADATA
# title: Secret baked into the image
# description: |
#   ## What it does
#   Flags secrets that end up in the image or its build history. In a Dockerfile (`ONBUILD`
#   triggers count as the instruction they wrap: they run in every child image):
#   * `ENV`, `ARG` defaults and `LABEL`s that set a secret name to a literal value. A
#     secret name has a secret word (`password`, `passwd`, `pwd`, `secret`, `token`,
#     `apikey`, `credential(s)`, `passphrase`, `privatekey`), a secret pair (`api key`,
#     `private key`, `access key`, `secret key`, `auth key`, `client secret`) or a word
#     ending in one (`PGPASSWORD`, `apitoken`), or ends in `pass` (`SMTP_PASS`,
#     `REDISPASS`, `KEYPASS`; not `BYPASS`, `COMPASS`); words split at `_`, `.`, `-` and
#     camelCase. Not secret: names whose last word names a property or a reference
#     (`PASSWORD_FILE`, `TOKEN_URL`, `SECRET_NAME`, `TOKEN_ISSUER`, `TOKEN_AUDIENCE`,
#     `PASSWORD_HASHER`, `*_EXPIRATION`, `*_LIFETIME`, `*_PROVIDER`, `*_STRATEGY`,
#     `*_SCHEME`, `*_METHOD`, ...) and `PWD`/`OLDPWD`. A literal value is written out:
#     not `$VAR` or `${VAR}`, but `${VAR:-default}`/`${VAR-default}` bake the default in,
#     `${VAR:+alt}` the alternative, and `\$` is a literal `$`; `true`/`false`/`yes`/`no`/
#     `on`/`off` and numbers of at most three digits are settings
#     (`MYSQL_RANDOM_ROOT_PASSWORD=1`), longer digit strings are secrets.
#   * Key names, whose last word is `KEY` (`APP_KEY`, `LICENSE_KEY`, `ENCRYPTION_KEY`,
#     `SIGNING_KEY`, `*_MASTER_KEY`), with a key-like literal value: at least 16
#     characters of base64 or hex text (after an optional `base64:`) holding a digit, not a
#     path, and not a GPG key id or fingerprint (16 or 40 upper-case hex digits, or `0x`
#     and 8, 16 or 40). Names with `gpg`, `pgp`, `public`, `pub`, `cache`, `sort`,
#     `partition`, `primary`, `routing`, ... name no secret key; `KEY_ID`, `KEYSERVER`,
#     `KEYRING` do not end in `KEY`.
#   * Any `ENV`/`ARG`/`LABEL` value, `RUN` text (heredoc scripts included) or `COPY`/`ADD`
#     source that holds a known credential format (AWS key ids, GitHub/GitLab/Slack
#     tokens, private keys) or inline credentials (`scheme://user:password@host` even in
#     a `*_URL` such as `DATABASE_URL` or `PIP_INDEX_URL`, `curl -u user:pass`,
#     `--password=...`); a password from a variable (`${DB_PASS}`) does not count. A `RUN
#     --mount=type=secret` is not searched.
#   * A secret-named (or key-named) `ARG` without a literal default (none, `""`, or a
#     variable) that a later `RUN`, `ENV` or `LABEL` of its stage uses (`$NAME`, `${NAME}`): a value passed with `--build-arg` is
#     kept in the image history, secret mount or not. A global `ARG` is in a stage's scope
#     only where the stage declares it again.
#   * `COPY <<EOF` and `ADD <<EOF` bodies holding a credential format, inline credentials
#     or a secret name assigned a literal value (`_authToken=...`, `password: ...`,
#     `"apiKey": "..."`, `token = "..."`).
#   * `COPY`/`ADD` of credential files (`id_rsa`, `*.key`, `*.p12`, `*.pfx`, `.env`,
#     `.npmrc`, `.netrc`, `.pgpass`, `.aws/credentials`, `.docker/config.json`, ...): a
#     `.pem` only when its name says key or private (`key.pem`, `server-key.pem`,
#     `privkey.pem`, `private.pem`) and not public, or it sits in a `private` or `keys`
#     directory and its name says no certificate; `ca.pem`, `*-ca.pem`, `cert.pem`,
#     `chain.pem`, `fullchain.pem`, `*.crt` and `*.cer` never.
#
#   Kubernetes env vars, Compose `environment` and image config `Env` are held to the
#   same names and values (a YAML number of four digits or more is a literal). Messages
#   show a redacted form, never the value.
#
#   On Kubernetes manifests and Compose files: an `env`/`environment` entry with a
#   secret-like name and a literal value (an unquoted number included; a Compose
#   `${VAR:-default}` bakes its default in), any value in a credential format or with a
#   URL's `user:password@`, and a literal value given to a secret flag in `command`/`args`
#   (Compose `command`/`entrypoint`, list or string, also inside `sh -c` strings):
#   `--requirepass`, `--masterauth`, or a flag with a secret-like name (`--password`,
#   `--db-password=`, `--token`, `--api-key`). Values from variables (`$(VAR)`, `$VAR`,
#   `${VAR}`) never fire.
#
#   ## Why
#   Every layer and every `ENV`/`ARG` value can be read by anyone who can pull the image
#   (`docker history`, `docker inspect`), long after the secret was rotated in the CI.
#
#   ## Example
#   ```dockerfile
#   ENV NPM_TOKEN=npm_0123456789
#   RUN npm ci
#   ```
#
#   ## Use instead
#   ```dockerfile
#   RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
#   ```
# custom:
#   id: DP006
#   slug: secret-in-image
#   severity: deny
#   remediation: Pass secrets with `RUN --mount=type=secret` (BuildKit) or at run time; rotate any secret that was ever committed.
#   gatekeeper: true
package dockpolicy.secret_in_image

import data.lib.dockpolicy.compose
import data.lib.dockpolicy.compose.services as compose_services
import data.lib.dockpolicy.dockerfile
import data.lib.dockpolicy.dockerfile.is_dockerfile
import data.lib.dockpolicy.image_config.archive as image_archive
import data.lib.dockpolicy.image_config.env_pairs as image_env_pairs
import data.lib.dockpolicy.kubernetes.containers as k8s_containers
import data.lib.dockpolicy.secrets

# The instructions, comments aside, with each ONBUILD trigger as the instruction it wraps
# (`Onbuild` set): a trigger runs in every image built FROM this one, and its ENV, ARG and
# RUN keep their secrets there.
_instructions := array.concat(
	[i | is_dockerfile; some i in input; not i.Cmd in {"comment", "onbuild"}],
	[object.union(i, {"Cmd": lower(i.SubCmd), "Onbuild": true}) | is_dockerfile; some i in input; i.Cmd == "onbuild"],
)

# The instructions each group of rules reads, each list made in one pass: the rules then
# walk a few instructions each, not the whole file.
_env_labels := [i | some i in _instructions; i.Cmd in {"env", "label"}]

_args := [i | some i in _instructions; i.Cmd == "arg"]

_copies := [i | some i in _instructions; i.Cmd in {"copy", "add"}]

_with_heredocs := [i | some i in _instructions; i.Heredocs]

# The credential formats that can occur in this Dockerfile at all: their words appear in
# some instruction's text (every value checked below is part of one). Most Dockerfiles have
# none, and then the rules below that search instructions stop at `count(_possible) > 0`.
_possible := secrets.possible_credential_kinds(_text)

# Every instruction's text and heredoc body, one string: what cheap `contains` checks read
# before a rule looks at the instructions one by one.
_text := concat("\n", array.concat(
	[concat(" ", i.Value) | some i in _instructions],
	[h.Content | some i in _with_heredocs; some h in i.Heredocs],
))

# How a message names an instruction: `ENV`, or `ONBUILD ENV` for a trigger.
_shown(i) := concat(" ", ["ONBUILD", upper(i.Cmd)]) if i.Onbuild

_shown(i) := upper(i.Cmd) if not i.Onbuild

deny contains {"msg": msg, "_loc": {"line": i.StartLine}} if {
	some i in _env_labels
	secrets.may_name_secret(concat(" ", i.Value))
	some pair in dockerfile.pairs(i)
	secrets.literal_secret(pair.key, pair.value)
	not _label_with_credentials(i, pair)
	msg := sprintf("%s %s %s a literal secret (%s) that anyone who pulls the image can read", [_shown(i), pair.key, _sets[i.Cmd], secrets.redact(pair.value)])
}

_sets := {"env": "sets", "label": "holds"}

# A label holding a known credential format is reported as that format, below.
_label_with_credentials(i, pair) if {
	i.Cmd == "label"
	count(_credentials_in(pair.value, _possible)) > 0
}

deny contains {"msg": msg, "_loc": {"line": i.StartLine}} if {
	some i in _args
	secrets.may_name_secret(concat(" ", i.Value))
	some pair in dockerfile.arg_pairs(i)
	secrets.literal_secret(pair.key, pair.value)
	msg := sprintf("%s %s has a literal secret default (%s), kept in the image history", [_shown(i), pair.key, secrets.redact(pair.value)])
}

# Credential formats and credentials in URLs (`DATABASE_URL=postgresql://app:pw@db/app`),
# whatever the variable is called.
deny contains {"msg": msg, "_loc": {"line": i.StartLine}} if {
	possible := _possible
	count(possible) > 0
	some i in _env_labels
	some pair in dockerfile.pairs(i)
	some kind in _credentials_in(pair.value, possible)
	not _named_secret(i.Cmd, pair)
	msg := sprintf("%s %s holds %s (%s)", [_shown(i), pair.key, kind, secrets.redact(pair.value)])
}

deny contains {"msg": msg, "_loc": {"line": i.StartLine}} if {
	possible := _possible
	count(possible) > 0
	some i in _args
	some pair in dockerfile.arg_pairs(i)
	is_string(pair.value)
	some kind in _credentials_in(pair.value, possible)
	not _named_secret("arg", pair)
	msg := sprintf("%s %s holds %s (%s)", [_shown(i), pair.key, kind, secrets.redact(pair.value)])
}

_credentials_in(text, possible) := secrets.credential_kinds_among(text, possible) | secrets.inline_credentials_among(text, possible)

deny contains {"msg": msg, "_loc": {"line": i.StartLine}} if {
	some i in _copies
	count(i.Value) > 1
	secrets.may_name_credential_file(concat(" ", i.Value))
	some path in _copy_paths(i)
	secrets.credential_file(path)
	msg := sprintf("%s copies the credential file %q into the image", [_shown(i), path])
}

# Sources and the destination: `COPY config.json /root/.docker/config.json` counts too.
_copy_paths(i) := {dockerfile.unquote(p) | some p in i.Value; not startswith(p, "<<")}

# ADD from a URL with credentials or a token in it.
deny contains {"msg": msg, "_loc": {"line": i.StartLine}} if {
	possible := _possible
	count(possible) > 0
	some i in _copies
	some kind in _credentials_in(concat(" ", i.Value), possible)
	msg := sprintf("%s contains %s", [_shown(i), kind])
}

# A `COPY <<EOF` body is a file of the image: a token in it, or a secret name assigned a
# literal value (`_authToken=...` in an .npmrc, `password: ...` in a YAML file), is in the
# image.
deny contains {"msg": msg, "_loc": {"line": i.StartLine}} if {
	some i in _with_heredocs
	i.Cmd in {"copy", "add"}
	is_array(i.Heredocs)
	some h in i.Heredocs
	some what in _heredoc_secrets(h.Content)
	msg := sprintf("%s writes a file holding %s into the image", [_shown(i), what])
}

# A recognised credential names the secret better than the name it is assigned to
# (`github_token=ghp_...` is one secret, reported once, as the GitHub token).
_heredoc_secrets(body) := credentials if {
	credentials := _heredoc_credentials(body)
	count(credentials) > 0
} else := {sprintf("a literal secret under %q", [name]) | some name in secrets.assigned_secret_names(body)}

_heredoc_credentials(body) := _credentials_in(body, _possible) if {
	count(_possible) > 0
} else := set()

deny contains {"msg": msg, "_loc": {"line": i.StartLine}} if {
	possible := _possible
	count(possible) > 0
	some i in _instructions
	i.Cmd == "run"
	not dockerfile.has_mount(i, "secret")
	text := dockerfile.command_text(i)
	kinds := _credentials_in(text, possible)
	some kind in kinds
	msg := sprintf("%s contains %s; use RUN --mount=type=secret instead", [_shown(i), kind])
}

# A secret build arg without a literal default, used by a later RUN (or ENV or LABEL) of its
# stage: whatever `--build-arg` passes it is recorded in the image history (and in the
# config, through ENV). A global ARG is in a stage's scope only when the stage declares
# it again, and that declaration is the stage's own ARG here. A RUN with a secret mount
# that uses the ARG still records it.
deny contains {"msg": msg, "_loc": {"line": arg.line}} if {
	some arg in _unset_secret_args
	# Most secret ARGs are never expanded: then no instruction is read.
	_expanded_somewhere(arg.name)
	uses := sort([[i.StartLine, _shown(i)] |
		some i in _instructions
		i.Cmd in {"run", "env", "label"}
		not i.Onbuild
		i.Stage == arg.stage
		i.StartLine > arg.line
		_references(_text_of(i), arg.name)
	])
	count(uses) > 0
	msg := sprintf("ARG %s is a secret build arg that %s on line %d uses: a value passed with --build-arg is kept in the image history; use RUN --mount=type=secret", [arg.name, uses[0][1], uses[0][0]])
}

# (A RUN's text has its heredoc lines joined where they end in `\`, which only adds blanks:
# `$NAME` and `${NAME` in it are in _text too.)
_expanded_somewhere(name) if contains(_text, concat("", ["${", name]))

_expanded_somewhere(name) if contains(_text, concat("", ["$", name]))

_unset_secret_args contains {"name": pair.key, "stage": i.Stage, "line": i.StartLine} if {
	some i in _args
	not i.Onbuild
	first := _first_from_line
	i.StartLine > first
	secrets.may_name_secret(concat(" ", i.Value))
	some pair in dockerfile.arg_pairs(i)
	secrets.secret_arg_name(pair.key)
	# (A literal default is reported as such above; an empty one is no default.)
	not secrets.literal_secret(pair.key, pair.value)
}

_first_from_line := min([f.StartLine | some f in dockerfile.froms])

_text_of(i) := dockerfile.command_text(i) if i.Cmd == "run"

_text_of(i) := concat(" ", i.Value) if i.Cmd != "run"

# _references(text, name): text expands the variable `name` (`$NAME`, `${NAME}`,
# `${NAME:-x}`; not `$NAME_FILE`).
_references(text, name) if {
	braced := concat("", ["${", name])
	contains(text, braced)
	some part in array.slice(split(text, braced), 1, count(text) + 1)
	substring(part, 0, 1) in {"}", ":", "-", "+", "?", "="}
}

_references(text, name) if {
	bare := concat("", ["$", name])
	contains(text, bare)
	some part in array.slice(split(text, bare), 1, count(text) + 1)
	not _identifier_start(part)
}

_identifier_start(s) if {
	c := substring(s, 0, 1)
	c != ""
	contains("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_", c)
}

# A secret-named ENV/ARG already reported by the name rule is not reported twice.
_named_secret(cmd, pair) if {
	cmd in {"env", "arg"}
	secrets.literal_secret(pair.key, pair.value)
}

# Kubernetes: a secret-like env var with a literal `value` (not `valueFrom`), or any env
# value in a credential format or holding credentials (a URL's user:password). An unquoted
# number is a literal too.
deny contains {"msg": msg, "_loc": {"key": "name", "value": e.name, "path": array.concat(c.path, ["env", i])}} if {
	# Manifests, Compose files and images are objects, Dockerfiles arrays: this builtin
	# check ends the body for a Dockerfile before any helper rule is called.
	is_object(input)
	some c in k8s_containers
	# (`env:` left empty is null: see lib.dockpolicy.kubernetes on iterating it.)
	env := c.container.env
	is_array(env)
	some i, e in env
	is_object(e)
	# (An entry without a name is reported by no engine; the VM needs saying so.)
	is_string(e.name)
	value := object.get(e, "value", null)
	_deployed_secret(e.name, value)
	msg := sprintf("%s container %q sets env %s to a literal secret (%s); use valueFrom.secretKeyRef", [c.name, object.get(c.container, "name", ""), e.name, secrets.redact(sprintf("%v", [value]))])
}

# Compose: the same for a service's environment (list or mapping form).
deny contains {"msg": msg, "_loc": {"text": pair.key, "path": ["services", s.name, "environment", pair.step]}} if {
	is_object(input)
	some s in compose_services
	some pair in compose.environment(s.service)
	_deployed_secret(pair.key, pair.value)
	msg := sprintf("service %q sets %s to a literal secret (%s); use secrets: or an env file kept out of the repository", [s.name, pair.key, secrets.redact(sprintf("%v", [pair.value]))])
}

# Kubernetes `command`/`args`: a secret passed as a flag's literal value
# (`--requirepass s3cr3t`, `--db-password=s3cr3t`), also inside a shell string.
deny contains {"msg": msg, "_loc": {"path": array.concat(c.path, [a.field, a.index])}} if {
	is_object(input)
	some c in k8s_containers
	some a in _secret_arguments(_k8s_arguments(c.container))
	msg := sprintf("%s container %q passes a literal secret (%s) as %s; read it from a mounted secret or an env var set by valueFrom.secretKeyRef", [c.name, object.get(c.container, "name", ""), secrets.redact(a.value), a.flag])
}

# Compose `command`/`entrypoint`: the same.
deny contains {"msg": msg, "_loc": {"path": array.concat(["services", s.name, a.field], _index_step(a))}} if {
	is_object(input)
	some s in compose_services
	some a in _secret_arguments(_compose_arguments(s.service))
	msg := sprintf("service %q passes a literal secret (%s) as %s; use secrets: or an env file kept out of the repository", [s.name, secrets.redact(a.value), a.flag])
}

# A value a deployed container gets from its manifest: a secret-named variable's literal
# (an unquoted number as YAML wrote it, or its digits), a credential format, or a URL's
# user:password.
_deployed_secret(name, value) if _secret_value(name, value)

_deployed_secret(name, value) if {
	is_number(value)
	_secret_value(name, sprintf("%v", [value]))
}

_deployed_secret(_, value) if {
	is_string(value)
	contains(value, "://")
	count(secrets.inline_credentials(value)) > 0
}

# The words of a container's command line, [{field, index, text}]: each string of
# `command` then `args`, with the field and index it came from.
_k8s_arguments(container) := [{"field": field, "index": i, "text": text} |
	some field in ["command", "args"]
	list := object.get(container, field, [])
	is_array(list)
	some i, text in list
	is_string(text)
]

# Compose writes `command` and `entrypoint` as a list or as one string (index null).
_compose_arguments(service) := array.concat(
	[{"field": field, "index": i, "text": text} |
		some field in ["entrypoint", "command"]
		list := object.get(service, field, null)
		is_array(list)
		some i, text in list
		is_string(text)
	],
	[{"field": field, "index": null, "text": text} |
		some field in ["entrypoint", "command"]
		text := object.get(service, field, null)
		is_string(text)
	],
)

_index_step(a) := [] if a.index == null

_index_step(a) := [a.index] if a.index != null

# _secret_arguments(arguments) is {flag, value, field, index} for each flag with a secret
# name given a literal value: `--flag=value` or `--flag value` within one argument (a
# shell string), or `--flag` as one argument and its value as the next.
_secret_arguments(arguments) := {a |
	some arg in arguments
	contains(arg.text, "--")
	some m in regex.find_all_string_submatch_n(_inline_flag_pattern, arg.text, -1)
	a := _secret_argument(m[1], m[2], arg)
	# (regorus's VM lets `a := <undefined>` succeed.)
	is_object(a)
} | {a |
	some n, arg in arguments
	startswith(arg.text, "--")
	regex.match(`^--[A-Za-z][A-Za-z0-9_.-]*$`, arg.text)
	next := arguments[n + 1]
	is_object(next)
	a := _secret_argument(substring(arg.text, 2, -1), trim(next.text, `"'`), next)
	is_object(a)
}

_inline_flag_pattern := `(?:^|\s)--([A-Za-z][A-Za-z0-9_.-]*)(?:=|\s+)['"]?([^\s'"]+)`

_secret_argument(flag, value, arg) := {"flag": concat("", ["--", flag]), "value": value, "field": arg.field, "index": arg.index} if {
	_secret_flag(lower(flag))
	not startswith(value, "-")
	secrets.literal(value)
}

# Flags that take a password under a name of their own (Redis), or whose name is a secret's.
_secret_flag(flag) if flag in {"requirepass", "masterauth", "pass"}

_secret_flag(flag) if secrets.secret_name(replace(flag, "-", "_"))

# Built images: Env entries baked into the config.
deny contains {"msg": msg, "_loc": {}} if {
	is_object(input)
	some pair in image_env_pairs
	_secret_value(pair.key, pair.value)
	msg := sprintf("the image config sets %s to a literal secret (%s)", [pair.key, secrets.redact(pair.value)])
}

_secret_value(name, value) if secrets.literal_secret(name, value)

_secret_value(_, value) if {
	is_string(value)
	count(secrets.credential_kinds(value)) > 0
}

# Image archives: credential files present in the final filesystem (a .pem or .key only
# when its content is a private key). A hard link holds its target's bytes, and a symlink
# to a file of the image shows them, under the link's own (credential) name; a symlink to
# a path the image lacks (`/app/.env -> /run/secrets/env`) holds nothing.
deny contains {"msg": msg, "_loc": {}} if {
	is_object(input)
	some f in image_archive.files
	f.type in {"file", "hardlink", "symlink"}
	_archive_credential(f)
	_holds_content(f)
	msg := sprintf("the image contains the credential file %s%s", [f.path, _link_note(f)])
}

_holds_content(f) if f.type in {"file", "hardlink"}

_holds_content(f) if {
	f.type == "symlink"
	_archive_regular_files[f.link]
}

# (Built only when a symlink has a credential's name: most images have none.)
_archive_regular_files contains f.path if {
	some f in image_archive.files
	f.type in {"file", "hardlink"}
}

_link_note(f) := sprintf(" (a %s to %s)", [_link_kind[f.type], object.get(f, "link", "?")]) if f.type != "file"

_link_note(f) := "" if f.type == "file"

_link_kind := {"hardlink": "hard link", "symlink": "symlink"}

_archive_credential(f) if f.private_key

_archive_credential(f) if {
	secrets.credential_file(f.path)
	not _key_or_cert(f.path)
}

_key_or_cert(path) if endswith(lower(path), ".pem")

_key_or_cert(path) if endswith(lower(path), ".key")

_key_or_cert(path) if endswith(lower(path), ".p12")

_key_or_cert(path) if endswith(lower(path), ".pfx")
