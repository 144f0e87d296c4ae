//! Property: a secret placed in an input (Dockerfile ENV/ARG/LABEL/RUN, a Kubernetes env
//! var, a Compose environment, an image config's Env) is reported, and its full value never
//! appears in any output format, on stdout, in files, or in error messages.

use std::path::Path;

use assert_cmd::Command;
use proptest::prelude::*;

/// Every format, each to its own file, plus the text report on stdout.
const FORMATS: &[&str] = &["stdout", "json", "sarif", "junit", "github", "tap", "table"];

/// Writes one input of each kind holding `secret` (and a token of a known format built
/// from it), runs `dockpolicy test` with every output format, and returns everything it
/// wrote: stdout, stderr and the output files.
fn everything_written(dir: &Path, secret: &str, token: &str) -> (String, String) {
    std::fs::write(
        dir.join("Dockerfile"),
        format!(
            "FROM alpine:3.20\nARG DB_PASSWORD={secret}\nENV API_TOKEN=\"{secret}\" \\\n    OTHER=x\n\
             LABEL deploy.key={token}\nRUN curl -u admin:{secret} https://example.com/x \\\n    && echo done\n\
             USER 1000\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("pod.yaml"),
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    image: registry.example.com/app:1\n    env:\n    - name: SECRET_KEY\n      value: \"{secret}\"\n    - name: CONFIG\n      value: \"{token}\"\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        format!("services:\n  web:\n    image: registry.example.com/web:1\n    environment:\n      DB_PASSWORD: \"{secret}\"\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("image.json"),
        format!(
            r#"{{"Config": {{"User": "1000", "Env": ["PATH=/bin", "GITHUB_TOKEN={secret}", "X={token}"]}}, "RootFS": {{"Type": "layers"}}}}"#
        ),
    )
    .unwrap();
    // A file that fails to parse with the secret on the failing line.
    std::fs::write(
        dir.join("broken.yaml"),
        format!("env:\n  PASSWORD: \"{secret}\n  : ]\n"),
    )
    .unwrap();
    let mut cmd = Command::cargo_bin("dockpolicy").unwrap();
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["test", "--show-suppressed"]);
    for format in FORMATS {
        cmd.args(["-o", &format!("{format}=out.{format}")]);
    }
    cmd.args(["-o", "stdout"]);
    let out = cmd
        .args([
            "Dockerfile",
            "pod.yaml",
            "compose.yaml",
            "image.json",
            "broken.yaml",
        ])
        .output()
        .unwrap();
    let mut files = String::new();
    for format in FORMATS {
        files.push_str(&std::fs::read_to_string(dir.join(format!("out.{format}"))).unwrap());
    }
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (format!("{stdout}\n{files}"), stderr)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn secrets_never_appear_in_any_output(
        secret in "[A-Za-z][A-Za-z0-9]{11,39}",
        suffix in "[A-Za-z0-9]{36}",
    ) {
        let dir = tempfile::tempdir().unwrap();
        let token = format!("ghp_{suffix}");
        let (outputs, stderr) = everything_written(dir.path(), &secret, &token);
        // The secrets were found (so the property is about reports that mention them)...
        prop_assert!(outputs.contains("DP006"), "no DP006 finding:\n{outputs}");
        prop_assert!(outputs.contains("literal secret"), "{outputs}");
        prop_assert!(outputs.contains("a GitHub token"), "{outputs}");
        prop_assert!(stderr.contains("broken.yaml") || outputs.contains("broken.yaml"));
        // ...and never shown in full, in any format or message.
        for (what, value) in [("secret", &secret), ("token", &token)] {
            prop_assert!(!outputs.contains(value.as_str()), "{what} {value} leaked:\n{outputs}");
            prop_assert!(!stderr.contains(value.as_str()), "{what} {value} leaked on stderr:\n{stderr}");
        }
    }
}
