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
	every img in ["eclipse-temurin:21-jre", "openjdk:8-jre-alpine", "node:22-alpine", "python:3.12-slim", "mcr.microsoft.com/dotnet/aspnet:8.0"] {
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
