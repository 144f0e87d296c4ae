package dockpolicy.image_size_test

import data.dockpolicy.image_size

_archive(sizes) := {"ImageArchive": {"size": sum(sizes), "layers": [{"size": s, "created_by": sprintf("RUN step %d", [i])} | some i, s in sizes], "files": [], "config": {}}}

test_warns_above_the_default_limit if {
	results := image_size.warn with input as _archive([1073741824, 536870912, 1024])
	count(results) == 1
	some r in results
	contains(r.msg, "1.5 GiB")
	contains(r.msg, "1.0 GiB (RUN step 0)")
}

test_passes_below_the_limit if count(image_size.warn) == 0 with input as _archive([1024, 2048])

test_configured_limit if {
	count(image_size.warn) == 1 with input as _archive([2097152]) with data.dockpolicy_config.max_image_size as 1048576
}

test_ignores_other_inputs if count(image_size.warn) == 0 with input as [{"Cmd": "from"}]
