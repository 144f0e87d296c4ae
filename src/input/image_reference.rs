//! Container image references (`[registry/]repository[:tag][@digest]`) split into parts.
//!
//! A `FROM` carries its base image parsed this way (`ImageRef`), so a policy reads
//! `f.ImageRef.tag` instead of splitting strings itself. The bundled Rego helper
//! `lib.dockpolicy.image.parse` does the same for references found in manifests, Compose
//! files and images (and in Gatekeeper, where no Rust runs); the two must agree on every
//! reference, which `tests/parsed_fields.rs` checks against the Rego helper on every
//! fixture and corpus `FROM`. Parsing in Rust is pure syntax moved out of the policy
//! engine, where it was one of the costliest helpers the rules share.

/// Host names that all mean Docker Hub; a reference without a host means it too.
const DOCKER_HUB_HOSTS: [&str; 4] = [
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "registry.hub.docker.com",
];

/// A reference's parts, as `lib.dockpolicy.image.parse` returns them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageReference {
    /// The host as written (`""` when the reference names none).
    pub registry: String,
    /// The registry lower-cased, with every Docker Hub spelling (and none) as `docker.io`.
    pub host: String,
    /// The path; official Docker Hub images under `library/` (`ubuntu` → `library/ubuntu`).
    pub repository: String,
    /// `""` when there is none.
    pub tag: String,
    /// The text after `@` (`sha256:...`), `""` when there is none.
    pub digest: String,
}

impl ImageReference {
    /// Splits `reference` the way Docker reads it: the first path component is a registry
    /// host only when more components follow and it looks like one (a `.` or `:`, or
    /// `localhost`). Never fails: any text has parts, as in the Rego helper.
    pub fn parse(reference: &str) -> ImageReference {
        // (`nth`, not `split_once`: with two `@`s or `:`s the Rego helper takes the text
        // between the first and the second.)
        let mut at = reference.split('@');
        let name = at.next().unwrap_or_default();
        let digest = at.next().unwrap_or_default();
        let components: Vec<&str> = name.split('/').collect();
        let has_host = components.len() > 1 && is_host(components[0]);
        let registry = if has_host { components[0] } else { "" };
        let host = normal_host(&registry.to_lowercase());
        let path = &components[usize::from(has_host)..];
        let (last, parents) = path.split_last().expect("split yields at least one part");
        let mut name_tag = last.split(':');
        let last_name = name_tag.next().unwrap_or_default();
        let tag = name_tag.next().unwrap_or_default();
        let mut repository = parents.join("/");
        if !parents.is_empty() {
            repository.push('/');
        }
        repository.push_str(last_name);
        if host == "docker.io" && !repository.contains('/') {
            repository.insert_str(0, "library/");
        }
        ImageReference {
            registry: registry.to_string(),
            host,
            repository,
            tag: tag.to_string(),
            digest: digest.to_string(),
        }
    }

    /// The parts as a JSON object, keys as the Rego helper names them.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "registry": self.registry,
            "host": self.host,
            "repository": self.repository,
            "tag": self.tag,
            "digest": self.digest,
        })
    }
}

fn is_host(component: &str) -> bool {
    component.contains('.') || component.contains(':') || component == "localhost"
}

fn normal_host(host: &str) -> String {
    if host.is_empty() || DOCKER_HUB_HOSTS.contains(&host) {
        "docker.io".to_string()
    } else {
        host.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(reference: &str) -> [String; 5] {
        let r = ImageReference::parse(reference);
        [r.registry, r.host, r.repository, r.tag, r.digest]
    }

    #[test]
    fn docker_hub_references_get_their_full_name() {
        assert_eq!(parts("ubuntu"), ["", "docker.io", "library/ubuntu", "", ""]);
        assert_eq!(
            parts("ubuntu:22.04"),
            ["", "docker.io", "library/ubuntu", "22.04", ""]
        );
        assert_eq!(
            parts("bitnami/redis:7"),
            ["", "docker.io", "bitnami/redis", "7", ""]
        );
        assert_eq!(
            parts("Docker.IO/nginx"),
            ["Docker.IO", "docker.io", "library/nginx", "", ""]
        );
        assert_eq!(
            parts("index.docker.io/library/alpine:3"),
            ["index.docker.io", "docker.io", "library/alpine", "3", ""]
        );
    }

    #[test]
    fn a_first_component_is_a_host_only_when_it_looks_like_one() {
        assert_eq!(
            parts("localhost:5000/team/app:1.0@sha256:abc"),
            [
                "localhost:5000",
                "localhost:5000",
                "team/app",
                "1.0",
                "sha256:abc"
            ]
        );
        assert_eq!(
            parts("localhost/app"),
            ["localhost", "localhost", "app", "", ""]
        );
        assert_eq!(
            parts("GHCR.io/Acme/App"),
            ["GHCR.io", "ghcr.io", "Acme/App", "", ""]
        );
        // One component is never a host, even with a dot.
        assert_eq!(
            parts("my.image:1"),
            ["", "docker.io", "library/my.image", "1", ""]
        );
        assert_eq!(parts("team/app"), ["", "docker.io", "team/app", "", ""]);
    }

    #[test]
    fn odd_text_still_has_parts() {
        assert_eq!(parts(""), ["", "docker.io", "library/", "", ""]);
        assert_eq!(parts("a:b:c@d@e"), ["", "docker.io", "library/a", "b", "d"]);
        assert_eq!(parts("reg.io/"), ["reg.io", "reg.io", "", "", ""]);
        assert_eq!(parts("/x"), ["", "docker.io", "/x", "", ""]);
        assert_eq!(
            parts("${REGISTRY}/app"),
            ["", "docker.io", "${REGISTRY}/app", "", ""]
        );
    }
}
