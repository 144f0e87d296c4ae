# Base images must come from the organisation's registries.
package org.registry

deny contains {"msg": msg, "_loc": {"line": instr.StartLine}} if {
	some instr in input
	instr.Cmd == "from"
	instr.BaseStage == null
	lower(instr.Image) != "scratch"
	not allowed(instr.Image)
	msg := sprintf("base image %q is not from an approved registry", [instr.Image])
}

allowed(image) if {
	some prefix in data.org.allowed_registries
	startswith(image, prefix)
}
