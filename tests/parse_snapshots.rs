//! The input contract: the exact JSON that policies see for each Dockerfile construct.
//! Snapshots live in tests/snapshots/; review changes to them like API changes.

use std::collections::HashMap;
use std::path::Path;

use dockpolicy::input::dockerfile::{Options, parse, to_json};

fn snapshot(name: &str, options: &Options) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dockerfiles")
        .join(format!("{name}.Dockerfile"));
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    let value = to_json(&parse(&text, options).unwrap_or_else(|e| panic!("{name}: {e}")));
    insta::assert_json_snapshot!(name, value);
}

#[test]
fn parser_directives_and_backtick_escape() {
    snapshot("directives", &Options::default());
}

#[test]
fn continuation_lines_with_comments_and_blank_lines() {
    snapshot("continuation", &Options::default());
}

#[test]
fn lower_case_instructions() {
    snapshot("lowercase", &Options::default());
}

#[test]
fn json_and_shell_forms() {
    snapshot("json_and_shell", &Options::default());
}

#[test]
fn multistage_platform_copy_from_and_run_mount() {
    snapshot("multistage", &Options::default());
}

#[test]
fn onbuild_sub_commands() {
    snapshot("onbuild", &Options::default());
}

#[test]
fn env_and_label_both_forms_with_escaped_quotes() {
    snapshot("env_label", &Options::default());
}

#[test]
fn heredocs_in_every_position() {
    snapshot("heredocs", &Options::default());
}

#[test]
fn arg_defaults_expand_into_from() {
    snapshot("args", &Options::default());
}

#[test]
fn build_args_override_arg_defaults() {
    let options = Options {
        build_args: HashMap::from([
            ("PY_VERSION".to_owned(), "3.13".to_owned()),
            ("UNDECLARED".to_owned(), "ignored".to_owned()),
        ]),
    };
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dockerfiles/args.Dockerfile"),
    )
    .unwrap();
    let doc = to_json(&parse(&text, &options).unwrap());
    let froms: Vec<_> = doc
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["Cmd"] == "from")
        .map(|i| {
            (
                i["Image"].as_str().unwrap().to_owned(),
                i["ImageResolved"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        froms,
        vec![
            (
                "registry.example.com/base/python:3.13-slim".to_owned(),
                true
            ),
            // A build arg only reaches FROM through a declared global ARG, as in Docker.
            (String::new(), false),
            ("registry.example.com/base/python".to_owned(), true),
        ]
    );
}

#[test]
fn healthcheck_stopsignal_workdir_add() {
    snapshot("healthcheck", &Options::default());
}
