# METADATA
# title: Text helpers
# description: |
#   Cheap pre-checks for the regular expressions of the practices. A pattern that needs a
#   literal word (`curl`, `glpat-`, `apt`) cannot match text without it, and `contains` is
#   far cheaper than a regex match, so each pattern lists the words it needs and runs only
#   on text that mentions one of them (most RUN, ENV and COPY text mentions none).
#   `digits` is a character check written with string builtins for the same reason.
package lib.dockpolicy.text

# mentions_any(text, words) holds when text contains at least one of words.
mentions_any(text, words) if {
	some word in words
	contains(text, word)
}

# mentions_all(text, words) holds when text contains every one of words.
mentions_all(text, words) if {
	every word in words {
		contains(text, word)
	}
}

# says_any(text, spellings) holds when text contains one of spellings, or ends with one
# without its closing blank (`cd src && make` as a RUN's last command). A practice lists
# the usual spellings of what its regex looks for, each of which the regex matches
# wherever it stands (its tests hold every spelling to that), and decides text that says
# one without the regex call.
says_any(text, spellings) if {
	some spelling in spellings
	contains(text, spelling)
}

says_any(text, spellings) if {
	some spelling in spellings
	endswith(text, trim_suffix(spelling, " "))
}

# name_parts(s) is the `-`, `_` or `.`-separated parts of an image tag or of a repository
# path part (`21-jre_headless.x` is ["21", "jre", "headless", "x"]), with string builtins:
# a fraction of the cost of a regex call.
name_parts(s) := split(replace(replace(s, "_", "-"), ".", "-"), "-")

# digits(s) holds when s is one or more ASCII digits (`[0-9]+`, without a regex).
digits(s) if {
	count(s) > 0
	trim(s, "0123456789") == ""
}
