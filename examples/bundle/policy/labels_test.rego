package org.labels_test

import data.org.labels

test_owner_label_passes if {
	count(labels.warn) == 0 with input as [
		{"Cmd": "from", "Value": ["alpine:3.20"]},
		{"Cmd": "label", "Value": ["\"org.opencontainers.image.authors\"", "\"team@example.com\"", "="], "Pairs": [{"key": "org.opencontainers.image.authors", "value": "team@example.com"}]},
	]
}

test_missing_owner_warns if {
	count(labels.warn) == 1 with input as [{"Cmd": "from", "Value": ["alpine:3.20"]}]
}

# Kept failing on purpose: `dockpolicy verify` in the README shows what a failure looks like,
# and tests/verify.rs asserts that this is the only failing test in the example bundle.
test_intentionally_failing_shows_what_a_failure_looks_like if {
	count(labels.warn) == 0 with input as [{"Cmd": "from", "Value": ["alpine:3.20"]}]
}
