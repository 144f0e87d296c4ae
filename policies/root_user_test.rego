package dockpolicy.root_user_test

import data.dockpolicy.root_user

_from(img, stage, base, line) := {"Cmd": "from", "Image": img, "ImageResolved": true, "BaseStage": base, "Stage": stage, "StartLine": line, "Value": [img]}

_user(u, stage, line) := {"Cmd": "user", "Value": [u], "Stage": stage, "StartLine": line, "Flags": []}


test_fires_without_user if {
	count(root_user.deny) == 1 with input as [_from("node:22", 0, null, 1)]
}

test_reports_the_final_from_line_when_user_is_missing if {
	some r in root_user.deny with input as [_from("node:22", 0, null, 1)]
	r._loc.line == 1
}

test_fires_on_root_user_forms if {
	every u in ["root", "0", "root:root", "0:0", "root:staff"] {
		count(root_user.deny) == 1 with input as [_from("node:22", 0, null, 1), _user(u, 0, 2)]
	}
}

test_passes_with_a_non_root_user if {
	count(root_user.deny) == 0 with input as [_from("node:22", 0, null, 1), _user("node", 0, 2)]
	count(root_user.deny) == 0 with input as [_from("node:22", 0, null, 1), _user("1000:1000", 0, 2)]
	count(root_user.deny) == 0 with input as [_from("node:22", 0, null, 1), _user("rootless", 0, 2)]
}

test_the_last_user_wins if {
	count(root_user.deny) == 1 with input as [_from("node:22", 0, null, 1), _user("app", 0, 2), _user("root", 0, 3)]
	count(root_user.deny) == 0 with input as [_from("node:22", 0, null, 1), _user("root", 0, 2), _user("app", 0, 3)]
}

test_builder_stages_do_not_count if {
	count(root_user.deny) == 1 with input as [
		_from("golang:1.23", 0, null, 1), _user("builder", 0, 2),
		_from("alpine:3.20", 1, null, 3),
	]
	count(root_user.deny) == 0 with input as [
		_from("golang:1.23", 0, null, 1), _user("root", 0, 2),
		_from("alpine:3.20", 1, null, 3), _user("app", 1, 4),
	]
}

test_user_is_inherited_from_a_parent_stage if {
	count(root_user.deny) == 0 with input as [
		_from("alpine:3.20", 0, null, 1), _user("app", 0, 2),
		_from("base", 1, 0, 3),
	]
}

test_scratch_without_user_runs_as_root if {
	count(root_user.deny) == 1 with input as [{"Cmd": "from", "Image": "scratch", "ImageResolved": true, "BaseStage": null, "Stage": 0, "StartLine": 1}]
}

test_a_nonroot_tag_without_user_still_fires_unless_exempted if {
	count(root_user.deny) == 1 with input as [_from("gcr.io/distroless/static-debian12:nonroot", 0, null, 1)]
	count(root_user.deny) == 0 with input as [_from("gcr.io/distroless/static-debian12:nonroot", 0, null, 1)]
		with data.dockpolicy_config.exempt_images as {"DP005": ["gcr.io/distroless/**:nonroot"]}
}

test_quoted_zero_padded_and_variable_users_resolve if {
	every u in ["\"root\"", "00", "${UID}", "$UID:0", "${APP_USER}"] {
		count(root_user.deny) == 1 with input as [
			{"Cmd": "arg", "Value": ["UID=0"], "Stage": 0, "StartLine": 1},
			_from("node:22", 0, null, 2),
			{"Cmd": "env", "Value": ["APP_USER", "root", "="], "Stage": 0, "StartLine": 3},
			_user(u, 0, 4),
		]
	}
	count(root_user.deny) == 0 with input as [
		{"Cmd": "arg", "Value": ["UID=1000"], "Stage": 0, "StartLine": 1},
		_from("node:22", 0, null, 2),
		_user("${UID}", 0, 3),
	]
}

test_config_exempt_images if {
	count(root_user.deny) == 0 with input as [_from("registry.example.com/runs-as-app:1", 0, null, 1)]
		with data.dockpolicy_config.exempt_images as {"DP005": ["registry.example.com/runs-as-app:*"]}
}

test_the_last_definition_of_a_user_variable_wins if {
	count(root_user.deny) == 0 with input as [
		_from("node:22", 0, null, 1),
		{"Cmd": "env", "Value": ["APP_USER", "root", "="], "Stage": 0, "StartLine": 2},
		{"Cmd": "env", "Value": ["APP_USER", "app", "="], "Stage": 0, "StartLine": 3},
		_user("$APP_USER", 0, 4),
	]
}

# USER as dockpolicy's parser gives it: `User` holds the value expanded in the stage's
# scope (the scoping itself is tested in Rust, src/input/dockerfile/scope.rs).
_scoped_user(written, value, resolved) := {"Cmd": "user", "Value": [written], "Stage": 0, "StartLine": 4, "Flags": [], "User": {"value": value, "resolved": resolved}}

_arg(pairs, stage, line) := {"Cmd": "arg", "Value": [concat("=", [p.key, p.value]) | some p in pairs], "Stage": stage, "StartLine": line, "Pairs": pairs}

test_a_user_empty_in_its_stage_is_root_and_the_message_says_why if {
	results := root_user.deny with input as [
		_arg([{"key": "APP_UID", "value": "10001", "expanded": "10001", "resolved": true}], 0, 1),
		_from("node:22", 0, null, 2),
		_scoped_user("${APP_UID}", "", true),
	]
	count(results) == 1
	some r in results
	contains(r.msg, "USER ${APP_UID} is empty in this stage (APP_UID is not declared in it)")
	r._loc.line == 4
}

test_a_user_declared_empty_says_its_variables_are_empty if {
	some r in root_user.deny with input as [
		_from("node:22", 0, null, 1),
		_arg([{"key": "APP_UID", "value": "", "expanded": "", "resolved": true}], 0, 2),
		_scoped_user("$APP_UID", "", true),
	]
	contains(r.msg, "(its variables are empty)")
}

test_a_default_of_root_is_root if {
	results := root_user.deny with input as [_from("node:22", 0, null, 1), _scoped_user("${APP_USER:-root}", "root", true)]
	count(results) == 1
	some r in results
	contains(r.msg, `USER ${APP_USER:-root} expands to "root"`)
	count(root_user.deny) == 1 with input as [_from("node:22", 0, null, 1), _scoped_user("${APP_UID:-0}:${GID:-0}", "0:0", true)]
}

test_the_expanded_value_is_judged_not_the_written_one if {
	# A stage's ARG UID=10001 that a global ARG UID=0 does not override.
	count(root_user.deny) == 0 with input as [
		_arg([{"key": "UID", "value": "0", "expanded": "0", "resolved": true}], 0, 1),
		_from("node:22", 0, null, 2),
		_arg([{"key": "UID", "value": "10001", "expanded": "10001", "resolved": true}], 0, 3),
		_scoped_user("${UID}", "10001", true),
	]
	count(root_user.deny) == 0 with input as [_from("node:22", 0, null, 1), _scoped_user("${APP_USER:-root}", "app", true)]
	count(root_user.deny) == 0 with input as [_from("node:22", 0, null, 1), _scoped_user("\"app\"", "app", true)]
	count(root_user.deny) == 1 with input as [_from("node:22", 0, null, 1), _scoped_user("\"root\"", "root", true)]
}

test_a_user_with_an_unknown_value_is_not_judged if {
	count(root_user.deny) == 0 with input as [_from("node:22", 0, null, 1), _scoped_user("${APP_UID}", "", false)]
	count(root_user.deny) == 0 with input as [_from("node:22", 0, null, 1), _scoped_user("${UID}:0", ":0", false)]
}
