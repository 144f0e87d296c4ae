//! Compose files: finding the Dockerfiles that `services.*.build` points at.
//!
//! A Compose file's own document is evaluated like any YAML (the Rego adapter reads its
//! services); the Dockerfiles it builds are checked too, once each, even when the user
//! named only the Compose file.
//!
//! The Compose file is as untrusted as the rest of the checkout: `build: {context: /etc,
//! dockerfile: passwd}` names a file anywhere. The paths found here are only candidates;
//! the caller reads one only when it resolves inside the checkout (`confine`).

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Whether a file name is a Compose file (`compose.yaml`, `docker-compose.override.yml`...).
pub fn is_compose_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    (lower.starts_with("compose.") || lower.starts_with("docker-compose."))
        && (lower.ends_with(".yaml") || lower.ends_with(".yml"))
}

/// The Dockerfiles a Compose document builds, `(service, path)`, resolved against the
/// Compose file's directory (spelled, not yet confined). Builds from remote contexts (git
/// URLs), inline Dockerfiles and Dockerfiles that do not exist are skipped.
pub fn build_dockerfiles(compose_file: &Path, document: &Value) -> Vec<(String, PathBuf)> {
    let base = compose_file.parent().unwrap_or(Path::new("."));
    let Some(services) = document.get("services").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, service) in services {
        let (context, dockerfile) = match service.get("build") {
            Some(Value::String(context)) => (context.as_str(), "Dockerfile"),
            Some(Value::Object(build)) => {
                if build.contains_key("dockerfile_inline") {
                    continue;
                }
                let context = build.get("context").and_then(Value::as_str).unwrap_or(".");
                let dockerfile = build
                    .get("dockerfile")
                    .and_then(Value::as_str)
                    .unwrap_or("Dockerfile");
                (context, dockerfile)
            }
            _ => continue,
        };
        if context.contains("://") || context.starts_with("git@") {
            continue;
        }
        // Drop `.` components so the Dockerfile is reported as `dir/api/Dockerfile`.
        let path: PathBuf = base
            .join(context)
            .join(dockerfile)
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect();
        if path.is_file() && !out.iter().any(|(_, p)| *p == path) {
            out.push((name.clone(), path));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recognises_compose_file_names() {
        for name in [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yaml",
            "docker-compose.override.yml",
        ] {
            assert!(is_compose_file(Path::new(name)), "{name}");
        }
        assert!(!is_compose_file(Path::new("deployment.yaml")));
    }

    #[test]
    fn resolves_build_contexts() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("api")).unwrap();
        std::fs::write(dir.path().join("api/Dockerfile"), "FROM a").unwrap();
        std::fs::write(dir.path().join("worker.Dockerfile"), "FROM a").unwrap();
        let compose = dir.path().join("compose.yaml");
        let doc = json!({"services": {
            "api": {"build": "./api"},
            "worker": {"build": {"context": ".", "dockerfile": "worker.Dockerfile"}},
            "remote": {"build": "https://github.com/x/y.git"},
            "db": {"image": "postgres:16"},
        }});
        let found = build_dockerfiles(&compose, &doc);
        assert_eq!(
            found,
            vec![
                ("api".to_owned(), dir.path().join("api/Dockerfile")),
                ("worker".to_owned(), dir.path().join("worker.Dockerfile"))
            ]
        );
    }
}
