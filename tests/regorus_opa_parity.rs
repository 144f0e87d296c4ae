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
    /// What OPA computes here we do not reproduce: dockpolicy must refuse it with an error
    /// containing this, never give a different answer; OPA is not asked. The VM fails the
    /// rule body on a builtin's error (its design), so it must fail or give no message.
    Refused(&'a str),
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
        .args([
            "test",
            "--no-color",
            "-o",
            "json",
            "--no-bundled",
            "-n",
            "main",
        ])
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
    // As dockpolicy runs it (src/policy/vm.rs): builtin errors are errors, not undefined.
    vm.set_strict_builtin_errors(true);
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
    Ok(messages_of(&report["result"][0]["expressions"][0]["value"]))
}

fn check(what: &str, case: &Case, got: &Result<Vec<String>, String>) {
    match (&case.expected, got) {
        (Expected::Deny(want), Ok(got)) => assert_eq!(
            got, want,
            "{}: {what} disagrees with OPA's deny set",
            case.name
        ),
        (Expected::Error(want) | Expected::Conflict(want) | Expected::Refused(want), Err(got)) => {
            assert!(
                got.contains(want),
                "{}: {what} failed, but not with {want:?}: {got}",
                case.name
            )
        }
        (Expected::Deny(want), Err(got)) => {
            panic!(
                "{}: {what} failed where OPA gives {want:?}: {got}",
                case.name
            )
        }
        (Expected::Error(want) | Expected::Conflict(want) | Expected::Refused(want), Ok(got)) => {
            panic!(
                "{}: {what} gave {got:?} where OPA fails with {want:?}",
                case.name
            )
        }
    }
}

/// Every case on dockpolicy, on the VM when it compiles the policy, and on OPA when
/// `DOCKPOLICY_OPA` is set. Where OPA fails, the others must fail too, in their own words.
/// Cases on which the VM is known to differ, with why: not held against it (dockpolicy
/// runs only the bundled library on the VM, and compares it with the interpreter on every
/// fixture in tests/engines.rs).
const VM_DIFFERS: &[(&str, &str)] = &[
    (
        "a comprehension is defined, even empty",
        "the VM makes a comprehension whose body hits an undefined reference undefined, not empty",
    ),
    (
        "conftest's combine example (documents under `items` here): duplicate names",
        "the VM lets `x := <undefined>` succeed",
    ),
];

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
                (Expected::Error(_) | Expected::Conflict(_) | Expected::Refused(_), Err(_)) => {}
                (Expected::Conflict(_) | Expected::Refused(_), Ok(deny)) if deny.is_empty() => {}
                _ => check("the regorus VM", case, &vm),
            },
            None => eprintln!("note: the VM does not compile {:?}", case.name),
        }
        if let Some(opa) = opa
            .as_ref()
            .filter(|_| !matches!(case.expected, Expected::Refused(_)))
        {
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

#[test]
fn sprintf_formats_as_go_fmt() {
    run(&[
        Case {
            name: "a missing argument prints %!v(MISSING), extra ones %!(EXTRA ...)",
            syntax: Syntax::V0,
            policy: r#"package main
deny[msg] { msg := sprintf("container %v has no %v", [input.name]) }
deny[msg] { msg := sprintf("limit %v", [input.name, 2, true]) }
"#,
            input: r#"{"name": "app"}"#,
            expected: Expected::Deny(&[
                "container app has no %!v(MISSING)",
                "limit app%!(EXTRA int64=2, string=true)",
            ]),
        },
        Case {
            name: "Gatekeeper-style messages: %v of collections, %d of a float, %s of a number",
            syntax: Syntax::V0,
            policy: r#"package main
deny[msg] {
  missing := {l | l := input.required[_]; not input.labels[l]}
  count(missing) > 0
  msg := sprintf("missing labels: %v; ratio %d, replicas %s", [missing, input.ratio, input.replicas])
}
"#,
            input: r#"{"required": ["team", "app"], "labels": {"app": "x"}, "ratio": 0.5, "replicas": 3}"#,
            expected: Expected::Deny(&[
                "missing labels: {\"team\"}; ratio %!d(float64=0.5), replicas %!s(int64=3)",
            ]),
        },
        Case {
            name: "%x of a float is refused, not approximated",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains sprintf("%x", [1.5])
"#,
            input: "{}",
            expected: Expected::Refused("not supported"),
        },
        Case {
            name: "Go fmt verbs, flags, widths, precisions and in-band errors",
            syntax: Syntax::V1,
            policy: r##"package main
x := 3 * 1.5
y := 4 / 2
z := 10 / 4
w := 0.5 * 4
deny contains concat("", ["000 ", sprintf("%v and %v", ["one"])])
deny contains concat("", ["001 ", sprintf("%v", ["one", 2, true])])
deny contains concat("", ["002 ", sprintf("%d", [1.5])])
deny contains concat("", ["003 ", sprintf("%s", [3])])
deny contains concat("", ["004 ", sprintf("%d", ["x"])])
deny contains concat("", ["005 ", sprintf("%v", [{1, "a"}])])
deny contains concat("", ["006 ", sprintf("%v", [{"k": [1, "x"]}])])
deny contains concat("", ["007 ", sprintf("%v", [["a", 1.5]])])
deny contains concat("", ["008 ", sprintf("%v", [12345678901234567890123])])
deny contains concat("", ["009 ", sprintf("%v", [1.5])])
deny contains concat("", ["011 ", sprintf("%v", [123456789.5])])
deny contains concat("", ["012 ", sprintf("%v", [0.000012345])])
deny contains concat("", ["013 ", sprintf("%v", [0.1])])
deny contains concat("", ["014 ", sprintf("%v", [100000.5])])
deny contains concat("", ["015 ", sprintf("%v", [1234567.5])])
deny contains concat("", ["016 ", sprintf("%f", [1.5])])
deny contains concat("", ["017 ", sprintf("%.2f", [3.14159])])
deny contains concat("", ["018 ", sprintf("%e", [1234.5678])])
deny contains concat("", ["019 ", sprintf("%.3e", [0.00012])])
deny contains concat("", ["020 ", sprintf("%g", [1234.5678])])
deny contains concat("", ["021 ", sprintf("%.3g", [1234.5678])])
deny contains concat("", ["022 ", sprintf("%.10g", [0.5])])
deny contains concat("", ["023 ", sprintf("%G", [1e-7])])
deny contains concat("", ["024 ", sprintf("%5.1f|", [3.14159])])
deny contains concat("", ["025 ", sprintf("%-8.2f|", [-3.14159])])
deny contains concat("", ["026 ", sprintf("%08.3f", [-3.14159])])
deny contains concat("", ["027 ", sprintf("%+.1f", [2.25])])
deny contains concat("", ["028 ", sprintf("% .1f", [2.25])])
deny contains concat("", ["029 ", sprintf("%5d|%-5d|%05d", [42, 42, -42])])
deny contains concat("", ["030 ", sprintf("%x %X %o %O %b", [255, 255, 8, 8, 5])])
deny contains concat("", ["031 ", sprintf("%#x %#o %#b", [255, 8, 5])])
deny contains concat("", ["032 ", sprintf("%+d % d", [5, 5])])
deny contains concat("", ["033 ", sprintf("%.3d", [7])])
deny contains concat("", ["034 ", sprintf("%c", [65])])
deny contains concat("", ["035 ", sprintf("%q", ["a\"b"])])
deny contains concat("", ["036 ", sprintf("%q", [65])])
deny contains concat("", ["037 ", sprintf("%U", [9731])])
deny contains concat("", ["038 ", sprintf("%#U", [9731])])
deny contains concat("", ["039 ", sprintf("%x", ["hi"])])
deny contains concat("", ["040 ", sprintf("% x", ["hi"])])
deny contains concat("", ["041 ", sprintf("%#X", ["hi"])])
deny contains concat("", ["042 ", sprintf("%10s|", ["abc"])])
deny contains concat("", ["043 ", sprintf("%-10s|", ["abc"])])
deny contains concat("", ["044 ", sprintf("%.2s", ["abcdef"])])
deny contains concat("", ["045 ", sprintf("%05s", ["ab"])])
deny contains concat("", ["046 ", sprintf("%*d", [5, 42])])
deny contains concat("", ["047 ", sprintf("%-*d|", [5, 42])])
deny contains concat("", ["048 ", sprintf("%.*f", [2, 3.14159])])
deny contains concat("", ["049 ", sprintf("%*d", ["x", 42])])
deny contains concat("", ["050 ", sprintf("%[2]d %[1]d", [1, 2])])
deny contains concat("", ["051 ", sprintf("%[3]d", [1, 2])])
deny contains concat("", ["052 ", sprintf("%[0]d", [1])])
deny contains concat("", ["053 ", sprintf("%d %d %[1]d", [1, 2])])
deny contains concat("", ["054 ", sprintf("%", [])])
deny contains concat("", ["055 ", sprintf("%!", [])])
deny contains concat("", ["056 ", sprintf("%z", [1])])
deny contains concat("", ["057 ", sprintf("%v", [true])])
deny contains concat("", ["058 ", sprintf("%v", [null])])
deny contains concat("", ["059 ", sprintf("%t", [true])])
deny contains concat("", ["060 ", sprintf("%d", [true])])
deny contains concat("", ["061 ", sprintf("%s", [["a"]])])
deny contains concat("", ["062 ", sprintf("%v", [set()])])
deny contains concat("", ["063 ", sprintf("%v", [{}])])
deny contains concat("", ["064 ", sprintf("%v", [[]])])
deny contains concat("", ["065 ", sprintf("%+v", [5])])
deny contains concat("", ["066 ", sprintf("%+v", [1.5])])
deny contains concat("", ["067 ", sprintf("%#v", ["x"])])
deny contains concat("", ["068 ", sprintf("%#v", [5])])
deny contains concat("", ["069 ", sprintf("%v", [99999999999999999999])])
deny contains concat("", ["070 ", sprintf("%x", [99999999999999999999])])
deny contains concat("", ["071 ", sprintf("%d", [-99999999999999999999])])
deny contains concat("", ["072 ", sprintf("%z", [99999999999999999999])])
deny contains concat("", ["073 ", sprintf("%s", [99999999999999999999])])
deny contains concat("", ["074 ", sprintf("%v", [-5])])
deny contains concat("", ["075 ", sprintf("%x", [-255])])
deny contains concat("", ["076 ", sprintf("%5.2v|", ["abcdef"])])
deny contains concat("", ["077 ", sprintf("%v", [3.0])])
deny contains concat("", ["079 ", sprintf("%v", [1e3])])
deny contains concat("", ["081 ", sprintf("%v", [-0.5])])
deny contains concat("", ["082 ", sprintf("%.0f", [2.5])])
deny contains concat("", ["083 ", sprintf("%.0f", [3.5])])
deny contains concat("", ["084 ", sprintf("%v", ["é"])])
deny contains concat("", ["085 ", sprintf("%5s|", ["é"])])
deny contains concat("", ["086 ", sprintf("%q", ["é\u0001"])])
deny contains concat("", ["087 ", sprintf("%+q", ["é"])])
deny contains concat("", ["088 ", sprintf("%v", [{"a": "é\n"}])])
deny contains concat("", ["089 ", sprintf("%v %%", [1])])
deny contains concat("", ["090 ", sprintf("%3%", [])])
deny contains concat("", ["091 ", sprintf("%d", [9223372036854775807])])
deny contains concat("", ["092 ", sprintf("%d", [9223372036854775808])])
deny contains concat("", ["093 ", sprintf("%d", [-9223372036854775808])])
deny contains concat("", ["094 ", sprintf("%v", [5e-324])])
deny contains concat("", ["096 ", sprintf("%T %T %T %T", [1, 1.5, "s", 99999999999999999999])])
deny contains concat("", ["097 ", sprintf("%p", [1])])
deny contains concat("", ["098 ", sprintf("%w", ["e"])])
deny contains concat("", ["099 ", sprintf("%10T|", [1])])
deny contains concat("", ["100 ", sprintf("%v", [input.f])])
deny contains concat("", ["102 ", sprintf("%d", [input.n])])
deny contains concat("", ["103 ", sprintf("%v", [input.obj])])
deny contains concat("", ["104 ", sprintf("%s", [input.arr])])
deny contains concat("", ["105 ", sprintf("%v", [input.ff])])
deny contains concat("", ["107 ", sprintf("%v", [x])])
deny contains concat("", ["108 ", sprintf("%d", [y])])
deny contains concat("", ["109 ", sprintf("%v", [z])])
deny contains concat("", ["110 ", sprintf("%s", [w])])
deny contains concat("", ["111 ", sprintf("%.1f", [w])])
"##,
            input: r#"{"f": 0.1, "big": 123456789012345678901234567890, "n": 7, "obj": {"b": "x\u0001", "a": [1, null, false]}, "arr": ["q\"", {"k": 1.25}], "ff": 2.0}"#,
            expected: Expected::Deny(&[
                "000 one and %!v(MISSING)",
                "001 one%!(EXTRA int64=2, string=true)",
                "002 %!d(float64=1.5)",
                "003 %!s(int64=3)",
                "004 %!d(string=x)",
                "005 {1, \"a\"}",
                "006 {\"k\": [1, \"x\"]}",
                "007 [\"a\", 1.5]",
                "008 12345678901234567890123",
                "009 1.5",
                "011 1.234567895e+08",
                "012 1.2345e-05",
                "013 0.1",
                "014 100000.5",
                "015 1.2345675e+06",
                "016 1.500000",
                "017 3.14",
                "018 1.234568e+03",
                "019 1.200e-04",
                "020 1234.5678",
                "021 1.23e+03",
                "022 0.5",
                "023 1E-07",
                "024   3.1|",
                "025 -3.14   |",
                "026 -003.142",
                "027 +2.2",
                "028  2.2",
                "029    42|42   |-0042",
                "030 ff FF 10 0o10 101",
                "031 0xff 010 0b101",
                "032 +5  5",
                "033 007",
                "034 A",
                "035 \"a\\\"b\"",
                "036 'A'",
                "037 U+2603",
                "038 U+2603 '☃'",
                "039 6869",
                "040 68 69",
                "041 0X6869",
                "042        abc|",
                "043 abc       |",
                "044 ab",
                "045 000ab",
                "046    42",
                "047 42   |",
                "048 3.14",
                "049 %!(BADWIDTH)42",
                "050 2 1",
                "051 %!d(BADINDEX)",
                "052 %!d(BADINDEX)",
                "053 1 2 1",
                "054 %!(NOVERB)",
                "055 %!!(MISSING)",
                "056 %!z(int64=1)",
                "057 true",
                "058 null",
                "059 %!t(string=true)",
                "060 %!d(string=true)",
                "061 [\"a\"]",
                "062 set()",
                "063 {}",
                "064 []",
                "065 5",
                "066 1.5",
                "067 \"x\"",
                "068 5",
                "069 99999999999999999999",
                "070 56bc75e2d630fffff",
                "071 -99999999999999999999",
                "072 %!z(big.Int=99999999999999999999)",
                "073 99999999999999999999",
                "074 -5",
                "075 -ff",
                "076    ab|",
                "077 3",
                "079 1000",
                "081 -0.5",
                "082 2",
                "083 4",
                "084 é",
                "085     é|",
                "086 \"é\\x01\"",
                "087 \"\\u00e9\"",
                "088 {\"a\": \"é\\n\"}",
                "089 1 %",
                "090 %",
                "091 9223372036854775807",
                "092 9223372036854775808",
                "093 -9223372036854775808",
                "094 5e-324",
                "096 int64 float64 string *big.Int",
                "097 %!p(int64=1)",
                "098 %!w(string=e)",
                "099      int64|",
                "100 0.1",
                "102 7",
                "103 {\"a\": [1, null, false], \"b\": \"x\\x01\"}",
                "104 [\"q\\\"\", {\"k\": 1.25}]",
                "105 2",
                "107 4.5",
                "108 2",
                "109 2.5",
                "110 %!s(int64=2)",
                "111 %!f(int64=2)",
            ]),
        },
    ]);
}

#[test]
fn deprecated_builtins_in_v0() {
    run(&[
        Case {
            name: "re_match, any, all, set_diff and the casts in v0",
            syntax: Syntax::V0,
            policy: r#"package main
deny[msg] { re_match("^[0-9]+m$", "100m"); msg := "re_match" }
deny[msg] { not re_match("^[0-9]+m$", "1"); msg := "not re_match" }
deny[msg] { any([false, true]); msg := "any" }
deny[msg] { not any(set()); msg := "not any of nothing" }
deny[msg] { all([true, true]); msg := "all" }
deny[msg] { all(set()); msg := "all of nothing" }
deny[msg] { not all({true, 1}); msg := "not all" }
deny[msg] { msg := sprintf("cast_set %v", [cast_set([1, 1, 2])]) }
deny[msg] { msg := sprintf("cast_array %v", [cast_array({"b", "a", 3})]) }
deny[msg] { msg := sprintf("set_diff %v", [set_diff({1, 2}, {1})]) }
deny[msg] { net.cidr_overlap("10.0.0.0/8", "10.1.0.1"); msg := "net.cidr_overlap" }
deny[msg] {
  msg := sprintf("casts %v %v %v %v", [cast_string("s"), cast_boolean(false), cast_null(null), cast_object({"a": 1})])
}
"#,
            input: "{}",
            expected: Expected::Deny(&[
                "all",
                "all of nothing",
                "any",
                "cast_array [3, \"a\", \"b\"]",
                "cast_set {1, 2}",
                "casts s false null {\"a\": 1}",
                "net.cidr_overlap",
                "not all",
                "not any of nothing",
                "not re_match",
                "re_match",
                "set_diff {2}",
            ]),
        },
        Case {
            name: "a user function named like a deprecated builtin wins",
            syntax: Syntax::V1,
            policy: r#"package main
all(xs) := count(xs) > 1
deny contains "mine" if all([1, 2])
"#,
            input: "{}",
            expected: Expected::Deny(&["mine"]),
        },
        Case {
            name: "v1 policies may not call them",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains "any" if any([true])
"#,
            input: "{}",
            expected: Expected::Error("only available to Rego v0"),
        },
    ]);
}

#[test]
fn a_comprehension_local_declared_after_a_use_of_the_outer_variable() {
    run(&[
        Case {
            name: "uses before the local's := are the outer variable",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains json.marshal(r) if { x := 2; r := [x | x == 2; x := 5] }
deny contains json.marshal(r) if { x := 2; r := {"no": [x | x == 3; x := 5]} }
deny contains json.marshal(r) if { x = 2; r := {"eq": {x | x == 2; x := 5; x == 5}} }
deny contains json.marshal(r) if { x := [1]; r := {"index": [x | x[0] == 1; x := 5]} }
deny contains json.marshal(r) if { x := 2; r := {"obj": {x: y | x == 2; x := 5; y := x}} }
deny contains json.marshal(r) if { x := 2; r := {"rhs": [x | x := x + 1]} }
deny contains json.marshal(r) if { x := 2; r := {"nested": [y | x == 2; y := [x | x := 3]]} }
deny contains json.marshal(r) if { x := 2; r := {"some in": [x | x == 2; some x in [5]]} }
deny contains json.marshal(r) if { x := 2; r := {"some": [x | x == 2; some x; x = 5]} }
f(x) := r if { r := [x | x == 2; x := 5] }
deny contains json.marshal(r) if { r := {"arg": f(2)} }
"#,
            input: "{}",
            expected: Expected::Deny(&[
                r#"[5]"#,
                r#"{"arg":[5]}"#,
                r#"{"eq":[5]}"#,
                r#"{"index":[5]}"#,
                r#"{"nested":[[3]]}"#,
                r#"{"no":[]}"#,
                r#"{"obj":{"5":5}}"#,
                r#"{"rhs":[3]}"#,
                r#"{"some in":[5]}"#,
                r#"{"some":[5]}"#,
            ]),
        },
        Case {
            name: "each iteration sees the outer variable again",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains json.marshal(r) if {
  x := 2
  r := [y | some i; y := [1, 2, 3][i]; [5, 6, 7][i] != x; x := 5]
}
deny contains json.marshal(r) if {
  x := 2
  r := [[i, x] | some i; [1, 2][i] > 0; x == 2; x := i]
}
deny contains json.marshal(r) if {
  x := 2
  r := [x | some i; [1, 2, 3][i] == x; x := [1, 2, 3][i] * 10]
}
"#,
            input: "{}",
            expected: Expected::Deny(&["[1,2,3]", "[20]", "[[0,0],[1,1]]"]),
        },
        Case {
            name: "conftest's combine example (documents under `items` here): duplicate names",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains msg if {
  name := input.items[_].contents.metadata.name
  occurrences := [name | some i; input.items[i].contents.metadata.name == name; name := input.items[i].metadata.name]
  count(occurrences) > 1
  msg := sprintf("duplicate name: %s", [name])
}
deny contains msg if {
  name := input.items[_].contents.metadata.name
  occurrences := [name | some i; input.items[i].contents.metadata.name == name; name := input.items[i].contents.metadata.name]
  count(occurrences) > 1
  msg := sprintf("duplicate name, reading the local from contents: %s", [name])
}
"#,
            input: r#"{"items": [{"contents": {"metadata": {"name": "a"}}},
                {"contents": {"metadata": {"name": "b"}}},
                {"contents": {"metadata": {"name": "a"}}}]}"#,
            // The example reads the local from `metadata`, which the documents do not have
            // at their top: its occurrences are always empty.
            expected: Expected::Deny(&["duplicate name, reading the local from contents: a"]),
        },
        Case {
            name: "an outer `some i` bound only inside comprehensions is each one's own",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains json.marshal(s) if {
  some i
  s := {o | input.items[i].kind == "team"; o := input.items[i].owner[_]}
}
deny contains json.marshal([i, s]) if {
  some i
  input.items[i].kind == "team"
  s := {o | o := input.items[i].owner[_]}
}
"#,
            input: r#"{"items": [{"kind": "team", "owner": ["a", "b"]},
                {"kind": "team", "owner": ["c"]}, {"kind": "x", "owner": ["d"]}]}"#,
            expected: Expected::Deny(&[r#"["a","b","c"]"#, r#"[0,["a","b"]]"#, r#"[1,["c"]]"#]),
        },
        Case {
            name: "a rule of the package is not shadowed so",
            syntax: Syntax::V1,
            policy: r#"package main
x := 2
deny contains json.marshal(r) if { r := [x | x == 2; x := 5] }
"#,
            input: "{}",
            expected: Expected::Error("x"),
        },
    ]);
}

/// The Gatekeeper suites of tests/fixtures/gator/regorus-* (one per construct above): every
/// case passes on dockpolicy, and on the real gator when `DOCKPOLICY_GATOR` is set.
#[test]
fn template_strings() {
    run(&[
        Case {
            name: "a template string in a set rule's head, over the body's vars",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains $"container {c.name} runs {c.image} with {count(c.ports)} ports: {c.ports}" if {
	some c in input.containers
}"#,
            input: r#"{"containers": [{"name": "web", "image": "nginx:1.25", "ports": [80, 443]}, {"name": "db", "image": "pg", "ports": []}]}"#,
            expected: Expected::Deny(&[
                "container db runs pg with 0 ports: []",
                "container web runs nginx:1.25 with 2 ports: [80, 443]",
            ]),
        },
        Case {
            name: "a template string in a function's value, an argument and a comprehension",
            syntax: Syntax::V1,
            policy: r#"package main
f(x) := $"<{x}>"
deny contains f(f(1))
deny contains concat(",", [$"{n}" | some n in input.names])
deny contains m if { m := $`{input.names[0]} of {count(input.names)}` }"#,
            input: r#"{"names": ["a", "b"]}"#,
            expected: Expected::Deny(&["<<1>>", "a of 2", "a,b"]),
        },
        Case {
            name: "a template string of literals is a default value; undefined parts say so",
            syntax: Syntax::V1,
            policy: r#"package main
default m := $"default {1}"
deny contains m
deny contains $"{input.nope} {data.main.nothing}""#,
            input: r#"{}"#,
            expected: Expected::Deny(&["<undefined> <undefined>", "default 1"]),
        },
        Case {
            name: "a template string is v1 syntax",
            syntax: Syntax::V0,
            policy: r#"package main
deny[$"x{1}"] { true }"#,
            input: r#"{}"#,
            expected: Expected::Error("template strings are not supported"),
        },
        Case {
            name: "a template string is v1 syntax, rego.v1 import or not",
            syntax: Syntax::V0,
            policy: r#"package main
import rego.v1
deny contains $"x{1}" if { true }"#,
            input: r#"{}"#,
            expected: Expected::Error("template strings are not supported"),
        },
        Case {
            name: "an empty template expression",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains $"a{}b""#,
            input: r#"{}"#,
            expected: Expected::Error("template-string expression"),
        },
        Case {
            name: "an unterminated template string",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains $"a{1}b"#,
            input: r#"{}"#,
            expected: Expected::Error("non-terminated string"),
        },
        Case {
            name: "a line break in a template string",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains $"a
b""#,
            input: r#"{}"#,
            expected: Expected::Error("non-terminated string"),
        },
        Case {
            name: "an unterminated template expression",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains $"a{1 b""#,
            input: r#"{}"#,
            expected: Expected::Error(""),
        },
        Case {
            name: "a template string's escapes are JSON's and `\\{`",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains $"a\}""#,
            input: r#"{}"#,
            expected: Expected::Error("illegal escape sequence"),
        },
        Case {
            name: "`$` only before a template string",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains $ "x""#,
            input: r#"{}"#,
            expected: Expected::Error("illegal $ character"),
        },
        Case {
            name: "a template expression is not a statement",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains $"{x := 1}""#,
            input: r#"{}"#,
            expected: Expected::Error("unexpected assignment"),
        },
        Case {
            name: "a template expression is not negated",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains $"{not true}""#,
            input: r#"{}"#,
            expected: Expected::Error("unexpected negation"),
        },
        Case {
            name: "a template expression does not iterate with `_`",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains $"{input.a[_]}""#,
            input: r#"{"a": [1]}"#,
            expected: Expected::Error("var _ is undeclared"),
        },
        Case {
            name: "a template expression does not iterate with an unbound var",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains $"{input.a[i]}""#,
            input: r#"{"a": [1]}"#,
            expected: Expected::Error("var i is undeclared"),
        },
        Case {
            name: "a template expression does not call walk",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains $"{walk(input)}""#,
            input: r#"{}"#,
            expected: Expected::Error("walk"),
        },
        Case {
            name: "internal.template_string refuses several values",
            syntax: Syntax::V1,
            policy: r#"package main
deny contains internal.template_string([{1, 2}])"#,
            input: r#"{}"#,
            expected: Expected::Conflict("multiple outputs"),
        },
    ]);
}

#[test]
fn gatekeeper_suites_of_the_patched_constructs_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gator");
    let mut suites: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("regorus-"))
        })
        .collect();
    suites.sort();
    assert!(suites.len() >= 4, "suites found: {suites:?}");
    let gator = std::env::var_os("DOCKPOLICY_GATOR");
    for suite in &suites {
        let out = assert_cmd::Command::cargo_bin("dockpolicy")
            .unwrap()
            .args(["gatekeeper", "verify"])
            .arg(suite)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && report.contains(" 0 failed, 0 errors"),
            "dockpolicy on {}:\n{report}{}",
            suite.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(gator) = &gator {
            let out = Command::new(gator)
                .args(["verify", "-v"])
                .arg(suite)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "gator on {}:\n{}{}",
                suite.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    if gator.is_none() {
        eprintln!(
            "SKIPPED: the real gator did not run the {} suites (set DOCKPOLICY_GATOR)",
            suites.len()
        );
    }
}
