# METADATA
# title: Dockerfile input helpers
# description: |
#   Accessors over the Dockerfile document (conftest's instruction array plus
#   dockpolicy's `Image`, `BaseStage` and line fields).
package lib.dockpolicy.dockerfile

# is_dockerfile holds when the input is a Dockerfile instruction array.
is_dockerfile if {
	is_array(input)
	some instruction in input
	instruction.Cmd == "from"
}

# external_bases contains the FROM instructions that pull an image from a registry:
# not `scratch`, not an earlier stage, and with every ARG resolved.
external_bases contains instruction if {
	is_dockerfile
	some instruction in input
	instruction.Cmd == "from"
	instruction.BaseStage == null
	instruction.ImageResolved
	lower(instruction.Image) != "scratch"
}
