# METADATA
# title: Secret detection helpers
# description: |
#   Token-aware secret names, known credential formats, credential file names and
#   redaction. Shared by every input kind, so the same secret is found (and hidden) in a
#   Dockerfile, a manifest or an image config alike.
package lib.dockpolicy.secrets

import data.lib.dockpolicy.text as text_lib

# Words that make a name secret-like, and adjacent pairs that do. These sets (and
# _secret_last_words, _fused_secret_words, _pass_words, _key_last_words and
# _public_key_words) are also the list of names the dockpolicy binary hides values of in
# every report: build.rs reads them from this file, so there is one list.
_secret_words := {"password", "passwd", "pwd", "secret", "token", "apikey", "credential", "credentials", "passphrase", "privatekey"}

_secret_pairs := {["api", "key"], ["private", "key"], ["access", "key"], ["secret", "key"], ["auth", "key"], ["client", "secret"]}

# Words that make a word they end secret-like: PGPASSWORD, MYSQLPASSWORD, apitoken (one word
# to the tokenizer, as `APIToken` is).
_fused_secret_words := {"password", "passwd", "secret", "token", "passphrase", "apikey"}

# A name whose last word says it holds a reference, or a property of the secret, not the
# secret itself.
_reference_words := {"file", "path", "url", "uri", "dir", "endpoint", "host", "name", "user", "username", "id", "length", "type", "ttl", "header", "enabled", "required", "prefix", "format", "mode", "version", "location", "policy", "expiry", "env", "var", "seconds", "timeout", "algorithm", "hash", "min", "max", "count", "rotation", "auth", "size", "interval", "days", "hours", "minutes", "issuer", "audience", "hasher", "hashers", "expiration", "expires", "expire", "lifetime", "lifespan", "age", "duration", "validity", "provider", "strategy", "scheme", "method", "backend", "store", "source", "command", "cmd", "script", "arn", "ref", "scope", "scopes", "namespace", "label", "port", "limit", "retries", "attempts", "iterations", "rounds", "rate", "delay", "leeway", "bits", "generator", "validator", "validators", "encoder", "pattern", "rules", "complexity", "strength"}

# The shell's working directories, not passwords (`pwd` is one of the secret words: DB_PWD).
_working_directory_names := {"pwd", "oldpwd"}

# tokens("AWS_SECRET_ACCESS_KEY") == ["aws", "secret", "access", "key"]; camelCase splits too.
tokens(name) := [lower(t) | some t in regex.find_n(`[A-Z]+[a-z0-9]*|[a-z0-9]+`, name, -1)]

# secret_name(name) holds for names like DB_PASSWORD, GITHUB_TOKEN, API_KEY, apiKey,
# AWS_SECRET_ACCESS_KEY, PGPASSWORD, REDISPASS; not for PASSWORD_FILE, TOKEN_URL,
# TOKEN_ISSUER, PUBLIC_KEY, SECRET_NAME, PWD, BYPASS.
secret_name(name) if {
	may_name_secret(name)
	not lower(name) in _working_directory_names
	t := tokens(name)
	count(t) > 0
	not t[count(t) - 1] in _reference_words
	_secret_tokens(t)
}

_secret_tokens(t) if {
	some word in t
	_secret_word(word)
}

_secret_tokens(t) if {
	some i in numbers.range(0, count(t) - 2)
	[t[i], t[i + 1]] in _secret_pairs
}

_secret_word(word) if word in _secret_words

_secret_word(word) if {
	some fused in _fused_secret_words
	endswith(word, fused)
}

# Words that make a name secret-like only as its last word (SMTP_PASS, but not
# PASS_THROUGH), alone or ending it (REDISPASS, KEYPASS, STOREPASS as keytool spells
# them), unless the word is one of _pass_words (BYPASS, COMPASS).
_secret_last_words := {"pass"}

_pass_words := {"bypass", "compass", "encompass", "surpass", "trespass", "overpass", "underpass", "flypass", "keepass"}

_secret_tokens(t) if t[count(t) - 1] in _secret_last_words

_secret_tokens(t) if {
	last := t[count(t) - 1]
	some word in _secret_last_words
	endswith(last, word)
	not _ends_with_any(last, _pass_words)
}

_ends_with_any(s, words) if {
	some word in words
	endswith(s, word)
}

# Keys by their last word: APP_KEY, LICENSE_KEY, ENCRYPTION_KEY, SIGNING_KEY, *_MASTER_KEY,
# masterKey. Whether one holds a secret depends on its value (key_secret); a name with one
# of _public_key_words names a public key or a key id (GPG_KEY, PUBLIC_KEY, CACHE_KEY).
_key_last_words := {"key"}

_public_key_words := {"gpg", "pgp", "gnupg", "public", "pub", "cache", "sort", "partition", "primary", "foreign", "routing", "lookup", "idempotency", "dedup", "shard"}

# key_name(name): a name ending in the word KEY that names no public key or key id.
key_name(name) if {
	contains(lower(name), "key")
	t := tokens(name)
	count(t) > 0
	t[count(t) - 1] in _key_last_words
	not _names_a_public_key(t)
}

_names_a_public_key(t) if {
	some word in t
	word in _public_key_words
}

# key_secret(name, value): a key name (key_name) whose literal value looks like a key:
# at least 16 characters of base64 or hex text (an optional `base64:` prefix aside) with a
# digit in them, not a path, and not a GPG key id or fingerprint (16 or 40 upper-case hex
# digits, or 0x and 8, 16 or 40 hex digits).
key_secret(name, value) if {
	is_string(value)
	key_name(name)
	key_like(_baked(value))
}

key_like(v) if {
	s := trim_prefix(v, "base64:")
	count(s) >= 16
	trim(s, _key_chars) == ""
	not startswith(s, "/")
	_has_digit(s)
	not _key_id_or_fingerprint(s)
}

_key_chars := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-"

_has_digit(s) if {
	some digit in ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
	contains(s, digit)
}

_key_id_or_fingerprint(s) if {
	count(s) in {16, 40}
	trim(s, "0123456789ABCDEF") == ""
}

_key_id_or_fingerprint(s) if {
	hex := trim_prefix(lower(s), "0x")
	hex != lower(s)
	count(hex) in {8, 16, 40}
	trim(hex, "0123456789abcdef") == ""
}

# literal_secret(name, value): a secret name with a literal value, or a key name with a
# key-like one. What DP006 reports of an ENV, ARG, LABEL, env var or Compose variable.
literal_secret(name, value) if {
	secret_name(name)
	literal(value)
}

literal_secret(name, value) if key_secret(name, value)

# secret_arg_name(name): a build arg name that holds a secret whatever its value: a secret
# name, or a key name.
secret_arg_name(name) if secret_name(name)

secret_arg_name(name) if key_name(name)

# Credential formats that are secrets whatever the variable is called, each with the
# literal words it cannot match without (see lib.dockpolicy.text).
credential_formats := {
	"an AWS access key id": {"pattern": `\b(AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b`, "needs": ["AKIA", "ASIA", "ABIA", "ACCA", "A3T"]},
	"a GitHub token": {"pattern": `\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})`, "needs": ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"]},
	"a GitLab token": {"pattern": `\bglpat-[A-Za-z0-9_\-]{20,}`, "needs": ["glpat-"]},
	"a Slack token": {"pattern": `\bxox[baprs]-[A-Za-z0-9\-]{10,}`, "needs": ["xox"]},
	"a private key": {"pattern": `-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----`, "needs": ["KEY-----"]},
}

# credential_kinds(text) is the set of credential formats found in text.
credential_kinds(text) := credential_kinds_among(text, object.keys(credential_formats))

# credential_kinds_among(text, kinds): the same, looking only for the formats in kinds
# (a Dockerfile rule first keeps the formats whose words occur anywhere in the file, so
# most files look for none, instruction by instruction).
credential_kinds_among(text, kinds) := {kind |
	formats := credential_formats
	some kind in kinds
	format := formats[kind]
	text_lib.mentions_any(text, format.needs)
	regex.match(format.pattern, text)
}

# possible_credential_kinds(text): the credential formats and inline-credential patterns
# whose needed words occur in text; none of the others can match any part of it.
# (Every Dockerfile's whole text goes through here: the needed words are tested with
# `contains` in the comprehensions themselves, a builtin per word where a helper call per
# format cost more.)
possible_credential_kinds(text) := {kind |
	some need, kind in _kinds_by_need
	contains(text, need)
} | {kind |
	some need, pattern in _inline_patterns_by_need
	contains(text, need)
	contains(text, pattern.also)
	kind := pattern.kind
}

# Each word a credential format needs, with the format's kind; and each inline pattern
# by the one word of its `needs`, with its `needs_all` word ("" when none). A test holds
# both to credential_formats and _inline_patterns.
_kinds_by_need := {
	"AKIA": "an AWS access key id", "ASIA": "an AWS access key id", "ABIA": "an AWS access key id",
	"ACCA": "an AWS access key id", "A3T": "an AWS access key id",
	"ghp_": "a GitHub token", "gho_": "a GitHub token", "ghu_": "a GitHub token",
	"ghs_": "a GitHub token", "ghr_": "a GitHub token", "github_pat_": "a GitHub token",
	"glpat-": "a GitLab token",
	"xox": "a Slack token",
	"KEY-----": "a private key",
}

_inline_patterns_by_need := {
	"curl": {"kind": "a user:password passed to curl -u/--user", "also": "-u"},
	"@": {"kind": "credentials in a URL", "also": "://"},
	"--pass": {"kind": "a --password argument", "also": ""},
}

# literal(value) holds for a value that is written out, not taken from a variable, and
# that is not a mere setting (true/false/yes/no/on/off or a number of at most three
# digits, as in MYSQL_ALLOW_EMPTY_PASSWORD=yes or MYSQL_RANDOM_ROOT_PASSWORD=1; longer
# digit strings, and YAML numbers of four digits or more, count). A variable bakes in
# what it expands to when written: the default of `${VAR:-default}` and `${VAR-default}`,
# the alternative of `${VAR:+alt}` and `${VAR+alt}`; `$VAR` and `${VAR}` alone are no
# literal, an escaped `\$` is one.
literal(value) if {
	is_string(value)
	v := _baked(value)
	v != ""
	not startswith(v, "$")
	not _setting(v)
}

literal(value) if {
	is_number(value)
	abs(value) >= 1000
}

# Settings, checked with string builtins: every regex call costs a fresh matcher in
# regorus, far more than these.
_setting(v) if lower(v) in {"true", "false", "yes", "no", "on", "off"}

# Up to three digits, with an optional minus sign.
_setting(v) if {
	digits := trim_prefix(v, "-")
	count(digits) <= 3
	text_lib.digits(digits)
}

_expansion_pattern := `^\$\{[A-Za-z_][A-Za-z0-9_]*:?[-+]([^}]*)\}$`

# _baked(value): what a value written with a default or alternative expands to.
_baked(value) := m[0][1] if {
	startswith(value, "${")
	m := regex.find_all_string_submatch_n(_expansion_pattern, value, 1)
	count(m) == 1
}

_baked(value) := value if not _has_expansion(value)

_has_expansion(value) if {
	startswith(value, "${")
	regex.match(_expansion_pattern, value)
}

# redact(value) shows at most a short prefix: never the secret. (A YAML number is shown
# as its digits are.)
redact(value) := _redacted(value) if is_string(value)

redact(value) := _redacted(sprintf("%v", [value])) if not is_string(value)

_redacted(s) := concat("", [substring(s, 0, _shown(count(s))), "****"])

_shown(n) := 4 if n >= 24

_shown(n) := 2 if {
	n >= 12
	n < 24
}

_shown(n) := 0 if n < 12

# Credential files by name or path suffix. A `.pem` is one when it holds a private key
# by its name (pem_private_key); `.crt` and `.cer` are certificates, never.
_credential_names := {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".env", ".npmrc", ".netrc", ".pypirc", ".git-credentials", ".pgpass", ".htpasswd", ".ssh", ".aws", ".kube", ".gnupg"}

_credential_suffixes := {".key", ".p12", ".pfx", ".aws/credentials", ".docker/config.json", ".kube/config"}

credential_file(path) if {
	base := trim_right(_basename(trim_right(path, "/")), "*")
	base in _credential_names
}

credential_file(path) if {
	base := _basename(path)
	startswith(base, ".env.")
	not base in {".env.example", ".env.sample", ".env.template", ".env.dist"}
}

credential_file(path) if {
	some suffix in _credential_suffixes
	endswith(lower(path), suffix)
}

credential_file(path) if {
	endswith(lower(path), ".pem")
	pem_private_key(lower(path))
}

# pem_private_key(path) (lower case): its name says key or private (`key.pem`,
# `server-key.pem`, `ca-key.pem`, `privkey.pem`, `private.pem`) and not public
# (`pubkey.pem`, `public-key.pem`); or it sits in a `private` or `keys` directory and its
# name says no certificate (`ca.pem`, `*-ca.pem`, `cert.pem`, `chain.pem`, `fullchain.pem`,
# `bundle.pem` never are).
pem_private_key(path) if {
	base := _basename(path)
	not contains(base, "pub")
	_says_key(base)
}

pem_private_key(path) if {
	base := _basename(path)
	not contains(base, "pub")
	not _says_certificate(base)
	parts := split(path, "/")
	some dir in array.slice(parts, 0, count(parts) - 1)
	dir in {"private", "keys", "key", "private_keys"}
}

_says_key(base) if contains(base, "key")

_says_key(base) if contains(base, "priv")

_says_certificate(base) if {
	some word in ["cert", "chain", "bundle", "crt", "trust"]
	contains(base, word)
}

_says_certificate(base) if {
	some word in regex.split(`[^a-z0-9]+`, trim_suffix(base, ".pem"))
	word in {"ca", "cacert", "rootca", "root"}
}

_says_certificate(base) if endswith(trim_suffix(base, ".pem"), "ca")

_basename(path) := parts[count(parts) - 1] if parts := split(path, "/")

# may_name_credential_file(text) holds when text (a path, or text the paths are part of)
# contains, in any case, a word every credential file name or suffix above contains:
# without one, credential_file holds for none of its paths.
may_name_credential_file(text) if text_lib.mentions_any(lower(text), _credential_file_needs)

_credential_file_needs := ["id_", ".env", ".npmrc", ".netrc", ".pypirc", ".git-credentials", ".pgpass", ".htpasswd", ".ssh", ".aws", ".kube", ".gnupg", ".pem", ".key", ".p12", ".pfx", ".docker/config.json"]

# Inline credentials in a shell command: `curl -u user:pass`, `https://user:pass@host`,
# `--password=...`. Values taken from variables (`$TOKEN`) do not count, and neither do
# image references (`docker://nginx:1.25@sha256:...` is a tag and a digest, not a password).
inline_credentials(text) := inline_credentials_among(text, object.keys(_inline_patterns))

inline_credentials_among(text, kinds) := {kind |
	some kind in kinds
	check := _inline_patterns[kind]
	text_lib.mentions_any(text, check.needs)
	text_lib.mentions_all(text, check.needs_all)
	some match in regex.find_all_string_submatch_n(check.pattern, text, -1)
	literal(match[1])
	not startswith(match[2], "sha256:")
}

# Each pattern captures the password (group 1) and what follows it (group 2); `needs` are
# words of which it needs one, `needs_all` words it needs every one of.
_inline_patterns := {
	"a user:password passed to curl -u/--user": {"pattern": `\bcurl\b[^|;&\n]*\s(?:-u|--user)[= ]?\s*['"]?[^\s:'"]+:([^\s'"]+)()`, "needs": ["curl"], "needs_all": ["-u"]},
	"credentials in a URL": {"pattern": `[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@'"]*:([^\s/@'"]+)@(\S{0,7})`, "needs": ["@"], "needs_all": ["://"]},
	"a --password argument": {"pattern": `(?:^|\s)--(?:password|passwd|pass)[= ]['"]?([^\s'"]+)()`, "needs": ["--pass"], "needs_all": []},
}

# assigned_secret_names(text): the names a file's text assigns a literal secret to, one
# assignment a line: `NAME=value`, `NAME: value`, `"name": "value"`, `name = "value"`,
# `export NAME=value`, `//registry/:_authToken=value` (as literal_secret decides).
assigned_secret_names(text) := {m[1] |
	may_name_secret(text)
	some m in regex.find_all_string_submatch_n(_assignment_pattern, text, -1)
	literal_secret(m[1], _unquoted(trim_right(m[2], ",;")))
}

_assignment_pattern := `([A-Za-z_][A-Za-z0-9_.\-]*)["']?[ \t]*[:=][ \t]*("[^"\n]*"|'[^'\n]*'|[^\s#]+)`

_unquoted(s) := substring(s, 1, count(s) - 2) if {
	count(s) >= 2
	q := substring(s, 0, 1)
	q in {"\"", "'"}
	endswith(s, q)
} else := s

# may_name_secret(text) holds when text (a name, or text the names are part of) contains
# one of the words every secret word or pair contains: without one, no name in it is
# secret, and secret_name's regex is skipped.
may_name_secret(text) if text_lib.mentions_any(lower(text), ["pass", "pwd", "secret", "token", "key", "credential"])
