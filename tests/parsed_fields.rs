//! The fields the Dockerfile parser computes in Rust so that policies need not (`ImageRef`
//! on FROM and on the `Images` of COPY --from / RUN --mount, `Pairs` on ENV/LABEL/ARG) must be exactly what the bundled Rego helpers compute
//! (`lib.dockpolicy.image.parse`, `lib.dockpolicy.dockerfile.pairs`/`arg_pairs`): the
//! practices read the fields from our documents and fall back to the helpers for documents
//! made elsewhere, and Gatekeeper runs the Rego helper alone. Held on every fixture
//! Dockerfile, on generated references, and on the corpus when `DOCKPOLICY_CORPUS` is set.

use std::path::{Path, PathBuf};

use dockpolicy::input::image_reference::ImageReference;
use dockpolicy::input::{self, Document, Format, dockerfile::Options, walk};
use proptest::prelude::*;
use serde_json::{Value, json};

/// The bundled library in regorus's interpreter, with a module that calls the helpers on
/// `input`.
fn helpers() -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    engine.set_rego_v0(false);
    for (path, source) in dockpolicy::policy::bundled::policies() {
        engine
            .add_policy(path, source.to_string())
            .expect("bundled policy");
    }
    engine
        .add_policy(
            "check.rego".into(),
            "package check\n\
             import data.lib.dockpolicy.dockerfile\n\
             import data.lib.dockpolicy.image\n\
             reference := image.parse(input.image)\n\
             pairs := dockerfile.pairs(input.instruction)\n\
             arg_pairs := dockerfile.arg_pairs(input.instruction)\n"
                .into(),
        )
        .expect("check module");
    engine
}

fn rego(engine: &mut regorus::Engine, rule: &str, input: Value) -> Value {
    engine.set_input(regorus::Value::from(input));
    let value = engine
        .eval_rule(format!("data.check.{rule}"))
        .expect("helper evaluates");
    serde_json::from_str(&value.to_json_str().expect("JSON value")).expect("JSON")
}

fn rego_reference(engine: &mut regorus::Engine, reference: &str) -> Value {
    rego(engine, "reference", json!({ "image": reference }))
}

/// Checks every FROM and ENV/LABEL/ARG of the Dockerfiles under `dir`; returns how many
/// fields were compared.
fn check_dockerfiles(engine: &mut regorus::Engine, dir: &Path) -> usize {
    let mut compared = 0;
    // The files `dockpolicy test <dir>` would read as Dockerfiles, in its order.
    let (targets, _) = walk::collect(&[dir.to_path_buf()], None, None);
    for target in targets {
        if target.format != Some(Format::Dockerfile) {
            continue;
        }
        let path = target.path;
        let bytes = std::fs::read(&path).expect("readable");
        let Ok(parsed) = input::text_of(&bytes, Format::Dockerfile)
            .and_then(|text| input::parse(text, Format::Dockerfile, &Options::default()))
        else {
            continue;
        };
        let Some(Document::Dockerfile(instructions)) = parsed.documents.first() else {
            continue;
        };
        for instruction in instructions {
            let mut object = instruction.to_json();
            let name = format!("{}:{}", path.display(), instruction.start_line);
            if let Some(base) = &instruction.from {
                let expected = match base.base_stage {
                    Some(_) => Value::Null,
                    None => rego_reference(engine, &base.image),
                };
                assert_eq!(object["ImageRef"], expected, "{name}: {}", base.image);
                compared += 1;
            }
            for (k, pulled) in instruction.images.iter().enumerate() {
                let expected = rego_reference(engine, &pulled.image);
                assert_eq!(
                    object["Images"][k]["ImageRef"], expected,
                    "{name}: {}",
                    pulled.image
                );
                compared += 1;
            }
            if let Some(pairs) = object.as_object_mut().and_then(|o| o.remove("Pairs")) {
                let helper = if instruction.pairs_kind().eq_ignore_ascii_case("arg") {
                    "arg_pairs"
                } else {
                    "pairs"
                };
                let expected = rego(engine, helper, json!({ "instruction": object }));
                assert_eq!(
                    key_values(&pairs),
                    expected,
                    "{name}: {:?}",
                    instruction.value
                );
                compared += 1;
            }
        }
    }
    compared
}

/// `Pairs` without what only the parser knows (`expanded`, `resolved`: values in their
/// variable scope): the key/value pairs the Rego helpers compute from `Value`.
fn key_values(pairs: &Value) -> Value {
    let pairs = pairs.as_array().expect("Pairs is an array");
    Value::Array(
        pairs
            .iter()
            .map(|p| json!({"key": p["key"], "value": p["value"]}))
            .collect(),
    )
}

#[test]
fn fixture_dockerfiles_get_the_fields_the_rego_helpers_compute() {
    let mut engine = helpers();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let compared = check_dockerfiles(&mut engine, &root.join("tests/fixtures"))
        + check_dockerfiles(&mut engine, &root.join("examples"));
    assert!(compared > 50, "only {compared} fields compared");
}

#[test]
fn corpus_dockerfiles_get_the_fields_the_rego_helpers_compute() {
    let Some(root) = std::env::var_os("DOCKPOLICY_CORPUS").map(PathBuf::from) else {
        eprintln!("SKIPPED: DOCKPOLICY_CORPUS is not set; the corpus fields were not checked");
        return;
    };
    let mut engine = helpers();
    let compared = check_dockerfiles(&mut engine, &root.join("dockerfiles"));
    assert!(compared > 3000, "only {compared} fields compared");
}

#[test]
fn edge_references_parse_as_the_rego_helper_parses_them() {
    let mut engine = helpers();
    for reference in [
        "",
        "/",
        "//",
        "@",
        ":",
        "a@b@c",
        "a:b:c",
        "localhost",
        "localhost/x",
        "localhost:5000/x:1@sha256:0",
        "REG.IO/Team/App:Tag",
        "index.docker.io/x",
        "Registry-1.Docker.IO/a/b",
        "x.y",
        "x.y/",
        "/x.y",
        "ÉCOLE.fr/app",
        "$REGISTRY/app:${TAG}",
        // Docker Hub, official and user images, with the host spelled every way.
        "nginx",
        "nginx:1.27-alpine",
        "library/nginx:latest",
        "docker.io/nginx",
        "docker.io/library/nginx:1",
        "registry-1.docker.io/bitnami/redis:7.4",
        "registry.hub.docker.com/library/python:3.12",
        "Index.Docker.Io/Library/Alpine",
        // Registries with ports, paths, tags and digests.
        "registry.example.com:5000/team/app:1.2.3",
        "registry.example.com:5000/team/app",
        "127.0.0.1:5000/app:dev",
        "[::1]:5000/app:dev",
        "gcr.io/distroless/static-debian12:nonroot",
        "ghcr.io/owner/repo/sub/image:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "registry.example.com/base/node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "alpine:3.20@sha512:00",
        "localhost:5000/app",
        "LOCALHOST/app",
        "localhost:5000",
        // Case as written: upper-case paths and tags are kept, only the host is folded.
        "Registry.Example.COM/Team/App:V1",
        "UBUNTU:LATEST",
        // Variables, unresolved.
        "${BASE_IMAGE}",
        "${REGISTRY:-registry.example.com}/app:${VERSION:-1}",
        "$BASE",
        "registry.example.com/${IMAGE}",
        // Odd ones: empty parts, stray separators, a scheme, white space.
        "scratch",
        "app:",
        "app@",
        ":tag",
        "@sha256:00",
        "registry.example.com/",
        "registry.example.com//app",
        "https://registry.example.com/app",
        " nginx ",
        "a/b/c/d/e:f",
        "host:port:extra/app",
    ] {
        assert_eq!(
            ImageReference::parse(reference).to_json(),
            rego_reference(&mut engine, reference),
            "{reference:?}"
        );
    }
}

thread_local! {
    static ENGINE: std::cell::RefCell<regorus::Engine> = std::cell::RefCell::new(helpers());
}

proptest! {
    // Each case is one interpreter evaluation (~0.1 ms).
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn generated_references_parse_as_the_rego_helper_parses_them(
        reference in "[a-zA-Z0-9./:@_É-]{0,24}"
    ) {
        let expected = ENGINE.with(|engine| rego_reference(&mut engine.borrow_mut(), &reference));
        prop_assert_eq!(ImageReference::parse(&reference).to_json(), expected, "{:?}", reference);
    }
}

#[test]
fn each_helper_reads_pairs_only_from_its_own_instructions() {
    // `pairs` splits ENV/LABEL triples and `arg_pairs` ARG words; called on the other kind
    // they must give what they give on a document without `Pairs` (conftest's), not the
    // parser's pairs of the other kind.
    let mut engine = helpers();
    let dockerfile = "FROM alpine\nARG A=1 B\nENV C=2\nONBUILD ARG D=3\nONBUILD LABEL E=4\n";
    let parsed = input::parse(dockerfile, Format::Dockerfile, &Options::default()).expect("parses");
    let Some(Document::Dockerfile(instructions)) = parsed.documents.first() else {
        panic!("a Dockerfile document")
    };
    for instruction in &instructions[1..] {
        let with = instruction.to_json();
        let mut without = with.clone();
        without.as_object_mut().expect("object").remove("Pairs");
        for helper in ["pairs", "arg_pairs"] {
            assert_eq!(
                key_values(&rego(&mut engine, helper, json!({ "instruction": with }))),
                rego(&mut engine, helper, json!({ "instruction": without })),
                "{helper} on {}",
                instruction.original
            );
        }
    }
}
