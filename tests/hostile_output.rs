//! Issue 19, output: whatever a report quotes from the (untrusted) scanned tree — parse
//! errors, rule messages, source lines, file names, archive entry paths — shows no full
//! secret and no raw control character, in every output format and on standard error, and
//! never starts a GitHub workflow command of its own.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::{Value, json};

const TOOL_ERROR: i32 = 3;

/// Every `test` output format.
const FORMATS: &[&str] = &[
    "stdout",
    "json",
    "sarif",
    "junit",
    "github",
    "azuredevops",
    "tap",
    "table",
];

/// Formats where each printed line is read as text (by a terminal or a CI log).
const TEXT_FORMATS: &[&str] = &["stdout", "github", "azuredevops", "tap", "table"];

const GITHUB_TOKEN: &str = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";

fn dockpolicy() -> Command {
    let mut cmd = Command::cargo_bin("dockpolicy").unwrap();
    cmd.env("NO_COLOR", "1").timeout(Duration::from_secs(120));
    cmd
}

/// One run of `args` in `dir`: (stdout, stderr, exit code).
fn run_in(dir: &Path, args: &[&str]) -> (String, String, i32) {
    let out = dockpolicy().current_dir(dir).args(args).output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// `dockpolicy test -o <format> .` in `dir` for every format: (format, stdout, stderr,
/// exit code).
fn every_format(dir: &Path) -> Vec<(&'static str, String, String, i32)> {
    FORMATS
        .iter()
        .map(|format| {
            let (stdout, stderr, code) = run_in(dir, &["test", "-o", format, "."]);
            (*format, stdout, stderr, code)
        })
        .collect()
}

/// The raw control characters in `text` (tab and the line breaks between lines aside).
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{202e}')
        .collect()
}

/// The workflow commands dockpolicy writes (`-o github`), which quote a file's name, escaped.
const OWN_COMMANDS: &[&str] = &[
    "::error file=",
    "::warning file=",
    "::notice file=",
    "::group::Testing \"",
];

/// Lines that GitHub Actions would run as a workflow command (it trims the indentation)
/// and that dockpolicy did not write as one.
fn injected_commands(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.trim_start().starts_with("::") && l.contains("INJECTED"))
        .filter(|l| !OWN_COMMANDS.iter().any(|own| l.starts_with(own)))
        .chain(text.lines().filter(|l| l.starts_with("::error file=x::")))
        .collect()
}

#[test]
fn parse_errors_hide_secrets_in_every_format_and_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    // A token on a malformed line; a continuation line that lost its backslash, which
    // the error upper-cases; a value the error quotes without its name.
    std::fs::write(
        dir.path().join("token.Dockerfile"),
        format!("FROM alpine:3.20\nENV A=1 {GITHUB_TOKEN}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("continued.Dockerfile"),
        "FROM alpine:3.20\nRUN ./configure\n    DB_PASSWORD=hunter2 ./x\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("quoted.Dockerfile"),
        "FROM alpine:3.20\nENV API_TOKEN=s3cretvalue42 s3cretvalue42\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("good.Dockerfile"),
        "FROM alpine:3.20\nUSER 1000\n",
    )
    .unwrap();
    for (format, stdout, stderr, code) in every_format(dir.path()) {
        assert_eq!(code, TOOL_ERROR, "-o {format}");
        let all = format!("{stdout}\n{stderr}");
        for secret in ["0123456789abcdefghij", "hunter2", "s3cretvalue42"] {
            assert!(
                !all.to_lowercase().contains(secret),
                "-o {format} shows {secret}:\n{all}"
            );
        }
        // The errors still say where, and the good file was still checked.
        assert!(all.contains("continued.Dockerfile"), "-o {format}:\n{all}");
        assert!(all.contains("DB_PASSWORD=****"), "-o {format}:\n{all}");
        assert!(all.contains("good.Dockerfile"), "-o {format}:\n{all}");
    }
    let (stdout, _, _) = run_in(dir.path(), &["test", "-o", "json", "."]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let error = report
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["filename"] == "./continued.Dockerfile")
        .unwrap();
    assert_eq!(error["error"]["line"], json!(3));
    assert_eq!(
        error["error"]["message"],
        json!("invalid Dockerfile: unknown instruction: DB_PASSWORD=****")
    );
    // `parse` reports the same errors on stderr, redacted too.
    let (_, stderr, code) = run_in(
        dir.path(),
        &["parse", "continued.Dockerfile", "token.Dockerfile"],
    );
    assert_eq!(code, TOOL_ERROR);
    assert!(stderr.contains("continued.Dockerfile:3"), "{stderr}");
    assert!(!stderr.to_lowercase().contains("hunter2"), "{stderr}");
    assert!(!stderr.contains(GITHUB_TOKEN), "{stderr}");
}

#[test]
fn a_pass_value_is_hidden_under_its_dp006_finding() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM alpine:3.20\nENV SMTP_PASS=supersecretvalue123\nARG smtpPass mailsecret987\nUSER 1000\n",
    )
    .unwrap();
    for (format, stdout, stderr, code) in every_format(dir.path()) {
        assert_eq!(code, 1, "-o {format}:\n{stdout}{stderr}");
        let all = format!("{stdout}\n{stderr}");
        assert!(all.contains("SMTP_PASS"), "-o {format}: no finding:\n{all}");
        for secret in ["supersecretvalue123", "mailsecret987"] {
            assert!(!all.contains(secret), "-o {format} shows {secret}:\n{all}");
        }
    }
}

/// A tree with a file name that holds a workflow command, a Dockerfile line with terminal
/// escapes under a finding, an unparsable file with control characters in its name, and
/// an image archive whose manifest names a layer with them.
fn hostile_tree(dir: &Path) {
    let evil = "a\n::error file=x::INJECTED\n.Dockerfile";
    std::fs::write(dir.join(evil), "FROM alpine:3.20\nUSER 1000\n").unwrap();
    let azure = "c\n##vso[task.setvariable variable=x]INJECTED\n.Dockerfile";
    std::fs::write(dir.join(azure), "FROM alpine:3.20\nUSER 1000\n").unwrap();
    std::fs::write(
        dir.join("b\x1b]0;title\x07\n::error file=x::INJECTED\r.Dockerfile"),
        "FROM alpine:3.20\nBOGUS\x1b[2J line\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("escapes.Dockerfile"),
        "FROM alpine:3.20\nRUN apt-get install -y curl \x1b]0;pwned\x07 \x1b[31mred\u{202e}\nUSER 1000\n",
    )
    .unwrap();
    let manifest = json!([{
        "Config": "config.json",
        "Layers": ["layer\x1b[2J\n::error file=x::INJECTED\n.tar"],
    }]);
    let config = json!({"config": {"User": "1000"}, "rootfs": {"type": "layers"}});
    let mut tar = tar::Builder::new(Vec::new());
    for (name, data) in [("manifest.json", manifest), ("config.json", config)] {
        let data = data.to_string();
        let mut header = tar::Header::new_ustar();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, data.as_bytes()).unwrap();
    }
    std::fs::write(dir.join("image.tar"), tar.into_inner().unwrap()).unwrap();
}

#[test]
fn control_characters_never_reach_text_output_or_stderr_raw() {
    let dir = tempfile::tempdir().unwrap();
    hostile_tree(dir.path());
    for (format, stdout, stderr, code) in every_format(dir.path()) {
        assert_eq!(code, TOOL_ERROR, "-o {format}:\n{stdout}{stderr}");
        // The findings under the escaped line are still reported.
        assert!(
            stdout.contains("escapes.Dockerfile"),
            "-o {format}:\n{stdout}"
        );
        assert!(
            raw_controls(&stderr).is_empty(),
            "-o {format}: stderr {:?}",
            raw_controls(&stderr)
        );
        assert!(
            injected_commands(&stderr).is_empty(),
            "-o {format}: stderr injects {:?}",
            injected_commands(&stderr)
        );
        assert!(
            stderr.contains("image.tar") || stdout.contains("image.tar"),
            "-o {format}: no archive error:\n{stdout}{stderr}"
        );
        if TEXT_FORMATS.contains(&format) {
            assert!(
                raw_controls(&stdout).is_empty(),
                "-o {format}: stdout {:?}",
                raw_controls(&stdout)
            );
            assert!(
                injected_commands(&stdout).is_empty(),
                "-o {format}: stdout injects {:?}",
                injected_commands(&stdout)
            );
            // Azure Pipelines runs a line starting with `##vso[` or `##[` as a command.
            let azure: Vec<&str> = stdout
                .lines()
                .filter(|l| l.trim_start().starts_with("##") && l.contains("INJECTED"))
                .filter(|l| {
                    !l.starts_with("##vso[task.logissue type=")
                        && !l.starts_with("##[section]Testing '")
                })
                .collect();
            assert!(azure.is_empty(), "-o {format}: stdout injects {azure:?}");
            // Escaped, not dropped: the reader can tell what was there.
            assert!(stdout.contains(r"\x1b"), "-o {format}:\n{stdout}");
        }
    }
    // The escapes are visible where the line is quoted, with the finding's caret line.
    let (stdout, _, _) = run_in(dir.path(), &["test", "."]);
    assert!(
        stdout.contains(r"2 | RUN apt-get install -y curl \x1b]0;pwned\x07 \x1b[31mred\u{202e}"),
        "{stdout}"
    );
    // GitHub annotations carry the file name %-encoded, the only way to name it there.
    let (stdout, _, _) = run_in(dir.path(), &["test", "-o", "github", "."]);
    assert!(
        stdout.contains("::error file=./a%0A%3A%3Aerror file=x%3A%3AINJECTED%0A.Dockerfile,"),
        "{stdout}"
    );
    // Structured formats keep the true name, escaped by the format itself.
    let (stdout, _, _) = run_in(dir.path(), &["test", "-o", "json", "."]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        report
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["filename"] == "./a\n::error file=x::INJECTED\n.Dockerfile")
    );
    let (stdout, _, _) = run_in(dir.path(), &["test", "-o", "sarif", "."]);
    serde_json::from_str::<Value>(&stdout).unwrap();
    let (stdout, _, _) = run_in(dir.path(), &["test", "-o", "junit", "."]);
    assert!(raw_controls(&stdout).is_empty(), "{stdout}");
}

#[test]
fn parse_and_policy_errors_on_stderr_are_escaped_too() {
    let dir = tempfile::tempdir().unwrap();
    hostile_tree(dir.path());
    let (_, stderr, code) = run_in(dir.path(), &["parse", "."]);
    assert_eq!(code, TOOL_ERROR);
    assert!(raw_controls(&stderr).is_empty(), "{stderr:?}");
    assert!(injected_commands(&stderr).is_empty(), "{stderr}");
    assert!(stderr.contains(r"\n::error file=x::INJECTED"), "{stderr}");
    // A policy whose file name and source break lines: its compile error, printed on
    // stderr by the command itself, starts no command either.
    let policy = dir.path().join("policy");
    std::fs::create_dir(&policy).unwrap();
    std::fs::write(
        policy.join("p\n::error file=x::INJECTED\n.rego"),
        "package p\n\ndeny contains msg if {\n  msg := \"\x1b[2J\n::error file=x::INJECTED\n",
    )
    .unwrap();
    let (_, stderr, code) = run_in(dir.path(), &["test", "-p", "policy", "escapes.Dockerfile"]);
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    assert!(raw_controls(&stderr).is_empty(), "{stderr:?}");
    assert!(injected_commands(&stderr).is_empty(), "{stderr}");
}

// ---- second round: the reviewer's reproductions -----------------------------------------

/// Everything one run wrote, stdout and stderr, for each format.
fn all_output(dir: &Path, args: &[&str]) -> Vec<(&'static str, String, i32)> {
    FORMATS
        .iter()
        .map(|format| {
            let mut full = vec!["test", "-o", format];
            full.extend_from_slice(args);
            let (stdout, stderr, code) = run_in(dir, &full);
            (*format, format!("{stdout}\n{stderr}"), code)
        })
        .collect()
}

#[test]
fn a_quoted_line_hides_the_whole_value_whatever_its_quotes() {
    let dir = tempfile::tempdir().unwrap();
    // Each value's later words would show if only its first token were hidden.
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM alpine:3.20\n\
         ENV DB_PASSWORD=\"hunter2xyz unclosedXX\n\
         ENV API_TOKEN correct horseXX batteryXX\n\
         ENV SECRET_KEY=abc\"stapleXX batteryXX\"\n\
         ENV SMTP_PASS=abc\\ escapedXX\n\
         ENV AUTH_TOKEN=\"abc\\\" quotedXX\"\n\
         USER 1000\n",
    )
    .unwrap();
    for (format, all, code) in all_output(dir.path(), &["Dockerfile"]) {
        assert_eq!(code, 1, "-o {format}:\n{all}");
        for name in [
            "DB_PASSWORD",
            "API_TOKEN",
            "SECRET_KEY",
            "SMTP_PASS",
            "AUTH_TOKEN",
        ] {
            assert!(
                all.contains(&format!("ENV {name} sets a literal secret")),
                "-o {format}: no finding on {name}:\n{all}"
            );
        }
        for word in [
            "unclosedXX",
            "horseXX",
            "batteryXX",
            "stapleXX",
            "escapedXX",
            "quotedXX",
        ] {
            assert!(!all.contains(word), "-o {format} shows {word}:\n{all}");
        }
    }
    let (stdout, _, _) = run_in(dir.path(), &["test", "Dockerfile"]);
    for quoted in [
        "2 | ENV DB_PASSWORD=****\n",
        "3 | ENV API_TOKEN ****\n",
        "4 | ENV SECRET_KEY=****\n",
        "5 | ENV SMTP_PASS=****\n",
        "6 | ENV AUTH_TOKEN=****\n",
    ] {
        assert!(stdout.contains(quoted), "no {quoted:?} in:\n{stdout}");
    }
}

/// A docker save archive whose image config has `env` in its Env.
fn image_archive(env: &[&str]) -> Vec<u8> {
    let layer = tar::Builder::new(Vec::new()).into_inner().unwrap();
    let config = json!({
        "config": {"User": "1000", "Env": env},
        "rootfs": {"type": "layers", "diff_ids": []},
    });
    let manifest = json!([{"Config": "config.json", "Layers": ["layer.tar"]}]);
    let mut tar = tar::Builder::new(Vec::new());
    for (name, data) in [
        ("manifest.json", manifest.to_string().into_bytes()),
        ("config.json", config.to_string().into_bytes()),
        ("layer.tar", layer),
    ] {
        let mut header = tar::Header::new_ustar();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, data.as_slice()).unwrap();
    }
    tar.into_inner().unwrap()
}

#[test]
fn a_policy_error_that_quotes_an_input_value_hides_it_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy");
    std::fs::create_dir(&policy).unwrap();
    // Adds 1 to every string of the input that holds "hunter": regorus's error quotes it.
    std::fs::write(
        policy.join("a.rego"),
        "package main\n\ndeny contains msg if {\n  walk(input, [_, v])\n  is_string(v)\n  contains(lower(v), \"hunter\")\n  x := v + 1\n  msg := sprintf(\"%v\", [x])\n}\n",
    )
    .unwrap();
    let files: &[(&str, String)] = &[
        ("Dockerfile", "FROM alpine:3.20\nENV DB_PASSWORD=hunterDF1\nUSER 1000\n".into()),
        (
            "legacy.Dockerfile",
            "FROM alpine:3.20\nENV API_TOKEN hunterDF2 horse\nUSER 1000\n".into(),
        ),
        (
            "pod.yaml",
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: app\n    env:\n    - name: DB_PASSWORD\n      value: hunterPOD3\n".into(),
        ),
        (
            "compose.yaml",
            "services:\n  web:\n    environment:\n      DB_PASSWORD: hunterCMP4\n".into(),
        ),
        (
            "image.json",
            r#"{"config": {"Env": ["PATH=/bin", "GITHUB_TOKEN=hunterENV5"]}}"#.into(),
        ),
        (
            "deploy.json",
            r#"{"env": [{"name": "API_KEY", "value": "hunterJSON6"}]}"#.into(),
        ),
        (
            "flow.yaml",
            "services:\n  web: {image: x, environment: {DB_PASSWORD: hunterFLOW8, USER: x}}\n".into(),
        ),
        (
            "args.yaml",
            "args: [\"redis-server\", \"--requirepass\", \"hunterARGS9\"]\n".into(),
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    std::fs::write(
        dir.path().join("image.tar"),
        image_archive(&["PATH=/bin", "DB_PASSWORD=hunterTAR7"]),
    )
    .unwrap();
    let secrets = [
        "hunterDF1",
        "hunterDF2",
        "hunterPOD3",
        "hunterCMP4",
        "hunterENV5",
        "hunterJSON6",
        "hunterFLOW8",
        "hunterARGS9",
        "hunterTAR7",
    ];
    // One file a run: each run shows that file's error.
    let names = files.iter().map(|(name, _)| *name).chain(["image.tar"]);
    for (name, secret) in names.zip(secrets) {
        for (format, all, code) in all_output(dir.path(), &[name]) {
            assert_eq!(code, TOOL_ERROR, "{name} -o {format}:\n{all}");
            assert!(
                all.contains("expects numeric argument") && all.contains(r#"Got `"#),
                "{name} -o {format}:\n{all}"
            );
            assert!(
                !all.to_lowercase().contains(&secret.to_lowercase()),
                "{name} -o {format} shows {secret}:\n{all}"
            );
        }
    }
    // The message around the value stays readable.
    let (_, stderr, _) = run_in(dir.path(), &["test", "-o", "json", "image.json"]);
    assert!(
        stderr.contains(r#"Got `"GITHUB_TOKEN=****"` instead"#),
        "{stderr}"
    );
    // --combine evaluates every file as one input: its error hides them too.
    let (stdout, stderr, code) = run_in(dir.path(), &["test", "--combine", "-o", "json", "."]);
    assert_eq!(code, TOOL_ERROR, "{stdout}{stderr}");
    assert!(stdout.contains("expects numeric argument"), "{stdout}");
    for secret in secrets {
        assert!(
            !format!("{stdout}{stderr}").contains(secret),
            "{secret}:\n{stdout}{stderr}"
        );
    }
}

#[test]
fn every_kind_of_secret_dp006_finds_is_hidden_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    // Fused and key names, spaced and assigned, URL passwords, labels, ONBUILD triggers
    // and heredoc bodies: each value ends in XX so that no other word of the report does.
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM alpine:3.20\n\
         ENV PGPASSWORD=pgFusedValueXX\n\
         ENV REDISPASS redisFusedValueXX\n\
         ENV LICENSE_KEY lgNvGyhnUKpa5PJiXX\n\
         ARG APP_MASTER_KEY=0a1b2c3d4e5f6071829XX\n\
         ENV DATABASE_URL=postgresql://app:urlPasswordXX@db/app\n\
         LABEL com.example.api-token=\"labelTokenValueXX\"\n\
         ONBUILD ENV API_SECRET onbuildSecretValueXX\n\
         COPY <<EOF /app/config.yaml\n\
         password: heredocPasswordXX\n\
         EOF\n\
         USER 1000\n",
    )
    .unwrap();
    for (format, all, code) in all_output(dir.path(), &["Dockerfile"]) {
        assert_eq!(code, 1, "-o {format}:\n{all}");
        for name in [
            "PGPASSWORD",
            "REDISPASS",
            "LICENSE_KEY",
            "APP_MASTER_KEY",
            "DATABASE_URL",
            "com.example.api-token",
            "ONBUILD ENV API_SECRET",
            "a literal secret under",
        ] {
            assert!(
                all.contains(name),
                "-o {format}: no finding on {name}:\n{all}"
            );
        }
        for value in [
            "pgFusedValueXX",
            "redisFusedValueXX",
            "lgNvGyhnUKpa5PJiXX",
            "0a1b2c3d4e5f6071829XX",
            "urlPasswordXX",
            "labelTokenValueXX",
            "onbuildSecretValueXX",
            "heredocPasswordXX",
        ] {
            assert!(!all.contains(value), "-o {format} shows {value}:\n{all}");
        }
    }
}

#[test]
fn no_format_writes_a_raw_invisible_character_or_a_workflow_command() {
    let dir = tempfile::tempdir().unwrap();
    // A file name with a reversing override, C1 controls (NEL, CSI), a line separator and
    // zero-width characters; an unparsable file whose name and error break lines.
    let odd = "a\u{202e}\u{85}\u{9b}\u{2028}\u{200b}\u{2060}\u{feff}b.Dockerfile";
    std::fs::write(dir.path().join(odd), "FROM alpine:3.20\nUSER 1000\n").unwrap();
    std::fs::write(
        dir.path().join("c\n::error::INJECTED\n.Dockerfile"),
        "FROM alpine:3.20\nBOGUS x\n",
    )
    .unwrap();
    let invisible = |c: char| matches!(c, '\u{80}'..='\u{9f}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}');
    for (format, stdout, stderr, code) in every_format(dir.path()) {
        assert_eq!(code, TOOL_ERROR, "-o {format}:\n{stdout}{stderr}");
        for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
            let raw: Vec<char> = text.chars().filter(|&c| invisible(c)).collect();
            assert!(raw.is_empty(), "-o {format}: {stream} has {raw:?}:\n{text}");
            let commands: Vec<&str> = text
                .lines()
                .filter(|l| l.trim_start().starts_with("::") && l.contains("INJECTED"))
                .filter(|l| !OWN_COMMANDS.iter().any(|own| l.starts_with(own)))
                .collect();
            assert!(commands.is_empty(), "-o {format}: {stream} {commands:?}");
        }
    }
    // Escaped, the documents still name the files: JSON and SARIF readers decode them.
    let (stdout, _, _) = run_in(dir.path(), &["test", "-o", "json", "."]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        report
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["filename"] == format!("./{odd}")),
        "{stdout}"
    );
    // SARIF names it by URI, every byte outside a path's characters %-encoded.
    let (stdout, _, _) = run_in(dir.path(), &["test", "-o", "sarif", "."]);
    assert!(
        stdout.contains("a%E2%80%AE%C2%85%C2%9B%E2%80%A8"),
        "{stdout}"
    );
    serde_json::from_str::<Value>(&stdout).unwrap();
    // JUnit stays XML a reader can parse.
    let (stdout, _, _) = run_in(dir.path(), &["test", "-o", "junit", "."]);
    roxmltree::Document::parse(&stdout).unwrap();
    // A user policy's METADATA, printed by `doc`, starts no command either.
    let policy = dir.path().join("policy");
    std::fs::create_dir(&policy).unwrap();
    std::fs::write(
        policy.join("p.rego"),
        "# METADATA\n# title: t\n# description: |\n#   fine\n#   ::error::INJECTED\n#   x\u{202e}\u{200b}y\n# custom:\n#   id: X1\npackage p\n\ndeny contains \"x\" if false\n",
    )
    .unwrap();
    let (stdout, stderr, code) = run_in(dir.path(), &["doc", "-p", "policy", "X1"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("INJECTED"), "{stdout}");
    assert!(
        !stdout.lines().any(|l| l.trim_start().starts_with("::")),
        "{stdout}"
    );
    assert!(!stdout.chars().any(invisible), "{stdout:?}");
}

#[test]
fn an_error_about_a_secret_named_file_keeps_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM alpine:3.20\nUSER 1000\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("d2")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", dir.path().join("d2/secret.json")).unwrap();
    for args in [
        &["test", "-d", "d2/secret.json", "Dockerfile"][..],
        &["test", "-p", "d2/secret.json", "Dockerfile"][..],
        &["test", "--config", "d2/secret.json", "Dockerfile"][..],
    ] {
        let (_, stderr, code) = run_in(dir.path(), args);
        assert_eq!(code, TOOL_ERROR, "{args:?}: {stderr}");
        assert!(
            stderr.contains("d2/secret.json: resolves outside"),
            "{args:?}: {stderr}"
        );
    }
    // A config file that is no YAML mapping: its error says where and why, and quotes at
    // most the start of it (the rest could be anything).
    let lines: String = (0..50)
        .map(|i| format!("user{i}:x:{i}:{i}:/home/user{i}:/bin/sh\n"))
        .collect();
    std::fs::write(
        dir.path().join("passwd"),
        format!("root:x:0:0:root:/root:/bin/bash\n{lines}"),
    )
    .unwrap();
    let (_, stderr, code) = run_in(dir.path(), &["test", "--config", "passwd", "Dockerfile"]);
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    assert!(
        stderr.contains("config file passwd:1: invalid type: string \"root:x:0:0:"),
        "{stderr}"
    );
    assert!(!stderr.contains("user9:"), "{stderr}");
    assert!(stderr.len() < 400, "{stderr}");
    // Its secret values are hidden as well.
    std::fs::write(
        dir.path().join("cfg.yaml"),
        "DB_PASSWORD=hunterCFG8 and more words to make it long enough\n",
    )
    .unwrap();
    let (_, stderr, code) = run_in(dir.path(), &["test", "--config", "cfg.yaml", "Dockerfile"]);
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    assert!(stderr.contains("config file cfg.yaml"), "{stderr}");
    assert!(!stderr.contains("hunterCFG8"), "{stderr}");
}
