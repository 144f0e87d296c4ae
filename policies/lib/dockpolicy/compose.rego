# METADATA
# title: Compose input helpers
# description: |
#   Services of a Compose file (`compose.yaml`, `docker-compose.yml`, ...), recognised by
#   a `services` mapping whose entries have an `image` or a `build`.
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

# environment(service) is the service's environment as [{key, value}] (value null when
# the entry only names a variable to pass through), from the list or the mapping form.
environment(service) := [_entry(e) | some e in service.environment] if is_array(service.environment)

environment(service) := [{"key": k, "value": v} | some k, v in service.environment] if is_object(service.environment)

_entry(e) := {"key": substring(e, 0, n), "value": substring(e, n + 1, -1)} if {
	n := indexof(e, "=")
	n >= 0
}

_entry(e) := {"key": e, "value": null} if indexof(e, "=") == -1
