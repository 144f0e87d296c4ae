//! Where regorus 0.14.1 disagreed with OPA on constructs that Gatekeeper and conftest
//! policies use, we carry a patch (vendor/regorus/PATCHES.md). Each case here is a policy
//! whose `data.main.deny` set OPA computes one way; the test holds dockpolicy (the
//! interpreter, through `dockpolicy test`) and regorus's bytecode VM (where it compiles the
//! policy) to OPA's answer, written down in the case. With `DOCKPOLICY_OPA` set to an `opa`
//! binary, the same policy also runs on the real OPA, which must give that same answer.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

#[derive(Clone, Copy, PartialEq)]
enum Syntax {
    V0,
    V1,
}

/// What `data.main.deny` is: the sorted messages, or an error whose text contains this.
enum Expected<'a> {
    Deny(&'a [&'a str]),
    Error(&'a str),
    /// An error for conflicting rule values: the VM, by its own design, makes such a rule
    /// undefined instead (as it does for two conflicting definitions written apart), so
    /// the VM must give an empty `deny` or fail.
    Conflict(&'a str),
}

struct Case<'a> {
    name: &'a str,
    syntax: Syntax,
    policy: &'a str,
    input: &'a str,
    expected: Expected<'a>,
}

fn write_policy(dir: &Path, case: &Case) -> std::path::PathBuf {
    let policy_dir = dir.join("policy");
    std::fs::create_dir_all(&policy_dir).unwrap();
    std::fs::write(policy_dir.join("case.rego"), case.policy).unwrap();
    std::fs::write(dir.join("input.json"), case.input).unwrap();
    policy_dir
}

/// `deny` as dockpolicy's interpreter computes it: sorted messages, or the error text.
fn dockpolicy_deny(case: &Case) -> Result<Vec<String>, String> {
    let dir = tempfile::tempdir().unwrap();
    let policy = write_policy(dir.path(), case);
    let version = match case.syntax {
        Syntax::V0 => "v0",
        Syntax::V1 => "v1",
    };
    let out = assert_cmd::Command::cargo_bin("dockpolicy")
        .unwrap()
        .args(["test", "--no-color", "-o", "json", "--no-bundled", "-n", "main"])
        .args(["--engine", "interpreter", "--rego-version", version, "-p"])
        .arg(&policy)
        .arg(dir.path().join("input.json"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let Ok(report) = serde_json::from_slice::<Value>(&out.stdout) else {
        return Err(stderr);
    };
    let mut messages = vec![];
    for entry in report.as_array().into_iter().flatten() {
        if let Some(error) = entry.get("error").filter(|e| !e.is_null()) {
            return Err(error["message"].as_str().unwrap_or_default().to_owned());
        }
        for key in ["failures", "warnings"] {
            for finding in entry[key].as_array().into_iter().flatten() {
                messages.push(finding["msg"].as_str().unwrap().to_owned());
            }
        }
    }
    if !out.status.success() && messages.is_empty() {
        return Err(stderr);
    }
    messages.sort();
    Ok(messages)
}

/// `deny` as regorus's bytecode VM computes it; `None` when the VM does not compile the
/// policy (dockpolicy then runs it on the interpreter).
fn vm_deny(case: &Case) -> Option<Result<Vec<String>, String>> {
    let mut engine = regorus::Engine::new();
    engine.set_rego_v0(case.syntax == Syntax::V0);
    if let Err(e) = engine.add_policy("case.rego".into(), case.policy.into()) {
        return Some(Err(e.to_string()));
    }
    let entry = "data.main.deny";
    let policy = engine.compile_with_entrypoint(&entry.into()).ok()?;
    let program =
        regorus::languages::rego::compiler::Compiler::compile_from_policy(&policy, &[entry])
            .ok()?;
    let mut vm = regorus::rvm::RegoVM::new();
    vm.load_program(program);
    vm.set_input(regorus::Value::from_json_str(case.input).unwrap());
    Some(
        vm.execute_entry_point_by_index(0)
            .map_err(|e| e.to_string())
            .map(|value| messages_of(&serde_json::to_value(&value).unwrap())),
    )
}

fn messages_of(set: &Value) -> Vec<String> {
    let mut messages: Vec<String> = set
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect();
    messages.sort();
    messages
}

/// `deny` as the real OPA computes it.
fn opa_deny(opa: &Path, case: &Case) -> Result<Vec<String>, String> {
    let dir = tempfile::tempdir().unwrap();
    let policy = write_policy(dir.path(), case);
    let mut cmd = Command::new(opa);
    cmd.args(["eval", "-f", "json"]);
    if case.syntax == Syntax::V0 {
        cmd.arg("--v0-compatible");
    }
    let out = cmd
        .arg("-d")
        .arg(policy.join("case.rego"))
        .arg("-i")
        .arg(dir.path().join("input.json"))
        .arg("data.main.deny")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .map_err(|_| String::from_utf8_lossy(&out.stderr).into_owned())?;
    if let Some(errors) = report.get("errors") {
        return Err(errors.to_string());
    }
    Ok(messages_of(
        &report["result"][0]["expressions"][0]["value"],
    ))
}

fn check(what: &str, case: &Case, got: &Result<Vec<String>, String>) {
    match (&case.expected, got) {
        (Expected::Deny(want), Ok(got)) => assert_eq!(
            got, want,
            "{}: {what} disagrees with OPA's deny set",
            case.name
        ),
        (Expected::Error(want) | Expected::Conflict(want), Err(got)) => assert!(
            got.contains(want),
            "{}: {what} failed, but not with {want:?}: {got}",
            case.name
        ),
        (Expected::Deny(want), Err(got)) => {
            panic!("{}: {what} failed where OPA gives {want:?}: {got}", case.name)
        }
        (Expected::Error(want) | Expected::Conflict(want), Ok(got)) => panic!(
            "{}: {what} gave {got:?} where OPA fails with {want:?}",
            case.name
        ),
    }
}

/// Every case on dockpolicy, on the VM when it compiles the policy, and on OPA when
/// `DOCKPOLICY_OPA` is set. Where OPA fails, the others must fail too, in their own words.
/// Cases on which the VM is known to differ, with why: not held against it (dockpolicy
/// runs only the bundled library on the VM, and compares it with the interpreter on every
/// fixture in tests/engines.rs).
const VM_DIFFERS: &[(&str, &str)] = &[(
    "a comprehension is defined, even empty",
    "the VM makes a comprehension whose body hits an undefined reference undefined, not empty",
)];

fn run(cases: &[Case]) {
    let opa = std::env::var_os("DOCKPOLICY_OPA").map(std::path::PathBuf::from);
    for case in cases {
        check("dockpolicy", case, &dockpolicy_deny(case));
        let vm_differs = VM_DIFFERS.iter().find(|(name, _)| *name == case.name);
        match vm_deny(case) {
            Some(_) if vm_differs.is_some() => {
                eprintln!("note: not held against the VM: {:?}", vm_differs.unwrap().1)
            }
            Some(vm) => match (&case.expected, &vm) {
                (Expected::Error(_) | Expected::Conflict(_), Err(_)) => {}
                (Expected::Conflict(_), Ok(deny)) if deny.is_empty() => {}
                _ => check("the regorus VM", case, &vm),
            },
            None => eprintln!("note: the VM does not compile {:?}", case.name),
        }
        if let Some(opa) = &opa {
            let real = opa_deny(opa, case);
            if let (Expected::Error(_) | Expected::Conflict(_), Err(_)) = (&case.expected, &real) {
                // OPA's wording is its own; that it fails is what matters.
                continue;
            }
            check("the real opa", case, &real);
        }
    }
    if opa.is_none() {
        eprintln!(
            "SKIPPED: the real OPA did not run these {} cases (set DOCKPOLICY_OPA)",
            cases.len()
        );
    }
}

#[test]
fn v0_rules_with_several_bodies() {
    run(&[
        Case {
            name: "partial set rule with two bodies (Gatekeeper violation[{...}])",
            syntax: Syntax::V0,
            policy: r#"package main
viol[{"msg": m}] {
  input.a == 1
  m := "a is 1"
} {
  input.b == 2
  m := "b is 2"
}
deny[msg] { viol[v]; msg := v.msg }
"#,
            input: r#"{"a": 1, "b": 2}"#,
            expected: Expected::Deny(&["a is 1", "b is 2"]),
        },
        Case {
            name: "only the second body holds",
            syntax: Syntax::V0,
            policy: r#"package main
deny[msg] { input.a == 1; msg := "a" } { input.b == 2; msg := "b" }
"#,
            input: r#"{"a": 0, "b": 2}"#,
            expected: Expected::Deny(&["b"]),
        },
        Case {
            name: "complete rule: every body yields the head's value",
            syntax: Syntax::V0,
            policy: r#"package main
level = "high" { input.a == 9 } { input.b == 2 }
deny[msg] { msg := sprintf("level %v", [level]) }
"#,
            input: r#"{"a": 0, "b": 2}"#,
            expected: Expected::Deny(&["level high"]),
        },
        Case {
            name: "partial object rule and functions with several bodies",
            syntax: Syntax::V0,
            policy: r#"package main
obj[k] = v { k := "x"; v := input.a } { k := "y"; v := input.b }
size(x) = y { x > 10; y := "big" } { x <= 10; y := "small" }
one_or_two(x) { x == 1 } { x == 2 }
deny[msg] { msg := sprintf("obj %v", [obj]) }
deny[msg] { msg := sprintf("size %v %v", [size(1), size(11)]) }
deny[msg] { one_or_two(2); not one_or_two(3); msg := "one_or_two" }
"#,
            input: r#"{"a": 1, "b": 2}"#,
            expected: Expected::Deny(&["obj {\"x\": 1, \"y\": 2}", "one_or_two", "size small big"]),
        },
        Case {
            name: "two bodies of a complete rule with different values conflict",
            syntax: Syntax::V0,
            policy: r#"package main
p = x { x := 1 } { x := 2 }
deny[msg] { msg := sprintf("%v", [p]) }
"#,
            input: "{}",
            expected: Expected::Conflict("multiple outputs"),
        },
        Case {
            name: "two bodies of a function with different values conflict",
            syntax: Syntax::V0,
            policy: r#"package main
f(a) = x { x := a } { x := a + 1 }
deny[msg] { msg := sprintf("%v", [f(1)]) }
"#,
            input: "{}",
            expected: Expected::Conflict("multiple outputs"),
        },
        Case {
            name: "(two definitions written apart conflict the same way)",
            syntax: Syntax::V0,
            policy: r#"package main
p = 1 { true }
p = 2 { true }
deny[msg] { msg := sprintf("%v", [p]) }
"#,
            input: "{}",
            expected: Expected::Conflict("conflicts with rule"),
        },
        Case {
            name: "two bodies agreeing on the value do not conflict",
            syntax: Syntax::V0,
            policy: r#"package main
p = x { x := 1 } { x := 3 - 2 }
f(a) = x { x := a } { x := a * 1 }
deny[msg] { msg := sprintf("%v %v", [p, f(5)]) }
"#,
            input: "{}",
            expected: Expected::Deny(&["1 5"]),
        },
        Case {
            name: "else is still refused on a partial set rule",
            syntax: Syntax::V0,
            policy: r#"package main
deny[msg] { input.a == 1; msg := "a" } else { msg := "b" }
"#,
            input: r#"{"a": 1}"#,
            expected: Expected::Error("else"),
        },
    ]);
}

#[test]
fn a_line_starting_with_a_parenthesis_is_a_new_expression() {
    run(&[
        Case {
            name: "x := y, then (z) on the next line (v0)",
            syntax: Syntax::V0,
            policy: r#"package main
y := 1
z := false
deny[msg] {
  x := y
  (z)
  msg := sprintf("x=%v", [x])
}
deny[msg] {
  x := y
  (input.missing)
  msg := "undefined z"
}
"#,
            input: "{}",
            expected: Expected::Deny(&[]),
        },
        Case {
            name: "x := f, then (z) on the next line (v1)",
            syntax: Syntax::V1,
            policy: r#"package main
f(a) := a
deny contains msg if {
  x := f(2)
  (x > 1)
  msg := sprintf("x=%v", [x])
}
deny contains msg if {
  x := input.name
  (x != "")
  msg := x
}
"#,
            input: r#"{"name": "n"}"#,
            expected: Expected::Deny(&["n", "x=2"]),
        },
        Case {
            name: "a space between a function and its ( is an error",
            syntax: Syntax::V1,
            policy: r#"package main
f(a) := a
deny contains msg if { msg := f ("x") }
"#,
            input: "{}",
            expected: Expected::Error("does not compile"),
        },
    ]);
}

#[test]
fn not_with_an_undefined_operand() {
    // Each rule says which negation holds; OPA's answers, with `input.missing` undefined.
    run(&[
        Case {
            name: "operands of calls are evaluated before the negation",
            syntax: Syntax::V0,
            policy: r#"package main
import future.keywords.in
f(x) { x == 1 }
g(x) = true { x == 1 }
deny["not f(input.missing)"] { not f(input.missing) }
deny["not g(input.missing)"] { not g(input.missing) }
deny["not f(data.nothing)"] { not f(data.nothing) }
deny["not f(input.a.b)"] { not f(input.a.b) }
deny["not startswith(input.missing, x)"] { x := "a"; not startswith(input.missing, x) }
deny["not count(input.missing) == 1"] { not count(input.missing) == 1 }
deny["not f(input.missing) == true"] { not f(input.missing) == true }
deny["not lower(input.missing) == x"] { not lower(input.missing) == "x" }
deny["not input.missing != 1"] { not input.missing != 1 }
deny["not [input.missing] == [1]"] { not [input.missing] == [1] }
deny["not input.images[input.missing]"] { not input.images[input.missing] }
deny["not input.missing in {1}"] { not input.missing in {1} }
deny["not input.missing + 1 == 2"] { not input.missing + 1 == 2 }
deny["not f(undefined_rule)"] { not f(undefined_rule) }
undefined_rule = 1 { false }
"#,
            input: r#"{"a": 2, "images": ["x"]}"#,
            expected: Expected::Deny(&[]),
        },
        Case {
            name: "what stays inside the negation",
            syntax: Syntax::V0,
            policy: r#"package main
f(x) { x == 1 }
deny["not input.missing == 1"] { not input.missing == 1 }
deny["not input.missing"] { not input.missing }
deny["not input.missing[0] == 1"] { not input.missing[0] == 1 }
deny["not object.get(input, missing, 1) == 2"] { not object.get(input, "missing", 1) == 2 }
deny["not f(input.a)"] { not f(input.a) }
deny["not f(y)"] { y := input.a; not f(y) }
deny["not f(2)"] { not f(2) }
deny["not undefined_rule"] { not undefined_rule }
undefined_rule = 1 { false }
"#,
            input: r#"{"a": 2}"#,
            expected: Expected::Deny(&[
                "not f(2)",
                "not f(input.a)",
                "not f(y)",
                "not input.missing",
                "not input.missing == 1",
                "not input.missing[0] == 1",
                "not object.get(input, missing, 1) == 2",
                "not undefined_rule",
            ]),
        },
        Case {
            name: "a comprehension is defined, even empty",
            syntax: Syntax::V0,
            policy: r#"package main
deny["not count([x | x := input.missing]) == 1"] { not count([x | x := input.missing]) == 1 }
"#,
            input: "{}",
            expected: Expected::Deny(&["not count([x | x := input.missing]) == 1"]),
        },
        Case {
            name: "with applies to what is evaluated before the negation",
            syntax: Syntax::V0,
            policy: r#"package main
deny["with"] { not startswith(input.missing, "a") with input as {"missing": "b"} }
"#,
            input: "{}",
            expected: Expected::Deny(&["with"]),
        },
        Case {
            name: "v1: a Gatekeeper-style check of an optional field",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains "runAsNonRoot is not set" if {
  not input.securityContext.runAsNonRoot
}
deny contains "image is not from the registry" if {
  not startswith(input.image, "registry.example/")
}
deny contains "no label team" if {
  not has_label(input.labels, "team")
}
has_label(labels, name) if labels[name]
"#,
            input: r#"{"securityContext": {}}"#,
            expected: Expected::Deny(&["runAsNonRoot is not set"]),
        },
    ]);
}
