# Every image names the team that owns it.
package org.labels

warn contains msg if {
	is_array(input)
	not _has_owner
	msg := "add LABEL org.opencontainers.image.authors so incidents reach the owning team"
}

_has_owner if {
	some instr in input
	instr.Cmd == "label"
	some i, key in instr.Value
	i % 3 == 0
	key == "org.opencontainers.image.authors"
}
