# METADATA
# title: Compose input helpers
# description: |
#   Services of a Compose file (`compose.yaml`, `docker-compose.yml`, ...), recognised by
#   a `services` mapping whose entries have an `image` or a `build`. Values are
#   interpolated as Compose does with no variable set (`interpolated`): the real
#   environment is never read.
package lib.dockpolicy.compose

is_compose if {
	is_object(input.services)
	some _, service in input.services
	_service_like(service)
}

_service_like(service) if service.image

_service_like(service) if service.build

# services contains {"name", "service"} for every service.
services contains {"name": name, "service": service} if {
	is_compose
	some name, service in input.services
}

# environment(service) is the service's environment as [{key, value, step}] (value null
# when the entry only names a variable to pass through; a number or boolean as YAML wrote
# it), from the list or the mapping form; step is the entry's key or index under
# `environment`, for a finding's path.
environment(service) := [_entry(e, i) | some i, e in service.environment; is_string(e)] if is_array(service.environment)

environment(service) := [{"key": k, "value": v, "step": k} | some k, v in service.environment] if is_object(service.environment)

_entry(e, i) := {"key": substring(e, 0, n), "value": substring(e, n + 1, -1), "step": i} if {
	n := indexof(e, "=")
	n >= 0
}

_entry(e, i) := {"key": e, "value": null, "step": i} if indexof(e, "=") == -1

# interpolated(s) is s as Compose interpolates it when no variable is set: `${VAR:-default}`
# and `${VAR-default}` give the default, `${VAR:+alt}` and `${VAR+alt}` give "", `$$` is a
# literal `$`. Undefined when s needs a variable's value (`$VAR`, `${VAR}`, `${VAR:?err}`,
# `${VAR?err}`, a default that is itself interpolated): what it names is not known.
interpolated(s) := s if {
	is_string(s)
	not contains(s, "$")
} else := concat("$", parts) if {
	is_string(s)
	pieces := split(s, "$$")
	# (is_string: regorus's VM lets `p := <undefined>` succeed.)
	parts := [p | some piece in pieces; p := _interpolated_piece(piece); is_string(p)]
	count(parts) == count(pieces)
}

# A piece of text without `$$`: every `$` must start a `${...}` expression with a value.
_interpolated_piece(piece) := piece if not contains(piece, "$")

_interpolated_piece(piece) := strings.replace_n(values, piece) if {
	contains(piece, "$")
	expressions := regex.find_n(`\$\{[^{}$]*\}`, piece, -1)
	count(expressions) == count(indexof_n(piece, "$"))
	values := {e: v | some e in expressions; v := _expression_value(e); is_string(v)}
	count(values) == count({e | some e in expressions})
}

_expression_value(e) := substring(e, count(m[0]), (count(e) - count(m[0])) - 1) if {
	m := regex.find_n(`^\$\{[A-Za-z_][A-Za-z0-9_]*:?-`, e, 1)
	count(m) == 1
}

_expression_value(e) := "" if regex.match(`^\$\{[A-Za-z_][A-Za-z0-9_]*:?\+`, e)
