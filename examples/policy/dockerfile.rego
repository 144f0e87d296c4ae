# A team's own conftest-style rules; run with:
#   dockpolicy test -p examples/policy examples/
package main

deny contains {"msg": msg, "_loc": {"line": instr.StartLine}} if {
	some instr in input
	instr.Cmd == "run"
	contains(instr.Value[0], "apt-get install")
	not contains(instr.Value[0], "--no-install-recommends")
	msg := "apt-get install without --no-install-recommends pulls in extra packages"
}

warn contains msg if {
	not _has_user
	msg := "no USER instruction: the container runs as root"
}

_has_user if {
	some instr in input
	instr.Cmd == "user"
}
