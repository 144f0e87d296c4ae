# Every image names the team that owns it.
package org.labels

warn contains msg if {
	is_array(input)
	not _has_owner
	msg := "add LABEL org.opencontainers.image.authors so incidents reach the owning team"
}

# `Pairs` is the LABEL's [{key, value}] with quotes removed, so
# LABEL "org.opencontainers.image.authors"="team@example.com" counts too.
_has_owner if {
	some instr in input
	instr.Cmd == "label"
	some pair in instr.Pairs
	pair.key == "org.opencontainers.image.authors"
}
