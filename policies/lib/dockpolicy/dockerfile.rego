# METADATA
# title: Dockerfile input helpers
# description: |
#   Accessors over the Dockerfile document (conftest's instruction array plus
#   dockpolicy's `Image`, `ImageRef`, `BaseStage`, `Pairs`, `User`, `Images` and line
#   fields): stages, the final image, command text with heredoc bodies, label, env and arg
#   pairs, values expanded in Docker's variable scopes, images pulled outside FROM.
package lib.dockpolicy.dockerfile

# is_dockerfile holds when the input is a Dockerfile instruction array (one with a FROM).
is_dockerfile if count(_froms) > 0

froms := _froms if is_dockerfile

# (One pass over the input finds the FROMs and decides is_dockerfile: an existential
# check walks the whole array too, so one walk answers both.)
_froms := [f | some f in input; f.Cmd == "from"] if is_array(input)

# external_bases contains the FROM instructions that pull an image from a registry:
# not `scratch`, not an earlier stage, and with every ARG resolved.
external_bases contains f if {
	some f in froms
	f.BaseStage == null
	f.ImageResolved
	lower(f.Image) != "scratch"
}

final_stage := count(froms) - 1

# The stages whose content ends up in the final image: the final stage and the stages it
# builds FROM, transitively.
_stage_graph[sprintf("%d", [f.Stage])] := _base_of(f) if some f in froms

_base_of(f) := [sprintf("%d", [f.BaseStage])] if f.BaseStage != null

_base_of(f) := [] if f.BaseStage == null

# (Most final stages start from an image, not an earlier stage: then the graph walk, with
# its number formatting per stage, is skipped.)
final_stages := {final_stage} if not _final_builds_on_a_stage

final_stages := {to_number(s) | some s in graph.reachable(_stage_graph, {sprintf("%d", [final_stage])})} if _final_builds_on_a_stage

_final_builds_on_a_stage if final_from.BaseStage != null

# Instructions (comments excluded) of the final image, in source order.
# (A rule named inside a loop is looked up again on every iteration, each lookup a VM
# call: this rule and those below bind such a value once, before their loop.)
final_instructions := [i |
	stages := final_stages
	some i in input
	i.Cmd != "comment"
	i.Stage in stages
]

# The RUN instructions of the final image with their shell text, in source order, and its
# `ONBUILD RUN` triggers (stored in the image, they run in every build FROM it): DP008
# and DP011 both read every one, so the text is computed once per input.
final_runs := [{"instruction": i, "text": command_text(i)} |
	some i in final_instructions
	# (Inline builtins, not a helper call per final instruction: an ONBUILD's SubCmd
	# names its trigger, and no other instruction's SubCmd is "run".)
	i.Cmd in {"run", "onbuild"}
	"run" in {i.Cmd, lower(object.get(i, "SubCmd", ""))}
]

# The FROM that starts the final stage.
final_from := f if {
	last := final_stage
	some f in froms
	f.Stage == last
}

# The external image at the root of the final image's stage chain (undefined for scratch
# or an unresolved ARG).
final_base := f if {
	stages := final_stages
	some f in froms
	f.Stage in stages
	f.BaseStage == null
}

# command_text(i) is a RUN's shell text: its arguments and every heredoc body, one line
# of the text per line of a script (a line ending in `\` continues on the next, as the
# shell reads it).
# (Most instructions have no heredoc: the first form keeps them to one builtin call.)
command_text(i) := concat(" ", i.Value) if not i.Heredocs

command_text(i) := concat("\n", array.concat([concat(" ", i.Value)], [replace(h.Content, "\\\n", " ") | some h in i.Heredocs])) if i.Heredocs

# run_flags(i) is the flags of a RUN, or of an `ONBUILD RUN` trigger: conftest's document
# keeps a trigger's flags only in its `Original` text, before the command.
run_flags(i) := i.Flags if i.Cmd == "run"

run_flags(i) := regex.find_n(`--\S+`, written[0][1], -1) if {
	i.Cmd == "onbuild"
	lower(i.SubCmd) == "run"
	written := regex.find_all_string_submatch_n(`(?is)^\s*onbuild\s+run((?:\s+--\S+)*)`, i.Original, 1)
}

# has_mount(i, type) holds when a RUN (or ONBUILD RUN) has a `--mount=type=<type>` flag.
has_mount(i, type) if {
	some flag in run_flags(i)
	startswith(flag, "--mount=")
	some part in split(trim_prefix(flag, "--mount="), ",")
	part in {sprintf("type=%s", [type])}
}

# cache_mount_targets(i) is the set of directories a RUN (or ONBUILD RUN) mounts a cache
# at (`--mount=type=cache,target=DIR`; `dst=` and `destination=` too).
cache_mount_targets(i) := {target |
	some flag in run_flags(i)
	startswith(flag, "--mount=")
	parts := split(trim_prefix(flag, "--mount="), ",")
	"type=cache" in parts
	some part in parts
	some key in ["target=", "dst=", "destination="]
	startswith(part, key)
	target := unquote(trim_prefix(part, key))
}

# pulled_images: the images a COPY/ADD `--from` or a RUN `--mount=...,from=` pulls, in
# every stage, as {"instruction", "image"} (image: {Image, ImageRef, ImageResolved, Flag}),
# those whose variables all resolved and not `scratch`. dockpolicy's parser finds them
# (`Images`, stage names and indexes left out); documents made elsewhere have none.
pulled_images := [{"instruction": i, "image": img} |
	some i in input
	# (A reference, not object.get: most instructions have no `Images`, and an undefined
	# field ends the iteration without a builtin call.)
	is_array(i.Images)
	some img in i.Images
	img.ImageResolved == true
	lower(img.Image) != "scratch"
] if is_dockerfile

# user_value(i) is the value a USER sets, as the build sees it: expanded in its stage's
# variable scope (`User` from dockpolicy's parser; an out-of-scope ARG is empty), and
# undefined when a variable in it has no known value. Documents without `User` (conftest's)
# give the value as written, unquoted.
user_value(i) := trim_space(user.value) if {
	user := object.get(i, "User", null)
	is_object(user)
	user.resolved == true
} else := unquote(trim_space(i.Value[0])) if {
	not is_object(object.get(i, "User", null))
}

# pair_value(pair) is a `Pairs` entry's value as the build sees it: `expanded` (in the
# instruction's variable scope) when every variable in it resolved, else the value as
# written (documents without `expanded` have only that).
pair_value(pair) := pair.expanded if {
	object.get(pair, "resolved", false) == true
} else := pair.value

# pairs(i) is an ENV's or LABEL's `Value` ([key, value, sep, ...]) as [{key, value}], quotes
# removed. dockpolicy's parser gives it as `Pairs` (computed in Rust, several times cheaper
# than here, with `expanded` and `resolved` too: see pair_value); the computation serves
# documents made elsewhere, e.g. conftest's JSON. (Each helper returns `Pairs` only for its
# own instructions: called on an ARG or ONBUILD ARG, `pairs` still splits it as an ENV, as
# it does for conftest's documents.)
# (Only an ONBUILD has a SubCmd: builtins decide the kind without a function call.)
pairs(i) := i.Pairs if {
	i.Cmd != "arg"
	lower(object.get(i, "SubCmd", "")) != "arg"
	i.Pairs
} else := [{"key": unquote(i.Value[k]), "value": unquote(i.Value[k + 1])} |
	some k in numbers.range(0, count(i.Value) - 1)
	k % 3 == 0
	k + 1 < count(i.Value)
]

# ARG values ([NAME] or [NAME=value]) as [{key, value}]; value null without a default
# (`Pairs` too when the parser made the document).
arg_pairs(i) := i.Pairs if {
	"arg" in {i.Cmd, lower(object.get(i, "SubCmd", ""))}
	i.Pairs
} else := [_arg_pair(word) | some word in i.Value]

_arg_pair(word) := {"key": substring(word, 0, n), "value": unquote(substring(word, n + 1, -1))} if {
	n := indexof(word, "=")
	n >= 0
}

_arg_pair(word) := {"key": word, "value": null} if indexof(word, "=") == -1

# unquote removes one pair of surrounding quotes.
unquote(s) := substring(s, 1, count(s) - 2) if {
	_quoted(s)
} else := s

_quoted(s) if {
	count(s) >= 2
	q := substring(s, 0, 1)
	q in {"\"", "'"}
	endswith(s, q)
}
