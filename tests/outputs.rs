//! Every output format, from the one result model, on the same files: one with findings,
//! one clean, one that does not parse.
//!
//! The policy is a small fixed one (`tests/fixtures/outputs/policy/`), not the bundled
//! library, so adding or changing a bundled rule changes none of these snapshots. Between
//! them its rules give every feature a renderer shows: METADATA (id, title, severity, the
//! SARIF rule's description sections and remediation), a location from `_loc` and from a
//! `line` key, a multi-line instruction, a message and a source line whose secret must be
//! redacted, a finding without a line, an exception, a pragma-suppressed finding, and a
//! file that does not parse. What each bundled rule reports is in `rule_snapshots.rs`.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const FILES: [&str; 3] = ["app.Dockerfile", "broken.Dockerfile", "clean.Dockerfile"];

fn run(args: &[&str]) -> (String, i32) {
    let out = Command::cargo_bin("dockpolicy")
        .unwrap()
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/outputs"))
        .env_remove("NO_COLOR")
        .args(["test", "-p", "policy", "--all-namespaces"])
        .args(args)
        .args(FILES)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

fn snapshot(format: &str) -> String {
    let (text, code) = run(&["-o", format]);
    assert_eq!(
        code, 3,
        "a parse error makes the run a tool error, whatever the format"
    );
    assert!(
        !text.contains("tok_live_0123456789abcdef"),
        "{format} leaks the secret"
    );
    assert!(!text.contains('\x1b'), "{format}: no colour when piped");
    text.replace(env!("CARGO_PKG_VERSION"), "<version>")
}

#[test]
fn stdout_format() {
    insta::assert_snapshot!("stdout", snapshot("stdout"));
}

#[test]
fn json_format() {
    insta::assert_snapshot!("json", snapshot("json"));
}

#[test]
fn sarif_format() {
    // conftest writes SARIF on one line (Go's json.Marshal), without a final newline; the
    // snapshot shows it indented, in the same key order, to be read.
    let text = snapshot("sarif");
    assert!(!text.contains('\n'), "one line");
    let doc: Value = serde_json::from_str(&text).expect("valid JSON");
    insta::assert_snapshot!("sarif", serde_json::to_string_pretty(&doc).unwrap());
}

#[test]
fn junit_format_is_valid_xml() {
    let text = snapshot("junit");
    // Parsed before the snapshot's `<version>` stands for the version it names.
    let (raw, _) = run(&["-o", "junit"]);
    let doc = roxmltree::Document::parse(&raw).expect("valid XML");
    let suites: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert_eq!(
        suites,
        [
            "conftest.fixture.build_in_final",
            "conftest.fixture.healthcheck",
            "conftest.fixture.pinned_base",
            "conftest.fixture.secret_env",
            "dockpolicy",
        ],
        "one test suite per namespace, as conftest's, and one for the files not checked"
    );
    insta::assert_snapshot!("junit", text);
}

/// Pragma-suppressed findings, listed on request (SARIF lists them always, with their
/// suppression, so its snapshot above has them).
#[test]
fn suppressed_findings_when_shown() {
    for format in ["stdout", "json"] {
        let (text, _) = run(&["-o", format, "--show-suppressed"]);
        assert!(
            text.contains("node:22-slim"),
            "{format} shows the suppressed finding"
        );
        let text = text.replace(env!("CARGO_PKG_VERSION"), "<version>");
        insta::assert_snapshot!(format!("{format}_show_suppressed"), text);
    }
}

#[test]
fn github_format() {
    insta::assert_snapshot!("github", snapshot("github"));
}

#[test]
fn azuredevops_format() {
    insta::assert_snapshot!("azuredevops", snapshot("azuredevops"));
}

#[test]
fn tap_format() {
    insta::assert_snapshot!("tap", snapshot("tap"));
}

#[test]
fn table_format() {
    insta::assert_snapshot!("table", snapshot("table"));
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let Some(schemas) = std::env::var_os("DOCKPOLICY_SCHEMAS")
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_dir())
    else {
        eprintln!(
            "SKIPPED: DOCKPOLICY_SCHEMAS is not set; SARIF output was not validated against the schema"
        );
        return;
    };
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(schemas.join("sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    for extra in [&[][..], &["--show-suppressed"][..]] {
        let (text, _) = run(&[&["-o", "sarif"][..], extra].concat());
        let sarif: Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        // The fixture has findings with a line and one without: a region, when given,
        // always starts at a line.
        let regions: Vec<&Value> = results
            .iter()
            .map(|r| &r["locations"][0]["physicalLocation"]["region"])
            .filter(|region| !region.is_null())
            .collect();
        assert!(!regions.is_empty() && regions.len() < results.len());
        assert!(regions.iter().all(|r| r["startLine"].as_u64().is_some()));
    }
}

#[test]
fn one_run_prints_text_and_writes_sarif_and_junit() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("results.sarif");
    let junit = dir.path().join("results.xml");
    let (text, _) = run(&[
        "-o",
        "stdout",
        "-o",
        &format!("sarif={}", sarif.display()),
        "-o",
        "junit",
        "--output-file",
        junit.to_str().unwrap(),
    ]);
    assert!(text.contains("FAIL - app.Dockerfile"), "{text}");
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    roxmltree::Document::parse(&std::fs::read_to_string(&junit).unwrap()).expect("JUnit written");
    let out = Command::cargo_bin("dockpolicy")
        .unwrap()
        .args(["test", "-o", "yaml", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown output format \"yaml\""));
}

/// A run that writes only text or only JSON renders each file's part as it checks the
/// file; a run that also writes another format renders the whole report at the end. Both
/// must print the same thing.
#[test]
fn text_and_json_are_the_same_rendered_per_file_or_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["stdout", "json"] {
        for extra in [&[][..], &["--show-suppressed"][..]] {
            let alone = run(&[&["-o", format][..], extra].concat());
            let sarif = format!("sarif={}", dir.path().join("r.sarif").display());
            let beside = run(&[&["-o", format, "-o", &sarif][..], extra].concat());
            assert_eq!(alone, beside, "{format} {extra:?}");
        }
    }
}

/// Two files whose names print the same (bytes that are not UTF-8) are still reported as
/// the whole report sorts them: by the printed name, then namespace.
#[cfg(unix)]
#[test]
fn files_with_the_same_printed_name_are_sorted_by_namespace() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let source =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/outputs/app.Dockerfile");
    let names =
        [&b"x\xff.Dockerfile"[..], &b"x\xfe.Dockerfile"[..]].map(std::ffi::OsStr::from_bytes);
    for name in names {
        std::fs::copy(&source, dir.path().join(name)).unwrap();
    }
    let sarif = tempfile::tempdir().unwrap();
    let sarif = format!("sarif={}", sarif.path().join("r.sarif").display());
    let report = |extra: &[&str]| {
        // Named, with the parser given: a name that is not UTF-8 says no format.
        let out = Command::cargo_bin("dockpolicy")
            .unwrap()
            .current_dir(dir.path())
            .args(["test", "--parser", "dockerfile", "-o", "json"])
            .args(extra)
            .args(names)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let alone = report(&[]);
    let parsed: Value = serde_json::from_str(&alone).unwrap();
    let namespaces: Vec<&str> = parsed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["namespace"].as_str().unwrap())
        .collect();
    assert!(
        namespaces.len() > 2 && namespaces.is_sorted(),
        "{namespaces:?}"
    );
    assert_eq!(namespaces[0], namespaces[1], "each namespace twice");
    assert_eq!(alone, report(&["-o", &sarif]));
}

#[test]
fn multi_line_instructions_span_their_lines_in_sarif_and_github() {
    let (text, _) = run(&["-o", "github"]);
    assert!(
        text.contains("::warning file=app.Dockerfile,line=3,endLine=4,title=FX003::"),
        "{text}"
    );
}

#[test]
fn shell_completions_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let out = Command::cargo_bin("dockpolicy")
            .unwrap()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("dockpolicy"),
            "{shell}"
        );
    }
}
