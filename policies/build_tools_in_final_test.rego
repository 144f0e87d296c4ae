package dockpolicy.build_tools_in_final_test

import data.dockpolicy.build_tools_in_final
import data.lib.dockpolicy.text_test

_from(img, stage, base) := {"Cmd": "from", "Image": img, "ImageResolved": true, "BaseStage": base, "Stage": stage, "StartLine": 1, "Value": [img], "Flags": []}

_run(text, stage) := {"Cmd": "run", "Value": [text], "Flags": [], "Stage": stage, "StartLine": 2}

_warns(doc) if count(build_tools_in_final.warn) > 0 with input as doc

test_sdk_base_images_warn if {
	every img in ["golang:1.23", "rust:1.82", "maven:3.9-eclipse-temurin-21", "gradle:8", "eclipse-temurin:21-jdk", "mcr.microsoft.com/dotnet/sdk:8.0", "openjdk:17-jdk-slim"] {
		_warns([_from(img, 0, null)])
	}
	every img in ["openjdk:21", "eclipse-temurin:21", "openjdk:21-slim"] {
		_warns([_from(img, 0, null)])
	}
	every img in ["eclipse-temurin:21-jre", "openjdk:8-jre-alpine", "node:22-alpine", "python:3.12-slim", "mcr.microsoft.com/dotnet/aspnet:8.0", "amazoncorretto:21-headless"] {
		not _warns([_from(img, 0, null)])
	}
}

test_installing_compilers_warns if {
	_warns([_from("debian:12-slim", 0, null), _run("apt-get update && apt-get install -y --no-install-recommends gcc make", 0)])
	_warns([_from("alpine:3.20", 0, null), _run("apk add --no-cache build-base", 0)])
	_warns([_from("ubuntu:24.04", 0, null), _run("apt-get install -y build-essential=12.10", 0)])
	not _warns([_from("alpine:3.20", 0, null), _run("apk add --no-cache curl ca-certificates", 0)])
	_warns([_from("fedora:40", 0, null), _run("yum install -y gcc-c++", 0)])
	_warns([_from("debian:12-slim", 0, null), _run("apt-get install -y gcc-12 g++-12 clang-16", 0)])
}

test_tool_package_words if {
	every word in ["make=4.3-4.1", "gcc:12", "gcc-4.9", "openjdk-17-jdk", "java-1.8.0-openjdk-devel", "musl-dev", "ninja-build", "build-essential-12"] {
		_warns([_from("debian:12-slim", 0, null), _run(concat(" ", ["apt-get install -y", word]), 0)])
	}
	every word in ["libgcc-s1", "gcc-", "openjdk-17-jdk-headless", "openjdk-17-jre", "java-17-openjdk", "cmake-data", "makedev", "ca-certificates"] {
		not _warns([_from("debian:12-slim", 0, null), _run(concat(" ", ["apt-get install -y", word]), 0)])
	}
}

test_running_a_build_warns if {
	every cmd in ["go build -o /app ./cmd", "cargo build --release", "mvn -B package", "./gradlew build", "npm run build", "pnpm run build", "yarn build", "make && make install", "cd src && make"] {
		_warns([_from("alpine:3.20", 0, null), _run(cmd, 0)])
	}
	every cmd in ["npm ci --omit=dev", "echo makefile", "cmake --version", "go version"] {
		not _warns([_from("alpine:3.20", 0, null), _run(cmd, 0)])
	}
}

# npm and yarn are two keys of one check: a RUN naming both gives its reason once.
test_npm_and_yarn_in_one_run_give_one_reason if {
	results := build_tools_in_final.warn with input as [_from("node:22", 0, null), _run("npm install -g yarn && yarn build", 0)]
	some r in results
	r.msg == "the final image runs an npm build; use a multi-stage build"
}

test_builder_stages_do_not_count if {
	not _warns([
		_from("golang:1.23", 0, null), _run("go build -o /app .", 0),
		_from("gcr.io/distroless/static-debian12", 1, null),
	])
}

test_a_final_stage_built_on_a_builder_counts if {
	_warns([_from("alpine:3.20", 0, null), _run("apk add gcc", 0), _from("build", 1, 0)])
}

test_heredoc_bodies_are_checked if {
	_warns([_from("alpine:3.20", 0, null), {"Cmd": "run", "Value": ["<<EOF"], "Flags": [], "Stage": 0, "StartLine": 2, "Heredocs": [{"Name": "EOF", "Content": "set -e\ngo build ./...\n"}]}])
}

test_one_finding_per_run_names_every_reason if {
	results := build_tools_in_final.warn with input as [_from("alpine:3.20", 0, null), _run("apk add gcc make && make", 0)]
	count(results) == 1
	some r in results
	r.msg == "the final image installs gcc, make and runs make; use a multi-stage build"
}

# A command's usual spellings decide without its regex, so each must match its pattern
# wherever it stands, word characters on both sides included.
test_usual_spellings_match_their_patterns_anywhere if {
	every _, check in build_tools_in_final._build_commands {
		every spelling in object.get(check, "says", []) {
			text_test.matches_wherever_it_stands(check.pattern, spelling)
		}
	}
}

test_package_words_are_split_at_tabs_too if {
	results := build_tools_in_final.warn with input as [_from("debian:12-slim", 0, null), _run("apt-get install -y\tgcc\tmake", 0)]
	some r in results
	r.msg == "the final image installs gcc, make; use a multi-stage build"
}

# The pre-check before the install regex must pass every word a tool can be named by.
test_tool_needs_cover_every_tool if {
	every word in array.concat([t | some t in build_tools_in_final._tools], ["openjdk-17-jdk", "java-1.8.0-openjdk-devel", "gcc-c++", "gcc-12"]) {
		some need in build_tools_in_final._tool_needs
		contains(word, need)
	}
	_warns([_from("debian:12-slim", 0, null), _run("apt-get install -y autoconf rustc", 0)])
	not _warns([_from("debian:12-slim", 0, null), _run("apt-get autoremove -y && apt-get install -y trust", 0)])
}

# Java images of every vendor are JDKs unless the image name or the tag says jre,
# runtime or headless.
test_java_images_are_jdks_unless_they_say_runtime if {
	every img in [
		"amazoncorretto:21", "amazoncorretto:17-al2023", "azul/zulu-openjdk:21", "azul/zulu-openjdk-alpine:21",
		"bellsoft/liberica-openjdk-alpine:21", "ibm-semeru-runtimes:open-21-jdk", "sapmachine:21",
		"sapmachine:21-jdk", "ibmjava:8-sdk", "registry.access.redhat.com/ubi9/openjdk-21:1.20",
		"mcr.microsoft.com/openjdk/jdk:21-ubuntu", "cgr.dev/chainguard/jdk", "openjdk:17-jdk-slim",
		"java:8", "bitnami/java:21", "example/java21-build:1",
	] {
		_warns([_from(img, 0, null)])
	}
	every img in [
		"amazoncorretto:21-al2023-jre", "amazoncorretto:17-al2023-headless", "azul/zulu-openjdk:21-jre",
		"azul/zulu-openjdk-alpine:21-jre-headless", "azul/zulu-openjdk-debian:17-jre",
		"bellsoft/liberica-openjre-alpine:21", "bellsoft/liberica-openjre-debian:17",
		"ibm-semeru-runtimes:open-21-jre", "sapmachine:21-jre", "ibmjava:8-jre",
		"registry.access.redhat.com/ubi9/openjdk-21-runtime:1.20", "gcr.io/distroless/java21-debian12",
		"gcr.io/distroless/java17:nonroot", "cgr.dev/chainguard/jre", "eclipse-temurin:21-jre-alpine",
		"mcr.microsoft.com/devcontainers/javascript-node:22", "tomcat:10-jre21",
		# A number in a name is no Java version without `java` before it.
		"registry.example.com/app-2:1.0", "team/service-21:3",
	] {
		not _warns([_from(img, 0, null)])
	}
}

# Build dependencies removed later in the same RUN are not in the image.
test_tools_removed_in_the_same_run_pass if {
	every cmd in [
		"apk add --no-cache --virtual .build-deps gcc musl-dev && pip install --no-cache-dir x && apk del .build-deps",
		"apk add -t build-deps gcc make && ./configure && apk del --no-network build-deps",
		"apk add --virtual=.deps build-base && apk del .deps",
		"apk add gcc && apk del gcc",
		"apt-get install -y gcc make && apt-get purge -y --auto-remove gcc make",
		"apt-get install -y gcc-12 && apt-get remove -y gcc-12",
		"yum install -y gcc && yum remove -y gcc",
		"dnf install -y gcc && dnf erase -y gcc",
		"savedAptMark=\"$(apt-mark showmanual)\"; apt-get install -y gcc; apt-mark auto '.*' > /dev/null; apt-mark manual $savedAptMark; apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false",
	] {
		not _warns([_from("alpine:3.20", 0, null), _run(cmd, 0)])
	}
	every cmd in [
		"apk add --virtual .build-deps gcc && apk del other",
		"apk del .build-deps && apk add --virtual .build-deps gcc",
		"apk add gcc make && apk del gcc",
		"apt-get purge -y gcc && apt-get install -y gcc",
		"apt-get install -y gcc && apt-get purge -y --auto-remove",
	] {
		_warns([_from("alpine:3.20", 0, null), _run(cmd, 0)])
	}
}

test_what_a_removal_leaves_is_named if {
	results := build_tools_in_final.warn with input as [_from("alpine:3.20", 0, null), _run("apk add gcc make && apk del gcc", 0)]
	some r in results
	r.msg == "the final image installs make; use a multi-stage build"
}

# A heredoc script is read line by line: a command on its own line runs.
test_heredoc_commands_on_their_own_lines if {
	every script in ["set -e\nmake\n", "cd src\n  make install\n", "set -e\ngo build -o /app .\n", "for d in a b; do\n make -C $d\ndone\n", "apt-get install -y \\\n  gcc\n"] {
		_warns([_from("alpine:3.20", 0, null), {"Cmd": "run", "Value": ["<<EOF"], "Flags": [], "Stage": 0, "StartLine": 2, "Heredocs": [{"Name": "EOF", "Content": script}]}])
	}
	every script in ["echo make\n", "cmake --version\n", "# make\n"] {
		not _warns([_from("alpine:3.20", 0, null), {"Cmd": "run", "Value": ["<<EOF"], "Flags": [], "Stage": 0, "StartLine": 2, "Heredocs": [{"Name": "EOF", "Content": script}]}])
	}
}

# ONBUILD RUN triggers run in every child build.
test_onbuild_run_triggers_count if {
	_warns([_from("alpine:3.20", 0, null), {"Cmd": "onbuild", "SubCmd": "RUN", "Value": ["apk add --no-cache gcc"], "Flags": [], "Stage": 0, "StartLine": 2}])
	not _warns([_from("alpine:3.20", 0, null), {"Cmd": "onbuild", "SubCmd": "COPY", "Value": ["make", "/make"], "Flags": [], "Stage": 0, "StartLine": 2}])
}
