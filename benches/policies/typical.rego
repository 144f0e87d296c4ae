# Ten conftest-style Dockerfile rules of the kind teams write, used by the throughput
# benchmark as "a set of 10 policies". Not shipped; the bundled library is in policies/.
package main

_instructions(cmd) := [i | some i in input; i.Cmd == cmd]

deny contains msg if {
	some i in _instructions("from")
	endswith(i.Image, ":latest")
	msg := sprintf("%s uses latest", [i.Image])
}

deny_root contains msg if {
	users := _instructions("user")
	count(users) > 0
	users[count(users) - 1].Value[0] == "root"
	msg := "last USER is root"
}

deny_apt_lists contains msg if {
	some i in _instructions("run")
	contains(i.Value[0], "apt-get install")
	not contains(i.Value[0], "rm -rf /var/lib/apt/lists")
	msg := "apt-get install without removing lists"
}

warn_add contains msg if {
	some i in _instructions("add")
	not startswith(i.Value[0], "http")
	msg := "use COPY instead of ADD for local files"
}

deny_curl_pipe contains msg if {
	some i in _instructions("run")
	regex.match(`(curl|wget)[^|]*\|\s*(ba)?sh`, i.Value[0])
	msg := "piping a download into a shell"
}

warn_healthcheck contains msg if {
	count(_instructions("healthcheck")) == 0
	msg := "no HEALTHCHECK"
}

deny_sudo contains msg if {
	some i in _instructions("run")
	contains(i.Value[0], "sudo ")
	msg := "sudo in RUN"
}

warn_maintainer contains msg if {
	count(_instructions("maintainer")) > 0
	msg := "MAINTAINER is deprecated"
}

deny_ssh_port contains msg if {
	some i in _instructions("expose")
	some port in i.Value
	startswith(port, "22")
	msg := "exposes ssh"
}

warn_relative_workdir contains msg if {
	some i in _instructions("workdir")
	not startswith(i.Value[0], "/")
	not startswith(i.Value[0], "$")
	msg := sprintf("relative WORKDIR %s", [i.Value[0]])
}
