//! Property: a secret placed in an input (Dockerfile ENV/ARG/LABEL/RUN/ONBUILD, under a
//! fused or key name or in a URL; a Kubernetes env var, a Compose environment, an image
//! config's Env) is reported, and its full value never appears in any output format, on
//! stdout, in files, or in error messages; nor does any word of a value of several words,
//! however it is quoted or escaped.

use std::path::Path;

use assert_cmd::Command;
use proptest::prelude::*;

/// Every format, each to its own file, plus the text report on stdout.
const FORMATS: &[&str] = &["stdout", "json", "sarif", "junit", "github", "tap", "table"];

/// Writes one input of each kind holding `secret` (and a token of a known format built
/// from it, and a Dockerfile with the line `multi`), runs `dockpolicy test` with every output format, and returns everything it
/// wrote: stdout, stderr and the output files.
fn everything_written(dir: &Path, secret: &str, token: &str, multi: &str) -> (String, String) {
    std::fs::write(
        dir.join("Dockerfile"),
        format!(
            "FROM alpine:3.20\nARG DB_PASSWORD={secret}\nENV API_TOKEN=\"{secret}\" \\\n    OTHER=x\n\
             LABEL deploy.key={token}\nRUN curl -u admin:{secret} https://example.com/x \\\n    && echo done\n\
             ENV PGPASSWORD={secret}\nENV APP_MASTER_KEY {secret}0123\n\
             ENV DATABASE_URL=postgresql://app:{secret}@db/app\nONBUILD ENV REDISPASS {secret}\n\
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
    // Flow style and JSON on one line, flags in args and commands, an unquoted number.
    std::fs::write(
        dir.join("flow.yaml"),
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: f}}\nspec:\n  containers:\n  - name: app\n    image: registry.example.com/app:1\n    env: [{{name: X_PASSWORD, value: {secret}}}, {{\"name\": \"API_TOKEN\", \"value\": \"{secret}\"}}]\n    args: [\"redis-server\", \"--requirepass\", \"{secret}\"]\n---\nservices:\n  db:\n    image: registry.example.com/db:1\n    environment: {{DB_PASSWORD: {secret}, PIN_PASSWORD: {NUMERIC_SECRET}, USER: x}}\n    command: redis-server --requirepass {secret}\n"
        ),
    )
    .unwrap();
    // A value of several words, quoted, escaped or in the legacy `ENV NAME value` form.
    std::fs::write(
        dir.join("multi.Dockerfile"),
        format!("FROM alpine:3.20\n{multi}\nUSER 1000\n"),
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
            "flow.yaml",
            "broken.yaml",
            "multi.Dockerfile",
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

/// An unquoted number, which YAML reads as a number, given as a password.
const NUMERIC_SECRET: &str = "8675309123456";

/// An ENV line whose value is `words` written one of the ways Docker reads as one
/// value: the legacy form (the rest of the line), double quotes, escaped spaces, a bare
/// word joined to a quoted rest, a quote never closed.
fn multi_word_line(words: &[String], style: usize) -> String {
    let spaced = words.join(" ");
    match style % 5 {
        0 => format!("ENV DB_PASSWORD {spaced}"),
        1 => format!("ENV DB_PASSWORD=\"{spaced}\""),
        2 => format!("ENV DB_PASSWORD={}", words.join("\\ ")),
        3 => format!("ENV DB_PASSWORD={}\"{}\"", words[0], words[1..].join(" ")),
        _ => format!("ENV DB_PASSWORD=\"{spaced}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn secrets_never_appear_in_any_output(
        secret in "[A-Za-z][A-Za-z0-9]{11,39}",
        suffix in "[A-Za-z0-9]{36}",
        words in proptest::collection::vec("[A-Za-z][A-Za-z0-9]{7,11}", 2..5),
        style in 0usize..5,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let token = format!("ghp_{suffix}");
        let multi = multi_word_line(&words, style);
        let (outputs, stderr) = everything_written(dir.path(), &secret, &token, &multi);
        // The secrets were found (so the property is about reports that mention them)...
        prop_assert!(outputs.contains("DP006"), "no DP006 finding:\n{outputs}");
        prop_assert!(outputs.contains("literal secret"), "{outputs}");
        prop_assert!(outputs.contains("a GitHub token"), "{outputs}");
        prop_assert!(stderr.contains("broken.yaml") || outputs.contains("broken.yaml"));
        prop_assert!(stderr.contains("multi.Dockerfile") || outputs.contains("multi.Dockerfile"));
        // ...and never shown in full, in any format or message: not the value, and not
        // one word of a value of several.
        for (what, value) in [("secret", &secret), ("token", &token)] {
            prop_assert!(!outputs.contains(value.as_str()), "{what} {value} leaked:\n{outputs}");
            prop_assert!(!stderr.contains(value.as_str()), "{what} {value} leaked on stderr:\n{stderr}");
        }
        prop_assert!(outputs.contains("as --requirepass"), "{outputs}");
        prop_assert!(!outputs.contains(NUMERIC_SECRET), "the number leaked:\n{outputs}");
        for word in &words {
            prop_assert!(!outputs.contains(word.as_str()), "{multi}: {word} leaked:\n{outputs}");
            prop_assert!(!stderr.contains(word.as_str()), "{multi}: {word} leaked on stderr:\n{stderr}");
        }
    }
}
