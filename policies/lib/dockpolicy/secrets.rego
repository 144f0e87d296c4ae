# METADATA
# title: Secret detection helpers
# description: |
#   Token-aware secret names, known credential formats, credential file names and
#   redaction. Shared by every input kind, so the same secret is found (and hidden) in a
#   Dockerfile, a manifest or an image config alike.
package lib.dockpolicy.secrets

import data.lib.dockpolicy.text as text_lib

# Words that make a name secret-like, and adjacent pairs that do. These sets (and
# _secret_last_words) are also the list of names the dockpolicy binary hides values of in
# every report: build.rs reads them from this file, so there is one list.
_secret_words := {"password", "passwd", "pwd", "secret", "token", "apikey", "credential", "credentials", "passphrase", "privatekey"}

_secret_pairs := {["api", "key"], ["private", "key"], ["access", "key"], ["secret", "key"], ["auth", "key"], ["client", "secret"]}

# A name whose last word says it holds a reference, not the secret itself.
_reference_words := {"file", "path", "url", "uri", "dir", "endpoint", "host", "name", "user", "username", "id", "length", "type", "ttl", "header", "enabled", "required", "prefix", "format", "mode", "version", "location", "policy", "expiry", "env", "var", "seconds", "timeout", "algorithm", "hash", "min", "max", "count", "rotation", "auth", "size", "interval", "days", "hours", "minutes"}

# tokens("AWS_SECRET_ACCESS_KEY") == ["aws", "secret", "access", "key"]; camelCase splits too.
tokens(name) := [lower(t) | some t in regex.find_n(`[A-Z]+[a-z0-9]*|[a-z0-9]+`, name, -1)]

# secret_name(name) holds for names like DB_PASSWORD, GITHUB_TOKEN, API_KEY, apiKey,
# AWS_SECRET_ACCESS_KEY; not for PASSWORD_FILE, TOKEN_URL, PUBLIC_KEY, SECRET_NAME.
secret_name(name) if {
	may_name_secret(name)
	t := tokens(name)
	count(t) > 0
	not t[count(t) - 1] in _reference_words
	_secret_tokens(t)
}

_secret_tokens(t) if {
	some word in t
	word in _secret_words
}

_secret_tokens(t) if {
	some i in numbers.range(0, count(t) - 2)
	[t[i], t[i + 1]] in _secret_pairs
}

# Words that make a name secret-like only as its last word (SMTP_PASS, but not PASS_THROUGH).
_secret_last_words := {"pass"}

_secret_tokens(t) if t[count(t) - 1] in _secret_last_words

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
# that is not a mere setting (true/false/yes/no/on/off or a number, as in
# MYSQL_ALLOW_EMPTY_PASSWORD=yes or TOKEN_EXPIRY=3600; long digit strings still count). A variable with a literal default
# (${SECRET_KEY:-changeme}) bakes the default in, so it counts.
literal(value) if {
	is_string(value)
	v := _default_of(value)
	v != ""
	not startswith(v, "$")
	not _setting(v)
}

# Settings, checked with string builtins: every regex call costs a fresh matcher in
# regorus, far more than these.
_setting(v) if lower(v) in {"true", "false", "yes", "no", "on", "off"}

# Up to nine digits, with an optional minus sign.
_setting(v) if {
	digits := trim_prefix(v, "-")
	count(digits) <= 9
	text_lib.digits(digits)
}

_default_pattern := `^\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]+)\}$`

_default_of(value) := m[0][1] if {
	startswith(value, "${")
	m := regex.find_all_string_submatch_n(_default_pattern, value, 1)
	count(m) == 1
}

_default_of(value) := value if not _has_default(value)

_has_default(value) if {
	startswith(value, "${")
	regex.match(_default_pattern, value)
}

# redact(value) shows at most a short prefix: never the secret.
redact(value) := concat("", [substring(value, 0, _shown(count(value))), "****"])

_shown(n) := 4 if n >= 24

_shown(n) := 2 if {
	n >= 12
	n < 24
}

_shown(n) := 0 if n < 12

# Credential files by name or path suffix.
_credential_names := {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".env", ".npmrc", ".netrc", ".pypirc", ".git-credentials", ".pgpass", ".htpasswd", ".ssh", ".aws", ".kube", ".gnupg"}

_credential_suffixes := {".pem", ".key", ".p12", ".pfx", ".aws/credentials", ".docker/config.json", ".kube/config"}

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
	"credentials in a URL": {"pattern": `[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@'"]+:([^\s/@'"]+)@(\S{0,7})`, "needs": ["@"], "needs_all": ["://"]},
	"a --password argument": {"pattern": `(?:^|\s)--(?:password|passwd|pass)[= ]['"]?([^\s'"]+)()`, "needs": ["--pass"], "needs_all": []},
}

# may_name_secret(text) holds when text (a name, or text the names are part of) contains
# one of the words every secret word or pair contains: without one, no name in it is
# secret, and secret_name's regex is skipped.
may_name_secret(text) if text_lib.mentions_any(lower(text), ["pass", "pwd", "secret", "token", "key", "credential"])
