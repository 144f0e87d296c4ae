package lib.dockpolicy.text_test

import data.lib.dockpolicy.text

test_mentions_any if {
	text.mentions_any("RUN curl -u a:b", ["wget", "curl"])
	not text.mentions_any("RUN wget x", ["curl"])
	not text.mentions_any("anything", [])
}

test_mentions_all if {
	text.mentions_all("curl -u a:b", ["curl", "-u"])
	not text.mentions_all("curl x", ["curl", "-u"])
	text.mentions_all("anything", [])
}
