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

test_digits if {
	text.digits("0")
	text.digits("0123456789")
	not text.digits("")
	not text.digits("12a")
	not text.digits("-1")
	not text.digits("1.5")
	not text.digits("١٢")
}
