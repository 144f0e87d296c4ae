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

# matches_wherever_it_stands(pattern, spelling): what a practice's usual spelling must
# satisfy for says_any to stand in for its regex: a match on its own, between word
# characters, and at the end of a text without its closing blank.
matches_wherever_it_stands(pattern, spelling) if {
	regex.match(pattern, spelling)
	regex.match(pattern, concat("", ["x", spelling, "x"]))
	regex.match(pattern, concat("", ["x", trim_suffix(spelling, " ")]))
}

test_says_any if {
	text.says_any("cd src && make -j4", ["&& make "])
	text.says_any("cd src && make", ["&& make "])
	not text.says_any("cd src && makefile", ["&& make "])
	not text.says_any("anything", [])
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
