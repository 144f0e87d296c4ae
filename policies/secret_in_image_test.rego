package dockpolicy.secret_in_image_test

import data.dockpolicy.secret_in_image
import data.lib.dockpolicy.secrets

_doc(instructions) := array.concat([{"Cmd": "from", "Image": "alpine:3.20", "Value": ["alpine:3.20"], "Flags": [], "Stage": 0, "BaseStage": null, "ImageResolved": true, "StartLine": 1}], instructions)

_i(cmd, value) := {"Cmd": cmd, "Value": value, "Flags": [], "Stage": 0, "StartLine": 2}

_fires(instructions) if count(secret_in_image.deny) > 0 with input as _doc(instructions)

test_secret_names_are_token_aware if {
	every name in ["DB_PASSWORD", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "API_KEY", "apiKey", "ClientSecret", "DB_PASS", "SECRET_KEY_BASE"] {
		secrets.secret_name(name)
	}
	every name in ["PASSWORD_FILE", "TOKEN_URL", "PUBLIC_KEY", "SECRET_NAME", "KEYBOARD", "PASSENGER", "TOKENIZER_PATH", "MONKEY", "BYPASS"] {
		not secrets.secret_name(name)
	}
}

test_env_with_a_literal_secret_fires if _fires([_i("env", ["DB_PASSWORD", "hunter2", "="])])

test_legacy_env_form_fires if _fires([_i("env", ["API_KEY", "abc def", ""])])

test_env_from_a_variable_does_not_fire if not _fires([_i("env", ["DB_PASSWORD", "${DB_PASSWORD}", "="])])

test_env_with_an_empty_value_does_not_fire if not _fires([_i("env", ["DB_PASSWORD", "\"\"", "="])])

test_env_with_a_reference_name_does_not_fire if not _fires([_i("env", ["PASSWORD_FILE", "/run/secrets/db", "="])])

test_arg_with_a_literal_default_fires if _fires([_i("arg", ["GITHUB_TOKEN=abc123"])])

# The instruction-level pre-check (may_name_secret) must not hide a secret name that is
# one pair among several, or written in mixed case.
test_secret_name_among_other_pairs_fires if {
	_fires([_i("env", ["PATH", "/usr/local/bin", "=", "Db_Password", "hunter2", "=", "LANG", "C.UTF-8", "="])])
	_fires([_i("arg", ["VERSION=1.2", "ApiKey=abc123"])])
	not _fires([_i("env", ["PATH", "/usr/local/bin", "=", "LANG", "C.UTF-8", "="])])
}

test_arg_without_default_does_not_fire if not _fires([_i("arg", ["GITHUB_TOKEN"])])

test_credential_formats_fire_whatever_the_name if {
	_fires([_i("env", ["HARMLESS", "AKIAIOSFODNN7EXAMPLE", "="])])
	_fires([_i("label", ["build.note", "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", "="])])
	_fires([_i("arg", ["X=glpat-0123456789abcdefghij"])])
	_fires([_i("env", ["SLACK", "xoxb-1234567890-abcdef", "="])])
}

test_credential_files_fire if {
	every src in ["id_rsa", "./keys/server.pem", "tls.key", ".env", ".npmrc", "/root/.netrc", "home/.aws/credentials", ".docker/config.json", ".env.production"] {
		_fires([_i("copy", [src, "/app/"])])
	}
	every src in ["package.json", ".env.example", "src/", "keyboard.txt"] {
		not _fires([_i("copy", [src, "/app/"])])
	}
}

test_add_of_a_credential_file_fires if _fires([_i("add", ["id_ed25519", "/root/.ssh/"])])

test_inline_run_credentials_fire if {
	_fires([_i("run", ["curl -u admin:s3cret https://example.com/file"])])
	_fires([_i("run", ["git clone https://bot:token123@git.example.com/repo.git"])])
	_fires([_i("run", ["mysql --password=rootpw -e 'select 1'"])])
}

test_inline_credentials_from_variables_do_not_fire if {
	not _fires([_i("run", ["curl -u admin:$PASSWORD https://example.com/file"])])
	not _fires([_i("run", ["git clone https://bot:${TOKEN}@git.example.com/repo.git"])])
	not _fires([_i("run", ["curl https://example.com/file"])])
	not _fires([_i("run", ["echo -n \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\" > /tmp/date"])])
	not _fires([_i("run", ["useradd -u 1000:1000 app && docker run -u 1000:1000 x"])])
}

test_heredoc_bodies_are_checked if {
	_fires([{"Cmd": "run", "Value": ["<<EOF"], "Flags": [], "Stage": 0, "StartLine": 2, "Heredocs": [{"Name": "EOF", "Content": "curl -u admin:s3cret https://example.com\n"}]}])
}

test_secret_mounts_never_fire if {
	not _fires([{"Cmd": "run", "Value": ["curl -u admin:s3cret https://example.com"], "Flags": ["--mount=type=secret,id=creds"], "Stage": 0, "StartLine": 2}])
}

test_messages_never_contain_the_secret if {
	doc := _doc([
		_i("env", ["DB_PASSWORD", "hunter2hunter2", "="]),
		_i("env", ["HARMLESS", "AKIAIOSFODNN7EXAMPLE", "="]),
	])
	msgs := {r.msg | some r in secret_in_image.deny} with input as doc
	count(msgs) == 2
	every m in msgs {
		not contains(m, "hunter2hunter2")
		not contains(m, "AKIAIOSFODNN7EXAMPLE")
		contains(m, "****")
	}
}

test_a_named_secret_is_reported_once if {
	count(secret_in_image.deny) == 1 with input as _doc([_i("env", ["GITHUB_TOKEN", "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", "="])])
}

test_settings_with_secret_words_are_not_secrets if {
	every pair in [["MYSQL_ALLOW_EMPTY_PASSWORD", "yes"], ["MYSQL_RANDOM_ROOT_PASSWORD", "1"], ["TOKEN_EXPIRY_SECONDS", "3600"], ["SESSION_TOKEN_TIMEOUT", "30"], ["DISABLE_PASSWORD_AUTH", "true"], ["PASSWORD_HASH_ALGORITHM", "bcrypt"]] {
		not _fires([_i("env", [pair[0], pair[1], "="])])
	}
}

test_settings_are_case_insensitive_and_short_numbers if {
	not _fires([_i("env", ["DISABLE_PASSWORD_AUTH", "TRUE", "="])])
	not _fires([_i("env", ["TOKEN_TTL_OFFSET", "-5", "="])])
	_fires([_i("env", ["DB_PASSWORD", "1234567890", "="])])
	_fires([_i("env", ["DB_PASSWORD", "--5", "="])])
}

test_a_literal_default_of_a_variable_is_a_secret if _fires([_i("env", ["SECRET_KEY", "${SECRET_KEY:-defaultsecret}", "="])])

test_image_digests_are_not_url_credentials if {
	not _fires([_i("run", ["skopeo copy docker://nginx:1.25@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef oci:/x"])])
}

test_add_from_a_url_with_credentials_fires if {
	_fires([_i("add", ["https://admin:S3cretPass@files.example.com/app.tar.gz", "/app/"])])
	_fires([_i("add", ["https://files.example.com/x?token=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", "/x"])])
}

test_credential_destinations_and_directories_fire if {
	_fires([_i("copy", ["config.json", "/root/.docker/config.json"])])
	_fires([_i("copy", [".aws", "/root/.aws"])])
	_fires([_i("copy", [".ssh", "/root/.ssh"])])
	_fires([_i("copy", [".npmrc*", "/root/"])])
}

# The pre-checks must cover every word they stand in for: a name or suffix added to the
# lists in lib.dockpolicy.secrets without a matching pre-check word fails here.
test_pre_checks_cover_every_secret_word_and_credential_file if {
	every word in secrets._secret_words {
		secrets.may_name_secret(upper(word))
	}
	every pair in secrets._secret_pairs {
		secrets.may_name_secret(concat("_", pair))
	}
	every word in secrets._fused_secret_words | secrets._secret_last_words | secrets._key_last_words {
		secrets.may_name_secret(concat("", ["X", upper(word)]))
	}
	every name in secrets._credential_names {
		secrets.may_name_credential_file(name)
	}
	every suffix in secrets._credential_suffixes {
		secrets.may_name_credential_file(upper(suffix))
	}
	not secrets.may_name_secret("PATH /usr/local/bin")
	not secrets.may_name_credential_file("requirements.txt /app/")
}

# The words possible_credential_kinds looks for are exactly the formats' and inline
# patterns' own needed words.
test_possible_kinds_look_for_every_needed_word if {
	needs := {[need, kind] | some kind, format in secrets.credential_formats; some need in format.needs}
	needs == {[need, kind] | some need, kind in secrets._kinds_by_need}
	inline := {[need, kind, also] |
		some kind, check in secrets._inline_patterns
		some need in check.needs
		also := concat("", check.needs_all)
		count(check.needs_all) <= 1
	}
	inline == {[need, p.kind, p.also] | some need, p in secrets._inline_patterns_by_need}
	secrets.possible_credential_kinds("curl -u a:b https://x") == {"a user:password passed to curl -u/--user"}
	secrets.possible_credential_kinds("AKIA https://u:p@x --pass") == {"an AWS access key id", "credentials in a URL", "a --password argument"}
}

test_copy_of_a_credential_file_fires if {
	_fires([_i("copy", ["id_rsa", "/root/.ssh/id_rsa"])])
	_fires([_i("copy", ["certs/Server-Key.PEM", "/etc/ssl/"])])
	_fires([_i("add", [".env.production", "/app/"])])
	not _fires([_i("copy", ["requirements.txt", "/app/"])])
}

# Image archives: links are seen under their own name and type.
_archive(files) := {"ImageArchive": {"format": "docker-save", "tags": [], "config": {}, "layers": [], "size": 0, "files": files}}

_archive_msgs(files) := msgs if {
	denies := secret_in_image.deny with input as _archive(files)
	msgs := {d.msg | some d in denies}
}

_blob := {"path": "/tmp/blob", "size": 10, "mode": 420, "type": "file"}

test_archive_hard_link_named_like_a_credential_fires if {
	msgs := _archive_msgs([_blob, {"path": "/root/.ssh/id_rsa", "size": 0, "mode": 420, "type": "hardlink", "link": "/tmp/blob"}])
	msgs == {"the image contains the credential file /root/.ssh/id_rsa (a hard link to /tmp/blob)"}
}

test_archive_symlink_to_a_file_of_the_image_fires if {
	msgs := _archive_msgs([_blob, {"path": "/app/.env", "size": 0, "mode": 511, "type": "symlink", "link": "/tmp/blob"}])
	msgs == {"the image contains the credential file /app/.env (a symlink to /tmp/blob)"}
}

test_archive_symlink_to_a_path_the_image_lacks_does_not_fire if {
	count(_archive_msgs([_blob, {"path": "/app/.env", "size": 0, "mode": 511, "type": "symlink", "link": "/run/secrets/env"}])) == 0
}

test_archive_key_link_fires_only_with_a_private_key if {
	link := {"path": "/etc/ssl/private/server.key", "size": 0, "mode": 420, "type": "hardlink", "link": "/tmp/blob"}
	count(_archive_msgs([_blob, link])) == 0
	count(_archive_msgs([_blob, object.union(link, {"private_key": true})])) == 1
}

test_archive_plain_credential_file_still_fires if {
	_archive_msgs([{"path": "/root/.npmrc", "size": 5, "mode": 420, "type": "file"}]) == {"the image contains the credential file /root/.npmrc"}
}

# Kubernetes and Compose: values a deployed container gets from its manifest.
_pod(container) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [container]}}

_k8s_denies(container) := denies if {
	denies := secret_in_image.deny with input as _pod(container)
}

_compose_denies(service) := denies if {
	denies := secret_in_image.deny with input as {"services": {"web": object.union({"image": "app:1"}, service)}}
}

test_k8s_env_findings_carry_the_entry_path if {
	denies := _k8s_denies({"name": "c", "image": "app:1", "env": [{"name": "USER", "value": "x"}, {"name": "DB_PASSWORD", "value": "hunter2"}]})
	[d._loc.path | some d in denies] == [["spec", "containers", 0, "env", 1]]
}

test_k8s_unquoted_numeric_passwords_are_literals if {
	some d in _k8s_denies({"name": "c", "image": "app:1", "env": [{"name": "DB_PASSWORD", "value": 8675309123}]})
	not contains(d.msg, "8675309123")
	count(_k8s_denies({"name": "c", "image": "app:1", "env": [{"name": "DB_PORT", "value": 8675309123}]})) == 0
	count(_k8s_denies({"name": "c", "image": "app:1", "env": [{"name": "DB_PASSWORD", "value": 5}]})) == 0
}

test_k8s_env_urls_with_credentials_fire if {
	some d in _k8s_denies({"name": "c", "image": "app:1", "env": [{"name": "DATABASE_URL", "value": "postgresql://app:pw0rd@db/app"}]})
	not contains(d.msg, "pw0rd")
	count(_k8s_denies({"name": "c", "image": "app:1", "env": [{"name": "DATABASE_URL", "value": "postgresql://app@db/app"}]})) == 0
	count(_k8s_denies({"name": "c", "image": "app:1", "env": [{"name": "DATABASE_URL", "value": "postgresql://app:$(DB_PASSWORD)@db/app"}]})) == 0
}

test_k8s_secret_flags_in_args_fire if {
	every args in [
		["redis-server", "--requirepass", "s3cr3t"],
		["redis-server", "--requirepass=s3cr3t"],
		["--masterauth", "s3cr3t"],
		["--password", "s3cr3t"],
		["--db-password=s3cr3t"],
		["--token", "s3cr3t"],
		["--api-key", "s3cr3t"],
		["-c", "redis-server --requirepass s3cr3t --port 6379"],
		["-c", "exec app --db-password='s3cr3t'"],
	] {
		some d in _k8s_denies({"name": "c", "image": "app:1", "args": args})
		not contains(d.msg, "s3cr3t")
	}
}

test_k8s_secret_flags_from_variables_do_not_fire if {
	every args in [
		["redis-server", "--requirepass", "$(REDIS_PASSWORD)"],
		["--requirepass=$REDIS_PASSWORD"],
		["-c", "redis-server --requirepass ${REDIS_PASSWORD}"],
		["-c", "redis-server --requirepass \"$REDIS_PASSWORD\""],
		["--password-file", "/run/secrets/db"],
		["--token", "--verbose"],
		["--port", "6379"],
		["--requirepass"],
	] {
		count(_k8s_denies({"name": "c", "image": "app:1", "args": args})) == 0
	}
}

test_k8s_flag_findings_point_at_the_value if {
	denies := _k8s_denies({"name": "c", "image": "app:1", "command": ["redis-server", "--requirepass"], "args": ["s3cr3t"]})
	[d._loc.path | some d in denies] == [["spec", "containers", 0, "args", 0]]
}

test_compose_environment_findings_carry_the_entry_path if {
	[d._loc.path | some d in _compose_denies({"environment": {"DB_PASSWORD": "hunter2"}})] == [["services", "web", "environment", "DB_PASSWORD"]]
	[d._loc.path | some d in _compose_denies({"environment": ["USER=x", "DB_PASSWORD=hunter2"]})] == [["services", "web", "environment", 1]]
}

test_compose_numbers_defaults_and_urls if {
	count(_compose_denies({"environment": {"DB_PASSWORD": 8675309123}})) == 1
	count(_compose_denies({"environment": {"DB_PASSWORD": "${DB_PASSWORD:-changeme}"}})) == 1
	count(_compose_denies({"environment": {"DB_PASSWORD": "${DB_PASSWORD}"}})) == 0
	count(_compose_denies({"environment": {"DB_PASSWORD": null}})) == 0
	count(_compose_denies({"environment": {"DATABASE_URL": "postgres://app:pw0rd@db/app"}})) == 1
}

test_compose_command_and_entrypoint_flags if {
	[d._loc.path | some d in _compose_denies({"command": "redis-server --requirepass s3cr3t"})] == [["services", "web", "command"]]
	[d._loc.path | some d in _compose_denies({"command": ["redis-server", "--requirepass", "s3cr3t"]})] == [["services", "web", "command", 2]]
	count(_compose_denies({"entrypoint": ["sh", "-c", "exec app --token=s3cr3tvalue"]})) == 1
	count(_compose_denies({"command": "redis-server --requirepass $$REDIS_PASSWORD"})) == 0
}

# Fused names: a word ending in a secret word (PGPASSWORD, apitoken) or in PASS
# (REDISPASS, KEYPASS as keytool spells it), but not an English word ending in pass, nor
# the shell's working directories.
test_fused_secret_names if {
	every name in ["PGPASSWORD", "MYSQLPASSWORD", "DBPASSWORD", "REDISPASS", "apitoken", "APIToken", "authtoken", "appsecret", "KEYPASS", "STOREPASS", "ROOTPASSWD", "DB_PWD", "googleapikey"] {
		secrets.secret_name(name)
	}
	every name in ["PWD", "OLDPWD", "pwd", "BYPASS", "COMPASS", "PROXY_BYPASS", "SURPASS", "PGPASSFILE", "PASSWORDLESS", "KEEPASS"] {
		not secrets.secret_name(name)
	}
	_fires([_i("env", ["PGPASSWORD", "s3cretpw", "="])])
	_fires([_i("env", ["REDISPASS", "s3cretpw", "="])])
	not _fires([_i("env", ["PWD", "/app", "="])])
	not _fires([_i("env", ["OLDPWD", "/", "="])])
	not _fires([_i("env", ["NO_PROXY_BYPASS", "localhost", "="])])
}

# Names whose last word names a property of the secret, not the secret.
test_secret_properties_are_not_secrets if {
	every name in ["TOKEN_ISSUER", "JWT_TOKEN_AUDIENCE", "PASSWORD_HASHER", "PASSWORD_HASHERS", "TOKEN_EXPIRATION", "ACCESS_TOKEN_LIFETIME", "SECRET_PROVIDER", "TOKEN_STRATEGY", "AUTH_TOKEN_SCHEME", "PASSWORD_RESET_METHOD", "SECRET_BACKEND", "SECRET_ARN", "TOKEN_SCOPE"] {
		not secrets.secret_name(name)
	}
	not _fires([_i("env", ["TOKEN_ISSUER", "https://auth.example.com", "=", "TOKEN_AUDIENCE", "api://default", "=", "PASSWORD_HASHER", "argon2", "="])])
	_fires([_i("env", ["TOKEN", "abc123xyz", "="])])
	_fires([_i("env", ["ISSUER_TOKEN", "abc123xyz", "="])])
}

# Keys by their value: a long key-like literal, but no GPG key id or fingerprint, no
# public key, no path.
test_key_names_with_key_like_values_fire if {
	every pair in [["LICENSE_KEY", "lgNvGyhnUKpa5PJi"], ["RAILS_MASTER_KEY", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"], ["ENCRYPTION_KEY", "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA=="], ["SIGNING_KEY", "sk_9f8e7d6c5b4a39281706"], ["APP_KEY", "base64:Q2hhbmdlTWUxMjM0NTY3ODkwQUJDREVGR0hJSks="], ["masterKey", "AbCdEf0123456789xyz"], ["KEY", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000000000000000000000000000"]] {
		_fires([_i("env", [pair[0], pair[1], "="])])
		_fires([_i("arg", [concat("=", pair)])])
	}
	_fires([_i("env", ["APP_KEY", "${APP_KEY:-base64:Q2hhbmdlTWUxMjM0NTY3ODkw}", "="])])
}

test_key_names_without_a_secret_value_do_not_fire if {
	every pair in [["GPG_KEY", "A035C8C19219BA821ECEA86B64E628F8D684696D"], ["JENKINS_GPG_KEY", "5E386EADB55F01504CAE8BCF7198F4B714ABFC68"], ["NODE_KEY", "0x7D83545DF9E04CEA"], ["SIGNING_KEY", "B42F6819007F00F88E364FD4036A9C25BF357DD4"], ["PUBLIC_KEY", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"], ["CACHE_KEY", "v1-deps-0123456789abcdef"], ["NGROK_SERVER_KEY", "assets/server/tls/snakeoil.key"], ["SSL_KEY", "/etc/ssl/private/server.key"], ["APP_KEY", "changeme"], ["LICENSE_KEY", "${LICENSE_KEY}"], ["API_KEY_ID", "AKID0123456789abcdef"], ["KEYSERVER", "hkps://keys.openpgp.org"], ["KEYRING", "/usr/share/keyrings/x.gpg"], ["SORT_KEY", "created_at_desc_2024_v1"], ["LICENSE_KEY", "short1"]] {
		not _fires([_i("env", [pair[0], pair[1], "="])])
	}
}

# A credential in a URL is a secret whatever the variable is called; a password taken
# from a variable is not.
test_credentials_in_urls_of_env_and_arg_values_fire if {
	_fires([_i("env", ["DATABASE_URL", "postgresql://app:pw1234@db/app", "="])])
	_fires([_i("env", ["PIP_INDEX_URL", "https://user:s3cret@pypi.example.com/simple", "="])])
	_fires([_i("arg", ["PIP_EXTRA_INDEX_URL=https://user:s3cret@pypi.example.com/simple"])])
	_fires([_i("label", ["repo", "https://bot:t0ken@git.example.com/x.git", "="])])
	_fires([_i("env", ["REDIS_URL", "redis://:s3cretpw@redis:6379/0", "="])])
	not _fires([_i("env", ["DATABASE_URL", "postgresql://app:${DB_PASS}@db/app", "="])])
	not _fires([_i("env", ["DATABASE_URL", "postgresql://app@db/app", "="])])
	not _fires([_i("env", ["PIP_INDEX_URL", "https://pypi.example.com/simple", "="])])
}

test_a_url_credential_in_a_secret_name_is_reported_once if {
	count(secret_in_image.deny) == 1 with input as _doc([_i("env", ["DB_PASSWORD", "postgres://u:pw123@db/x", "="])])
}

# Build args without a default that a later RUN of their stage uses.
_stage_arg(line, value) := {"Cmd": "arg", "Value": value, "Flags": [], "Stage": 0, "StartLine": line}

_run(line, text, flags) := {"Cmd": "run", "Value": [text], "Flags": flags, "Stage": 0, "StartLine": line}

_global_doc(instructions) := array.concat([_stage_arg(1, ["NPM_TOKEN"]), {"Cmd": "from", "Image": "node:22", "Value": ["node:22"], "Flags": [], "Stage": 0, "BaseStage": null, "ImageResolved": true, "StartLine": 2}], instructions)

_arg_msgs(doc) := {d.msg | some d in denies; startswith(d.msg, "ARG ")} if {
	denies := secret_in_image.deny with input as doc
}

test_secret_build_args_used_by_run_fire if {
	doc := _doc([_stage_arg(2, ["NPM_TOKEN"]), _run(3, "echo \"//r/:_authToken=${NPM_TOKEN}\" > .npmrc && npm ci", [])])
	_arg_msgs(doc) == {"ARG NPM_TOKEN is a secret build arg that RUN on line 3 uses: a value passed with --build-arg is kept in the image history; use RUN --mount=type=secret"}
	count(_arg_msgs(_doc([_stage_arg(2, ["GITHUB_TOKEN"]), _run(3, "git clone https://x:$GITHUB_TOKEN@github.com/o/r", [])]))) == 1
	count(_arg_msgs(_doc([_stage_arg(2, ["SIGNING_KEY"]), _run(3, "sign --key \"$SIGNING_KEY\" app", [])]))) == 1
	count(_arg_msgs(_doc([_stage_arg(2, ["NPM_TOKEN=\"\""]), _run(3, "npm ci --token=$NPM_TOKEN", [])]))) == 1
	count(_arg_msgs(_doc([_stage_arg(2, ["SIGNING_KEY=changeme"]), _run(3, "sign --key $SIGNING_KEY", [])]))) == 1
	# A literal default is reported as that, not twice.
	_arg_msgs(_doc([_stage_arg(2, ["NPM_TOKEN=npm_abc123"]), _run(3, "npm ci --token=$NPM_TOKEN", [])])) == {"ARG NPM_TOKEN has a literal secret default (****), kept in the image history"}
	count(_arg_msgs(_doc([_stage_arg(2, ["NPM_TOKEN"]), object.union(_i("env", ["NPM_TOKEN", "${NPM_TOKEN}", "="]), {"StartLine": 3})]))) == 1
	# A secret mount does not stop a RUN that uses the arg from recording it.
	count(_arg_msgs(_doc([_stage_arg(2, ["NPM_TOKEN"]), _run(3, "npm ci --token=$NPM_TOKEN", ["--mount=type=secret,id=npmrc"])]))) == 1
}

test_secret_build_args_not_used_do_not_fire if {
	# Not used, or used before its declaration, or only a look-alike variable.
	count(_arg_msgs(_doc([_stage_arg(2, ["NPM_TOKEN"]), _run(3, "npm ci", [])]))) == 0
	count(_arg_msgs(_doc([_run(2, "echo $NPM_TOKEN", []), _stage_arg(3, ["NPM_TOKEN"])]))) == 0
	count(_arg_msgs(_doc([_stage_arg(2, ["NPM_TOKEN"]), _run(3, "cat $NPM_TOKEN_FILE ${NPM_TOKEN_PATH}", [])]))) == 0
	# A RUN with a secret mount that does not use the arg.
	count(_arg_msgs(_doc([_stage_arg(2, ["NPM_TOKEN"]), _run(3, "npm ci", ["--mount=type=secret,id=npmrc,target=/root/.npmrc"])]))) == 0
	# Not secret-named, or a GPG key id.
	count(_arg_msgs(_doc([_stage_arg(2, ["NODE_VERSION"]), _run(3, "echo $NODE_VERSION", [])]))) == 0
	count(_arg_msgs(_doc([_stage_arg(2, ["GPG_KEY"]), _run(3, "gpg --recv-keys $GPG_KEY", [])]))) == 0
	# A global ARG that the stage does not declare again is not in its scope.
	count(_arg_msgs(_global_doc([_run(3, "echo $NPM_TOKEN", [])]))) == 0
	count(_arg_msgs(_global_doc([_stage_arg(3, ["NPM_TOKEN"]), _run(4, "echo $NPM_TOKEN", [])]))) == 1
	# An arg of another stage.
	count(_arg_msgs(_doc([_stage_arg(2, ["NPM_TOKEN"]), object.union(_run(3, "echo $NPM_TOKEN", []), {"Stage": 1})]))) == 0
}

test_labels_with_secret_names_fire if {
	_fires([_i("label", ["com.example.api-token", "abc123xyz", "="])])
	_fires([_i("label", ["db.password", "hunter2", "="])])
	not _fires([_i("label", ["com.example.token-url", "https://auth.example.com/token", "="])])
	not _fires([_i("label", ["org.opencontainers.image.title", "password-manager", "="])])
}

# ONBUILD triggers run in every child image.
_onbuild(sub, value) := {"Cmd": "onbuild", "SubCmd": sub, "Value": value, "Flags": [], "Stage": 0, "StartLine": 2}

test_onbuild_triggers_count if {
	msgs := {d.msg | some d in secret_in_image.deny} with input as _doc([_onbuild("ENV", ["DB_PASSWORD", "hunter2", "="])])
	msgs == {"ONBUILD ENV DB_PASSWORD sets a literal secret (****) that anyone who pulls the image can read"}
	_fires([_onbuild("ARG", ["GITHUB_TOKEN=abc123"])])
	_fires([_onbuild("RUN", ["curl -u admin:s3cret https://example.com/x"])])
	_fires([_onbuild("COPY", ["id_rsa", "/root/.ssh/"])])
	not _fires([_onbuild("RUN", ["npm ci"])])
	not _fires([_onbuild("ENV", ["DB_PASSWORD_FILE", "/run/secrets/db", "="])])
}

# A COPY heredoc body is a file of the image.
_copy_heredoc(content) := {"Cmd": "copy", "Value": ["<<EOF", "/app/config"], "Flags": [], "Stage": 0, "StartLine": 2, "Heredocs": [{"Name": "EOF", "Content": content}]}

test_copy_heredoc_bodies_with_secrets_fire if {
	_fires([_copy_heredoc("//registry.npmjs.org/:_authToken=npm_abcdef0123456789\n")])
	_fires([_copy_heredoc("db:\n  host: db\n  password: \"hunter2\"\n")])
	_fires([_copy_heredoc("{\"apiKey\": \"abc123xyz\", \"x\": 1}\n")])
	_fires([_copy_heredoc("export GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB\n")])
	_fires([_copy_heredoc("[global]\nindex-url = https://u:s3cret@pypi.example.com/simple\n")])
	_fires([object.union(_copy_heredoc("token = \"abc123xyz\"\n"), {"Cmd": "add"})])
	msgs := {d.msg | some d in secret_in_image.deny} with input as _doc([_copy_heredoc("password: hunter2hunter2\n")])
	msgs == {"COPY writes a file holding a literal secret under \"password\" into the image"}
}

test_a_recognised_credential_in_a_heredoc_is_reported_once if {
	msgs := {d.msg | some d in secret_in_image.deny} with input as _doc([_copy_heredoc("github_token=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB\n")])
	msgs == {"COPY writes a file holding a GitHub token into the image"}
}

test_copy_heredoc_bodies_without_secrets_do_not_fire if {
	not _fires([_copy_heredoc("//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n")])
	not _fires([_copy_heredoc("db:\n  password_file: /run/secrets/db\n  password: ${DB_PASSWORD}\n")])
	not _fires([_copy_heredoc("server {\n  listen 80;\n}\n")])
	not _fires([_copy_heredoc("require_password: true\n")])
}

# Values written with a default or alternative bake it in; escaped `$` is literal.
test_variable_forms_in_values if {
	_fires([_i("env", ["DB_PASSWORD", "${DB_PASSWORD-changeme}", "="])])
	_fires([_i("env", ["DB_PASSWORD", "${USE_DEFAULT:+changeme}", "="])])
	_fires([_i("env", ["DB_PASSWORD", "${USE_DEFAULT+changeme}", "="])])
	_fires([_i("env", ["DB_PASSWORD", "\\$ecretpw", "="])])
	not _fires([_i("env", ["DB_PASSWORD", "$DB_PASSWORD", "="])])
	not _fires([_i("env", ["DB_PASSWORD", "${DB_PASSWORD:-}", "="])])
	not _fires([_i("env", ["DB_PASSWORD", "${DB_PASSWORD:?required}", "="])])
}

# Numbers: YAML numbers and digit strings of four digits or more are literal secrets;
# flags (0, 1) and short numbers are settings.
test_numbers_as_secret_values if {
	secrets.literal(123456)
	secrets.literal(1234)
	secrets.literal("123456")
	not secrets.literal(1)
	not secrets.literal(0)
	not secrets.literal("1")
	not secrets.literal(true)
	secrets.literal_secret("MYSQL_ROOT_PASSWORD", 12345678)
	not secrets.literal_secret("MYSQL_RANDOM_ROOT_PASSWORD", 1)
	not secrets.literal_secret("MYSQL_ALLOW_EMPTY_PASSWORD", "yes")
	secrets.redact(12345678901234) == "12****"
	_fires([_i("env", ["DB_PASSWORD", "123456", "="])])
	not _fires([_i("env", ["MYSQL_RANDOM_ROOT_PASSWORD", "1", "="])])
}

# A .pem is a credential file when its name says key or private; a certificate never is.
test_pem_files_by_name if {
	every src in ["key.pem", "server-key.pem", "privkey.pem", "private.pem", "ca-key.pem", "certs/tls.key", "client.p12", "keys/server.pem", "/etc/ssl/private/server.pem"] {
		_fires([_i("copy", [src, "/etc/ssl/"])])
	}
	every src in ["ca.pem", "certs/ca.pem", "my-ca.pem", "rootCA.pem", "fullchain.pem", "cert.pem", "chain.pem", "server.pem", "pubkey.pem", "public-key.pem", "server.crt", "ca.cer", "keys/ca.pem", "keys/fullchain.pem"] {
		not _fires([_i("copy", [src, "/etc/ssl/certs/"])])
	}
}

# A label holding a known credential format is reported as that format, once.
test_a_label_with_a_credential_format_is_reported_as_that_format if {
	msgs := {d.msg | some d in secret_in_image.deny} with input as _doc([_i("label", ["deploy.key", "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", "="])])
	msgs == {"LABEL deploy.key holds a GitHub token (ghp_****)"}
}
