//! Every output format, from the one result model, on the same files: one with findings,
//! one clean, one that does not parse.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const FILES: [&str; 3] = ["app.Dockerfile", "broken.Dockerfile", "clean.Dockerfile"];

fn run(args: &[&str]) -> (String, i32) {
    let out = Command::cargo_bin("dockpolicy")
        .unwrap()
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/outputs"))
        .env_remove("NO_COLOR")
        .args(["test"])
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
    insta::assert_snapshot!("sarif", snapshot("sarif"));
}

#[test]
fn junit_format_is_valid_xml() {
    let text = snapshot("junit");
    let doc = roxmltree::Document::parse(&text).expect("valid XML");
    let suites: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert_eq!(
        suites,
        FILES.to_vec(),
        "one test suite per file, errors included"
    );
    insta::assert_snapshot!("junit", text);
}

#[test]
fn github_format() {
    insta::assert_snapshot!("github", snapshot("github"));
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
        assert!(results.iter().all(|r| {
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .is_some()
        }));
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

#[test]
fn multi_line_instructions_span_their_lines_in_sarif_and_github() {
    let (text, _) = run(&["-o", "github"]);
    assert!(
        text.contains("::warning file=app.Dockerfile,line=3,endLine=4,title=DP008::"),
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
