package dockpolicy.missing_labels_test

import data.dockpolicy.missing_labels

_from(img, stage, base) := {"Cmd": "from", "Image": img, "ImageResolved": true, "BaseStage": base, "Stage": stage, "StartLine": 1, "Value": [img]}

_label(pairs, stage) := {"Cmd": "label", "Value": pairs, "Stage": stage, "StartLine": 2}

test_warns_without_maintainer_information if count(missing_labels.warn) == 1 with input as [_from("alpine:3.20", 0, null)]

test_oci_authors_label_satisfies_the_default if {
	count(missing_labels.warn) == 0 with input as [_from("alpine:3.20", 0, null), _label(["org.opencontainers.image.authors", "\"jane@example.com\"", "="], 0)]
}

test_maintainer_label_satisfies_the_default if {
	count(missing_labels.warn) == 0 with input as [_from("alpine:3.20", 0, null), _label(["maintainer", "jane", ""], 0)]
}

test_quoted_label_keys_count if {
	count(missing_labels.warn) == 0 with input as [_from("alpine:3.20", 0, null), _label(["\"maintainer\"", "jane", "="], 0)]
}

test_maintainer_instruction_does_not_count_and_says_so if {
	results := missing_labels.warn with input as [_from("alpine:3.20", 0, null), {"Cmd": "maintainer", "Value": ["jane"], "Stage": 0, "StartLine": 2}]
	count(results) == 1
	some r in results
	contains(r.msg, "MAINTAINER is deprecated")
}

test_labels_from_parent_stages_count if {
	count(missing_labels.warn) == 0 with input as [
		_from("alpine:3.20", 0, null), _label(["maintainer", "jane", "="], 0),
		_from("base", 1, 0),
	]
}

test_labels_from_unrelated_stages_do_not_count if {
	count(missing_labels.warn) == 1 with input as [
		_from("alpine:3.20", 0, null), _label(["maintainer", "jane", "="], 0),
		_from("alpine:3.20", 1, null),
	]
}

test_configured_required_labels if {
	doc := [_from("alpine:3.20", 0, null), _label(["maintainer", "jane", "="], 0)]
	results := missing_labels.warn with input as doc
		with data.dockpolicy_config.required_labels as ["org.opencontainers.image.source", ["team", "owner"]]
	count(results) == 2
}

test_an_empty_label_does_not_count if {
	count(missing_labels.warn) == 1 with input as [_from("alpine:3.20", 0, null), _label(["maintainer", "\"\"", "="], 0)]
}

_scoped_label(key, written, expanded, resolved) := {"Cmd": "label", "Value": [key, written, "="], "Stage": 0, "StartLine": 2, "Pairs": [{"key": key, "value": written, "expanded": expanded, "resolved": resolved}]}

test_a_label_empty_after_expansion_does_not_count if {
	count(missing_labels.warn) == 1 with input as [_from("alpine:3.20", 0, null), _scoped_label("maintainer", "$AUTHOR", "", true)]
	count(missing_labels.warn) == 1 with input as [_from("alpine:3.20", 0, null), _scoped_label("maintainer", "${AUTHOR:-}", " ", true)]
	count(missing_labels.warn) == 0 with input as [_from("alpine:3.20", 0, null), _scoped_label("maintainer", "$AUTHOR", "jane", true)]
}

test_a_label_from_a_variable_without_a_known_value_counts if {
	count(missing_labels.warn) == 0 with input as [_from("alpine:3.20", 0, null), _scoped_label("maintainer", "$AUTHOR", "", false)]
}

test_a_blank_label_does_not_count if {
	count(missing_labels.warn) == 1 with input as [_from("alpine:3.20", 0, null), _label(["maintainer", "\" \"", "="], 0)]
}

_inspect(labels) := {"Config": {"User": "app", "Labels": labels}, "RootFS": {"Type": "layers"}}

test_an_image_label_with_an_empty_value_is_missing if {
	count(missing_labels.warn) == 1 with input as _inspect({"maintainer": ""})
	count(missing_labels.warn) == 1 with input as _inspect({"maintainer": "  ", "org.opencontainers.image.authors": ""})
	count(missing_labels.warn) == 0 with input as _inspect({"maintainer": "", "org.opencontainers.image.authors": "jane"})
	count(missing_labels.warn) == 0 with input as _inspect({"maintainer": "jane"})
}
