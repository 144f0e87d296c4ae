//! conftest policies may call any of OPA's builtins. This test holds dockpolicy's regorus
//! (built with the features in Cargo.toml) to OPA's list: every builtin OPA v1.22.4 has is
//! either one regorus provides or one named below with the reason it is missing. With
//! `DOCKPOLICY_OPA` set, the list comes from `opa capabilities --current` and must match the
//! copy in tests/fixtures/opa-builtins.txt, which runs without OPA (and Go) use;
//! `DOCKPOLICY_OPA_RECORD=1` (with `DOCKPOLICY_OPA`) rewrites that copy.
//!
//! Then a few builtins behave as OPA's do: each case's answer was given by `opa eval`, and
//! with `DOCKPOLICY_OPA` set is asked of OPA again.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use dockpolicy::policy::load::FORBIDDEN_BUILTINS;
use serde_json::Value;

const RECORD: &str = "tests/fixtures/opa-builtins.txt";

/// OPA builtins dockpolicy does not provide, each with why. Keep in step with the README's
/// "Differences from conftest".
const MISSING: &[(&str, &str)] = &[
    // Refused when a policy loads (FORBIDDEN_BUILTINS): a policy must not reach the network,
    // and the checks must give the same answer on every machine.
    ("http.send", "network"),
    ("net.lookup_ip_addr", "network (DNS)"),
    ("providers.aws.sign_req", "signs requests for the network"),
    // Operators: regorus implements them as the syntax they stand for (`+`, `==`, `:=`,
    // `in`, ...); OPA also lets them be called by these names, which no policy does.
    ("and", "operator `&`"),
    ("assign", "operator `:=`"),
    ("div", "operator `/`"),
    ("eq", "operator `=`"),
    ("equal", "operator `==`"),
    ("gt", "operator `>`"),
    ("gte", "operator `>=`"),
    ("internal.member_2", "operator `in`"),
    ("internal.member_3", "operator `in`"),
    ("lt", "operator `<`"),
    ("lte", "operator `<=`"),
    ("minus", "operator `-`"),
    ("mul", "operator `*`"),
    ("neq", "operator `!=`"),
    ("or", "operator `|`"),
    ("plus", "operator `+`"),
    ("rem", "operator `%`"),
    // OPA's compiler rewrites to these; they are not called by name.
    ("internal.print", "`print`, which regorus handles itself"),
    ("internal.test_case", "OPA's test runner"),
];

fn manifest_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn opa() -> Option<PathBuf> {
    std::env::var_os("DOCKPOLICY_OPA").map(PathBuf::from)
}

fn record_text(names: &BTreeSet<String>) -> String {
    let mut text = String::from(
        "# The builtin names of `opa capabilities --current` from OPA v1.22.4, one a line\n\
         # (tests/builtins.rs writes it with DOCKPOLICY_OPA_RECORD=1 and DOCKPOLICY_OPA set).\n",
    );
    for name in names {
        text.push_str(name);
        text.push('\n');
    }
    text
}

fn parse_record(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(str::to_owned)
        .collect()
}

fn opa_capabilities(opa: &Path) -> BTreeSet<String> {
    let out = Command::new(opa)
        .args(["capabilities", "--current"])
        .output()
        .expect("run opa capabilities");
    assert!(out.status.success(), "opa capabilities failed");
    let capabilities: Value = serde_json::from_slice(&out.stdout).expect("capabilities JSON");
    capabilities["builtins"]
        .as_array()
        .expect("a builtins array")
        .iter()
        .map(|builtin| builtin["name"].as_str().expect("a name").to_owned())
        .collect()
}

/// OPA's builtin names: asked of OPA when it is at hand (and checked against the record),
/// else the record.
fn opa_builtin_names() -> BTreeSet<String> {
    let record = manifest_path(RECORD);
    let Some(opa) = opa() else {
        eprintln!("SKIPPED: OPA's builtin list read from {RECORD} (set DOCKPOLICY_OPA)");
        return parse_record(&std::fs::read_to_string(&record).expect("the record"));
    };
    let names = opa_capabilities(&opa);
    if std::env::var_os("DOCKPOLICY_OPA_RECORD").is_some() {
        std::fs::write(&record, record_text(&names)).expect("write the record");
    } else {
        let recorded = parse_record(&std::fs::read_to_string(&record).unwrap_or_default());
        assert_eq!(
            recorded, names,
            "{RECORD} is stale: rerun with DOCKPOLICY_OPA_RECORD=1"
        );
    }
    names
}

/// The builtins a dockpolicy policy can call: regorus's table (the same features as the
/// binary, since this test links the same crate), `print`, which regorus handles outside
/// its table, less those dockpolicy refuses at load.
fn dockpolicy_builtin_names() -> BTreeSet<String> {
    regorus::unstable::BUILTINS
        .keys()
        .map(|name| name.to_string())
        .chain(["print".to_owned()])
        .filter(|name| !FORBIDDEN_BUILTINS.contains(&name.as_str()))
        .collect()
}

#[test]
fn every_opa_builtin_is_provided_or_listed_as_missing() {
    let opa = opa_builtin_names();
    let ours = dockpolicy_builtin_names();
    let missing: BTreeSet<&str> = MISSING.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        missing.len(),
        MISSING.len(),
        "a name listed twice in MISSING"
    );

    let unexplained: Vec<&String> = opa
        .iter()
        .filter(|name| !ours.contains(*name) && !missing.contains(name.as_str()))
        .collect();
    assert!(
        unexplained.is_empty(),
        "OPA builtins dockpolicy neither provides nor lists in MISSING: {unexplained:?}"
    );
    let provided_after_all: Vec<&&str> = missing
        .iter()
        .filter(|name| ours.contains(**name))
        .collect();
    assert!(
        provided_after_all.is_empty(),
        "listed in MISSING but provided: {provided_after_all:?}"
    );
    let not_in_opa: Vec<&&str> = missing
        .iter()
        .filter(|name| !opa.contains(**name))
        .collect();
    assert!(
        not_in_opa.is_empty(),
        "listed in MISSING but not an OPA builtin: {not_in_opa:?}"
    );
}

/// A builtin call and OPA's answer for it, as JSON.
struct Case {
    expression: &'static str,
    opa_says: &'static str,
}

fn policy(case: &Case) -> String {
    format!(
        "package main\n\ndeny contains msg if {{\n\tmsg := json.marshal({})\n}}\n",
        case.expression
    )
}

/// The one `deny` message dockpolicy gives for the case's policy.
fn dockpolicy_answer(dir: &Path) -> String {
    let entry = &common::main_package_entry(dir, &[]);
    assert!(entry["error"].is_null(), "dockpolicy failed: {entry}");
    entry["failures"][0]["msg"]
        .as_str()
        .unwrap_or_else(|| panic!("no deny message: {entry}"))
        .to_owned()
}

fn opa_answer(opa: &Path, dir: &Path) -> String {
    let out = Command::new(opa)
        .args(["eval", "-f", "json", "-d"])
        .arg(dir.join("policy/case.rego"))
        .arg("data.main.deny")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("opa eval: {}", String::from_utf8_lossy(&out.stderr)));
    report["result"][0]["expressions"][0]["value"][0]
        .as_str()
        .unwrap_or_else(|| panic!("no deny message from opa: {report}"))
        .to_owned()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn builtins_behave_as_in_opa() {
    let cases = [
        Case {
            expression: r#"time.parse_rfc3339_ns("2024-02-29T12:30:00+02:00")"#,
            opa_says: "1709202600000000000",
        },
        Case {
            expression: r#"time.date(time.parse_rfc3339_ns("2024-02-29T23:30:00Z"))"#,
            opa_says: "[2024,2,29]",
        },
        Case {
            expression: r#"time.clock([time.parse_rfc3339_ns("2024-02-29T23:30:00Z"), "Asia/Tokyo"])"#,
            opa_says: "[8,30,0]",
        },
        Case {
            expression: r#"time.add_date(time.parse_rfc3339_ns("2024-01-31T00:00:00Z"), 0, 1, 0)"#,
            opa_says: "1709337600000000000",
        },
        // A day past the month's end rolls over, as Go's AddDate does (vendor patch 6).
        Case {
            expression: r#"[time.add_date(time.parse_rfc3339_ns("2024-02-29T10:00:00+05:00"), 1, 0, 0), time.add_date(time.parse_rfc3339_ns("2024-03-31T00:00:00Z"), 0, -1, 0), time.add_date(time.parse_rfc3339_ns("2024-01-15T00:00:00Z"), 0, -13, -20)]"#,
            opa_says: "[1740805200000000000,1709337600000000000,1669334400000000000]",
        },
        Case {
            expression: r#"[net.cidr_contains("10.0.0.0/8", "10.1.2.3"), net.cidr_contains("10.0.0.0/8", "192.168.0.0/16"), net.cidr_is_valid("10.0.0.0/33")]"#,
            opa_says: "[true,false,false]",
        },
        Case {
            expression: r#"net.cidr_expand("192.168.0.0/31")"#,
            opa_says: r#"["192.168.0.0","192.168.0.1"]"#,
        },
        Case {
            expression: r#"json.patch({"a": {"b": 1}}, [{"op": "add", "path": "/a/c", "value": 2}, {"op": "remove", "path": "/a/b"}])"#,
            opa_says: r#"{"a":{"c":2}}"#,
        },
        // vendor patch 7
        Case {
            expression: r#"[crypto.md5("dockpolicy"), crypto.sha1("dockpolicy"), crypto.sha256("dockpolicy"), crypto.sha256("")]"#,
            opa_says: r#"["4f687c891dc553667c2036663f79a957","6dbb0cf19a2be5fd1b405a8c818789cd5acffcf1","51d7c0dc208275543789483f878ad70b05f03c1d0748296f6b03cb8d8caca8e6","e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]"#,
        },
        // The last key is longer than a SHA-512 block, which HMAC hashes first.
        Case {
            expression: r#"[crypto.hmac.md5("msg", "key"), crypto.hmac.sha1("msg", "key"), crypto.hmac.sha256("msg", "key"), crypto.hmac.sha512("msg", "a key longer than the one hundred and twenty eight bytes of a SHA-512 block, so that HMAC hashes it first, as it must do for such keys!!")]"#,
            opa_says: r#"["18e3548c59ad40dd03907b7aeee71d67","102900b72b7bf1031eec76b4804b66052376896b","2d93cbc1be167bcb1637a4a23cbff01a7878f0c50ee833954ea5221bb1b8c628","1e8703ba2ba771c887c517cfb9aa696f611c860f4d5319d3ff144fde2a9fa171a136b792612ada57356a89b5afa48c0a1e6a77dc2c49521d9b2ebd13486a92f2"]"#,
        },
        Case {
            expression: r#"[crypto.hmac.equal("abc", "abc"), crypto.hmac.equal("abc", "abd"), crypto.hmac.equal("abc", "abcd")]"#,
            opa_says: "[true,false,false]",
        },
        Case {
            expression: r#"uuid.parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8").version"#,
            opa_says: "1",
        },
        Case {
            expression: r#"array.flatten([1, [2, [3]], [], "a"])"#,
            opa_says: r#"[1,2,[3],"a"]"#,
        },
        // Negative counts take from the right; "" splits into characters.
        Case {
            expression: r#"[strings.split_n("a,b,c,d", ",", 2), strings.split_n("a,b,c,d", ",", -2), strings.split_n("a,b,c,d", ",", 0), strings.split_n("h\u00e9llo", "", 2), strings.split_n("abc", ",", -10)]"#,
            opa_says: r#"[["a","b"],["c","d"],[],["h","\u00e9"],["abc"]]"#,
        },
        // Adjacent blocks merge; an address unmerged keeps its classful mask as written.
        Case {
            expression: r#"[net.cidr_merge(["10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/24", "10.0.3.0/24"]), net.cidr_merge(["1.2.3.4", "10.0.0.5"]), net.cidr_merge(["192.168.1.1", "192.168.1.2"]), net.cidr_merge(["2001:db8::/33", "2001:db8:8000::/33", "fe80::/64"]), net.cidr_merge({"10.1.2.3/8", "10.0.0.0/16"}), net.cidr_merge(["10.0.0.1/32", "10.0.0.2/32"]), net.cidr_merge(["10.0.0.0/8", "::/0"])]"#,
            opa_says: r#"[["10.0.0.0/23","10.0.3.0/24"],["1.2.3.4/8","10.0.0.5/8"],["192.168.1.0/24"],["2001:db8::/32","fe80::/64"],["10.0.0.0/8"],["10.0.0.1/32","10.0.0.2/32"],["::/0"]]"#,
        },
        Case {
            expression: r#"[net.cidr_intersects("10.0.0.0/8", "10.1.0.0/16"), net.cidr_intersects("10.0.0.0/16", "10.1.0.0/16"), net.cidr_intersects("10.0.0.0/8", "::/0")]"#,
            opa_says: "[true,false,false]",
        },
        Case {
            expression: r#"[net.cidr_contains_matches(["10.0.0.0/8", ["192.168.0.0/16", "extra"]], {"a": "10.1.1.1", "b": ["192.168.1.1", 5], "c": "8.8.8.8"}), net.cidr_contains_matches({"10.0.0.0/8", "1.0.0.0/8"}, ["10.0.0.1", "1.2.3.4"]), net.cidr_contains_matches("10.0.0.0/8", "10.1.2.3")]"#,
            opa_says: r#"[[[0,"a"],[1,"b"]],[["1.0.0.0/8",1],["10.0.0.0/8",0]],[["10.0.0.0/8","10.1.2.3"]]]"#,
        },
        // Go's url.Parse: unescaped path and fragment, raw_path as written only when it
        // differs from the path escaped, an IPv6 zone, an opaque URL with no path.
        Case {
            expression: r#"[uri.parse("https://user:pw@Example.com:8080/a%20b/c?x=1&y=2#frag%21"), uri.parse("http://[fe80::1%25en0]:8/"), uri.parse("http://h/a%2Fb"), uri.parse("mailto:a@b.c"), uri.parse("//host/p"), uri.parse("")]"#,
            opa_says: r#"[{"fragment":"frag!","hostname":"Example.com","path":"/a b/c","port":"8080","raw_path":"/a b/c","raw_query":"x=1&y=2","scheme":"https"},{"hostname":"fe80::1%en0","path":"/","port":"8","raw_path":"/","scheme":"http"},{"hostname":"h","path":"/a/b","raw_path":"/a%2Fb","scheme":"http"},{"scheme":"mailto"},{"hostname":"host","path":"/p","raw_path":"/p"},{}]"#,
        },
        Case {
            expression: r#"[uri.is_valid(""), uri.is_valid("http://a b"), uri.is_valid("1a:b"), uri.is_valid("http://h:port/"), uri.is_valid("https://example.com")]"#,
            opa_says: "[false,false,false,false,true]",
        },
        Case {
            expression: r#"[regex.globs_match("a.a.", ".b.b"), regex.globs_match("[a-z]+", "[0-9]*"), regex.globs_match("ab+", "a.*"), regex.globs_match("foo.*bar", "foo.*baz"), regex.globs_match("a\\.b", "a.b"), regex.globs_match("a*b*c", "abc"), regex.globs_match("[a-c]x", "[c-e]x")]"#,
            opa_says: "[true,false,true,false,true,true,true]",
        },
        // Errors as gojsonschema reports them (vendor patch 14); as a set, since their
        // order follows the validator's walk.
        Case {
            expression: r#"[json.match_schema({"a": "x"}, {"type": "object", "properties": {"a": {"type": "string"}}}), json.match_schema("{\"a\": 1}", "{\"type\": \"object\"}"), json.verify_schema({"type": "object"}), json.verify_schema({"type": "nope"})[0]]"#,
            opa_says: r#"[[true,[]],[true,[]],[true,null],false]"#,
        },
        Case {
            expression: r#"{e | some e in json.match_schema({"f": 1, "s": "bb", "n": 4, "l": [1, 1], "a": [{"b": "x"}], "e": "z", "extra": 1}, {"required": ["r"], "additionalProperties": false, "properties": {"f": false, "s": {"minLength": 3, "pattern": "^a"}, "n": {"exclusiveMinimum": 5, "multipleOf": 3}, "l": {"uniqueItems": true, "maxItems": 1, "items": {"type": ["string", "null"]}}, "a": {"items": {"properties": {"b": {"type": "integer"}}}}, "e": {"enum": ["a", 1]}}})[1]}"#,
            opa_says: r#"[{"desc":"Additional property extra is not allowed","error":"(Root): Additional property extra is not allowed","field":"(Root)","type":"additional_property_not_allowed"},{"desc":"Array must have at most 1 items","error":"l: Array must have at most 1 items","field":"l","type":"array_max_items"},{"desc":"Does not match pattern '^a'","error":"s: Does not match pattern '^a'","field":"s","type":"pattern"},{"desc":"False always fails validation","error":"f: False always fails validation","field":"f","type":"false"},{"desc":"Invalid type. Expected: [string,null], given: integer","error":"l.0: Invalid type. Expected: [string,null], given: integer","field":"l.0","type":"invalid_type"},{"desc":"Invalid type. Expected: [string,null], given: integer","error":"l.1: Invalid type. Expected: [string,null], given: integer","field":"l.1","type":"invalid_type"},{"desc":"Invalid type. Expected: integer, given: string","error":"a.0.b: Invalid type. Expected: integer, given: string","field":"a.0.b","type":"invalid_type"},{"desc":"Must be a multiple of 3","error":"n: Must be a multiple of 3","field":"n","type":"multiple_of"},{"desc":"Must be greater than 5","error":"n: Must be greater than 5","field":"n","type":"number_gt"},{"desc":"String length must be greater than or equal to 3","error":"s: String length must be greater than or equal to 3","field":"s","type":"string_gte"},{"desc":"array items[0,1] must be unique","error":"l: array items[0,1] must be unique","field":"l","type":"unique"},{"desc":"e must be one of the following: \"a\", 1","error":"e: e must be one of the following: \"a\", 1","field":"e","type":"enum"},{"desc":"r is required","error":"(Root): r is required","field":"(Root)","type":"required"}]"#,
        },
        // json.marshal writes as Go's encoding/json: an integer with all its digits, HTML
        // characters and U+2028 escaped, object keys as strings sorted bytewise (vendor
        // patch 15). The expression is itself json.marshal, so its text is compared exactly.
        Case {
            expression: r#"[json.marshal([18446744073709551616 * 3, 12345678901234567890123, 10 * 1e20, 0.5, 7 / 7]), json.marshal({1: "a", [1, 2]: "b", {"x": 1}: "c", true: 1, null: 2, "s": {3, 1}, "e": "\b\f\u0001\t\n<a & b>\u2028"})]"#,
            opa_says: r#"["[55340232221128654848,12345678901234567890123,1000000000000000000000,0.5,1]","{\"1\":\"a\",\"[1,2]\":\"b\",\"e\":\"\\b\\f\\u0001\\t\\n\\u003ca \\u0026 b\\u003e\\u2028\",\"null\":2,\"s\":[1,3],\"true\":1,\"{\\\"x\\\":1}\":\"c\"}"]"#,
        },
        Case {
            expression: r##"[json.marshal_with_options({"a": [18446744073709551616, {"b": 1}], "c": [], "d": {}}, {"pretty": true, "indent": "  ", "prefix": "> "}), json.marshal_with_options({"a": [1, {"b": 1}]}, {"prefix": "#"}), json.marshal_with_options({"a": [1]}, {"pretty": false, "prefix": "#"})]"##,
            opa_says: r##"["> {\n>   \"a\": [\n>     18446744073709551616,\n>     {\n>       \"b\": 1\n>     }\n>   ],\n>   \"c\": [],\n>   \"d\": {}\n> }","#{\n#\t\"a\": [\n#\t\t1,\n#\t\t{\n#\t\t\t\"b\": 1\n#\t\t}\n#\t]\n#}","{\"a\":[1]}"]"##,
        },
        // Go's text/template on JSON: numbers are json.Number (a string type).
        Case {
            expression: r#"strings.render_template("{{.name}} {{.n}} {{.nil}} {{.list}} {{.m}} {{.missing}} {{.missing.x}}", {"name": "web", "n": 3, "nil": null, "list": [1, "a", true], "m": {"b": 2, "a": [1, 2]}})"#,
            opa_says: r#""web 3 <undefined> [1 a true] map[a:[1 2] b:2] <undefined> <undefined>""#,
        },
        Case {
            expression: r#"strings.render_template("{{range $i, $e := .list}}{{$i}}={{$e}};{{else}}none{{end}} {{range $k, $v := .m}}{{$k}}:{{$v}} {{end}}{{if .no}}a{{else if .ok}}b{{else}}c{{end}} {{with .s}}x{{else}}no s{{end}}\n  {{- .name -}} |{{/* note */}}", {"name": "web", "ok": true, "no": false, "s": "", "list": [1, "a"], "m": {"b": 2, "a": 1}})"#,
            opa_says: r#""0=1;1=a; a:1 b:2 b no sweb|""#,
        },
        Case {
            expression: r#"strings.render_template("{{len .list}} {{index .list 1}} {{index .m \"b\"}} {{.n | len}} {{printf \"%s-%d %q\" .name .n .name}} {{.list | len | printf \"%d items\"}} {{if and .ok (ne .name \"x\")}}both{{end}} {{html \"<a>\"}} {{urlquery \"a b\"}} {{print 1 2 \"a\" \"b\"}}{{range .list}}{{if eq . \"a\"}}{{break}}{{end}}[{{.}}]{{end}}", {"name": "web", "n": 30, "ok": true, "list": [1, "a", "b"], "m": {"b": 2}})"#,
            opa_says: r#""3 a 2 2 web-%!d(json.Number=30) \"web\" 3 items both &lt;a&gt; a+b 1 2ab[1]""#,
        },
        // graphql.* (vendor patch 16): OPA's AST shape with comments and values of every
        // kind, schema and query validation, AST objects as arguments.
        Case {
            expression: r#"graphql.parse_query("{ a }")"#,
            opa_says: r#"{"Operations":[{"Description":"","Name":"","Operation":"query","SelectionSet":[{"Alias":"a","Name":"a"}]}]}"#,
        },
        Case {
            expression: r#"graphql.parse_query("query Q($id: ID! = \"x\", $n: [Int!] @dir) @op(a: 1) { a: user(id: $id, f: 1.5, s: \"str\", t: true, nu: null, e: ENUMV, l: [1, 2], o: {k: 1, j: [$id]}) { name ...F ... on User @include(if: true) { id } ... { x } } } fragment F on User @fd { name }")"#,
            opa_says: r#"{"Fragments":[{"Description":"","Directives":[{"Location":"","Name":"fd"}],"Name":"F","SelectionSet":[{"Alias":"name","Name":"name"}],"TypeCondition":"User"}],"Operations":[{"Description":"","Directives":[{"Arguments":[{"Name":"a","Value":{"ExpectedTypeHasDefault":false,"Kind":1,"Raw":"1"}}],"Location":"","Name":"op"}],"Name":"Q","Operation":"query","SelectionSet":[{"Alias":"a","Arguments":[{"Name":"id","Value":{"ExpectedTypeHasDefault":false,"Kind":0,"Raw":"id"}},{"Name":"f","Value":{"ExpectedTypeHasDefault":false,"Kind":2,"Raw":"1.5"}},{"Name":"s","Value":{"ExpectedTypeHasDefault":false,"Kind":3,"Raw":"str"}},{"Name":"t","Value":{"ExpectedTypeHasDefault":false,"Kind":5,"Raw":"true"}},{"Name":"nu","Value":{"ExpectedTypeHasDefault":false,"Kind":6,"Raw":"null"}},{"Name":"e","Value":{"ExpectedTypeHasDefault":false,"Kind":7,"Raw":"ENUMV"}},{"Name":"l","Value":{"Children":[{"Name":"","Value":{"ExpectedTypeHasDefault":false,"Kind":1,"Raw":"1"}},{"Name":"","Value":{"ExpectedTypeHasDefault":false,"Kind":1,"Raw":"2"}}],"ExpectedTypeHasDefault":false,"Kind":8,"Raw":""}},{"Name":"o","Value":{"Children":[{"Name":"k","Value":{"ExpectedTypeHasDefault":false,"Kind":1,"Raw":"1"}},{"Name":"j","Value":{"Children":[{"Name":"","Value":{"ExpectedTypeHasDefault":false,"Kind":0,"Raw":"id"}}],"ExpectedTypeHasDefault":false,"Kind":8,"Raw":""}}],"ExpectedTypeHasDefault":false,"Kind":9,"Raw":""}}],"Name":"user","SelectionSet":[{"Alias":"name","Name":"name"},{"Name":"F"},{"Directives":[{"Arguments":[{"Name":"if","Value":{"ExpectedTypeHasDefault":false,"Kind":5,"Raw":"true"}}],"Location":"","Name":"include"}],"SelectionSet":[{"Alias":"id","Name":"id"}],"TypeCondition":"User"},{"SelectionSet":[{"Alias":"x","Name":"x"}],"TypeCondition":""}]}],"VariableDefinitions":[{"DefaultValue":{"ExpectedTypeHasDefault":false,"Kind":3,"Raw":"x"},"Description":"","Type":{"NamedType":"ID","NonNull":true},"Used":false,"Variable":"id"},{"Description":"","Directives":[{"Location":"","Name":"dir"}],"Type":{"Elem":{"NamedType":"Int","NonNull":true},"NamedType":"","NonNull":false},"Used":false,"Variable":"n"}]}]}"#,
        },
        Case {
            expression: r#"graphql.parse_query("mutation M { x } subscription { y } query { z }")"#,
            opa_says: r#"{"Operations":[{"Description":"","Name":"M","Operation":"mutation","SelectionSet":[{"Alias":"x","Name":"x"}]},{"Description":"","Name":"","Operation":"subscription","SelectionSet":[{"Alias":"y","Name":"y"}]},{"Description":"","Name":"","Operation":"query","SelectionSet":[{"Alias":"z","Name":"z"}]}]}"#,
        },
        Case {
            expression: r##"graphql.parse_query("# c1\n# c2\nquery Q(\n# vc\n$a: Int) {\n # fc\n a(\n# ac\nx: 1, y: [\n# lc\n1], z: {\n# oc\nk: $a}) # trailing\n # spread\n ...F\n # inline\n ... on T { b }\n # end\n}\n# fragc\nfragment F on T { c }\n# eof")"##,
            opa_says: r##"{"Fragments":[{"Comment":{"List":[{"Value":"# fragc"}]},"Description":"","Name":"F","SelectionSet":[{"Alias":"c","Name":"c"}],"TypeCondition":"T"}],"Operations":[{"Comment":{"List":[{"Value":"# c1"},{"Value":"# c2"}]},"Description":"","Name":"Q","Operation":"query","SelectionSet":[{"Alias":"a","Arguments":[{"Comment":{"List":[{"Value":"# ac"}]},"Name":"x","Value":{"ExpectedTypeHasDefault":false,"Kind":1,"Raw":"1"}},{"Name":"y","Value":{"Children":[{"Name":"","Value":{"ExpectedTypeHasDefault":false,"Kind":1,"Raw":"1"}}],"ExpectedTypeHasDefault":false,"Kind":8,"Raw":""}},{"Name":"z","Value":{"Children":[{"Comment":{"List":[{"Value":"# oc"}]},"Name":"k","Value":{"ExpectedTypeHasDefault":false,"Kind":0,"Raw":"a"}}],"ExpectedTypeHasDefault":false,"Kind":9,"Raw":""}}],"Comment":{"List":[{"Value":"# fc"}]},"Name":"a"},{"Comment":{"List":[{"Value":"# trailing"},{"Value":"# spread"}]},"Name":"F"},{"Comment":{"List":[{"Value":"# inline"}]},"SelectionSet":[{"Alias":"b","Name":"b"}],"TypeCondition":"T"}],"VariableDefinitions":[{"Comment":{"List":[{"Value":"# vc"}]},"Description":"","Type":{"NamedType":"Int","NonNull":false},"Used":false,"Variable":"a"}]}]}"##,
        },
        Case {
            expression: r#"graphql.parse_query("{ a(b: \"\"\"\n    hello\n      world\n    \"\"\", c: \"\"\"one\n  two\"\"\", d: \"esc\\n\\u00e9\\\"q\") }")"#,
            opa_says: r#"{"Operations":[{"Description":"","Name":"","Operation":"query","SelectionSet":[{"Alias":"a","Arguments":[{"Name":"b","Value":{"ExpectedTypeHasDefault":false,"Kind":4,"Raw":"hello\n  world"}},{"Name":"c","Value":{"ExpectedTypeHasDefault":false,"Kind":4,"Raw":"one\n  two"}},{"Name":"d","Value":{"ExpectedTypeHasDefault":false,"Kind":3,"Raw":"esc\né\"q"}}],"Name":"a"}]}]}"#,
        },
        Case {
            expression: r#"graphql.parse_query("{ a(x: -1, y: 1e10, z: -0.5E-3, w: 0) }")"#,
            opa_says: r#"{"Operations":[{"Description":"","Name":"","Operation":"query","SelectionSet":[{"Alias":"a","Arguments":[{"Name":"x","Value":{"ExpectedTypeHasDefault":false,"Kind":1,"Raw":"-1"}},{"Name":"y","Value":{"ExpectedTypeHasDefault":false,"Kind":2,"Raw":"1e10"}},{"Name":"z","Value":{"ExpectedTypeHasDefault":false,"Kind":2,"Raw":"-0.5E-3"}},{"Name":"w","Value":{"ExpectedTypeHasDefault":false,"Kind":1,"Raw":"0"}}],"Name":"a"}]}]}"#,
        },
        Case {
            expression: r#"graphql.parse_query("{ a { b { c { d } } } }")"#,
            opa_says: r#"{"Operations":[{"Description":"","Name":"","Operation":"query","SelectionSet":[{"Alias":"a","Name":"a","SelectionSet":[{"Alias":"b","Name":"b","SelectionSet":[{"Alias":"c","Name":"c","SelectionSet":[{"Alias":"d","Name":"d"}]}]}]}]}]}"#,
        },
        Case {
            expression: r#"graphql.parse_schema("type Query { a: Int }")"#,
            opa_says: r#"{"Definitions":[{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"a","Type":{"NamedType":"Int","NonNull":false}}],"Kind":"OBJECT","Name":"Query"}]}"#,
        },
        Case {
            expression: r#"graphql.parse_schema("type Query { user(id: ID!): User users(first: Int = 10, filter: Filter): [User!]! node(id: ID!): Node search(term: String!): [SearchResult] } type Mutation { addUser(name: String!, role: Role = USER): User } type Subscription { userAdded: User } interface Node { id: ID! } type User implements Node { id: ID! name: String age: Int friends(first: Int): [User] role: Role } type Post implements Node { id: ID! title: String } union SearchResult = User | Post enum Role { ADMIN USER } input Filter { name: String minAge: Int tags: [String!] }")"#,
            opa_says: r#"{"Definitions":[{"BuiltIn":false,"Description":"","Fields":[{"Arguments":[{"Description":"","Name":"id","Type":{"NamedType":"ID","NonNull":true}}],"Description":"","Name":"user","Type":{"NamedType":"User","NonNull":false}},{"Arguments":[{"DefaultValue":{"ExpectedTypeHasDefault":false,"Kind":1,"Raw":"10"},"Description":"","Name":"first","Type":{"NamedType":"Int","NonNull":false}},{"Description":"","Name":"filter","Type":{"NamedType":"Filter","NonNull":false}}],"Description":"","Name":"users","Type":{"Elem":{"NamedType":"User","NonNull":true},"NamedType":"","NonNull":true}},{"Arguments":[{"Description":"","Name":"id","Type":{"NamedType":"ID","NonNull":true}}],"Description":"","Name":"node","Type":{"NamedType":"Node","NonNull":false}},{"Arguments":[{"Description":"","Name":"term","Type":{"NamedType":"String","NonNull":true}}],"Description":"","Name":"search","Type":{"Elem":{"NamedType":"SearchResult","NonNull":false},"NamedType":"","NonNull":false}}],"Kind":"OBJECT","Name":"Query"},{"BuiltIn":false,"Description":"","Fields":[{"Arguments":[{"Description":"","Name":"name","Type":{"NamedType":"String","NonNull":true}},{"DefaultValue":{"ExpectedTypeHasDefault":false,"Kind":7,"Raw":"USER"},"Description":"","Name":"role","Type":{"NamedType":"Role","NonNull":false}}],"Description":"","Name":"addUser","Type":{"NamedType":"User","NonNull":false}}],"Kind":"OBJECT","Name":"Mutation"},{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"userAdded","Type":{"NamedType":"User","NonNull":false}}],"Kind":"OBJECT","Name":"Subscription"},{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"id","Type":{"NamedType":"ID","NonNull":true}}],"Kind":"INTERFACE","Name":"Node"},{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"id","Type":{"NamedType":"ID","NonNull":true}},{"Description":"","Name":"name","Type":{"NamedType":"String","NonNull":false}},{"Description":"","Name":"age","Type":{"NamedType":"Int","NonNull":false}},{"Arguments":[{"Description":"","Name":"first","Type":{"NamedType":"Int","NonNull":false}}],"Description":"","Name":"friends","Type":{"Elem":{"NamedType":"User","NonNull":false},"NamedType":"","NonNull":false}},{"Description":"","Name":"role","Type":{"NamedType":"Role","NonNull":false}}],"Interfaces":["Node"],"Kind":"OBJECT","Name":"User"},{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"id","Type":{"NamedType":"ID","NonNull":true}},{"Description":"","Name":"title","Type":{"NamedType":"String","NonNull":false}}],"Interfaces":["Node"],"Kind":"OBJECT","Name":"Post"},{"BuiltIn":false,"Description":"","Kind":"UNION","Name":"SearchResult","Types":["User","Post"]},{"BuiltIn":false,"Description":"","EnumValues":[{"Description":"","Name":"ADMIN"},{"Description":"","Name":"USER"}],"Kind":"ENUM","Name":"Role"},{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"name","Type":{"NamedType":"String","NonNull":false}},{"Description":"","Name":"minAge","Type":{"NamedType":"Int","NonNull":false}},{"Description":"","Name":"tags","Type":{"Elem":{"NamedType":"String","NonNull":true},"NamedType":"","NonNull":false}}],"Kind":"INPUT_OBJECT","Name":"Filter"}]}"#,
        },
        Case {
            expression: r##"graphql.parse_schema("# sc\n\"\"\"\nThe schema\n\"\"\"\n# after\nschema @sd { query: Query\n# mc\n mutation: Mutation\n# endc\n }\nextend schema @e { subscription: Sub }\n\"Scalar desc\" scalar Date @specifiedBy(url: \"x\")\n# type comment\ntype Query implements Node & Other @key(f: \"id\") {\n  \"field desc\"\n  # fcomment\n  user(\"arg desc\" id: ID! = \"1\" @deprecated, n: [Int] = [1, 2]): User @deprecated(reason: \"no\")\n  list: [String!]!\n # closing\n}\ninterface Node implements Other { id: ID! }\nunion U @u = | A | B\nenum Color {\n# rc\n RED @deprecated \"green\" GREEN }\ninput In { a: Int = 1, b: In2! @x }\ndirective @key(f: String!) repeatable on OBJECT | INTERFACE\n\"dd\" directive @u on | UNION\n# ext\nextend type Query { more: Int }\nextend scalar Date @x\nextend union U = C\nextend enum Color { BLUE }\nextend input In { c: Int }\nextend interface Node @y\ntype E\n# the end")"##,
            opa_says: r##"{"Comment":{"List":[{"Value":"# the end"}]},"Definitions":[{"BuiltIn":false,"Description":"Scalar desc","Directives":[{"Arguments":[{"Name":"url","Value":{"ExpectedTypeHasDefault":false,"Kind":3,"Raw":"x"}}],"Location":"","Name":"specifiedBy"}],"Kind":"SCALAR","Name":"Date"},{"AfterDescriptionComment":{"List":[{"Value":"# type comment"}]},"BuiltIn":false,"Description":"","Directives":[{"Arguments":[{"Name":"f","Value":{"ExpectedTypeHasDefault":false,"Kind":3,"Raw":"id"}}],"Location":"","Name":"key"}],"EndOfDefinitionComment":{"List":[{"Value":"# closing"}]},"Fields":[{"AfterDescriptionComment":{"List":[{"Value":"# fcomment"}]},"Arguments":[{"DefaultValue":{"ExpectedTypeHasDefault":false,"Kind":3,"Raw":"1"},"Description":"arg desc","Directives":[{"Location":"","Name":"deprecated"}],"Name":"id","Type":{"NamedType":"ID","NonNull":true}},{"DefaultValue":{"Children":[{"Name":"","Value":{"ExpectedTypeHasDefault":false,"Kind":1,"Raw":"1"}},{"Name":"","Value":{"ExpectedTypeHasDefault":false,"Kind":1,"Raw":"2"}}],"ExpectedTypeHasDefault":false,"Kind":8,"Raw":""},"Description":"","Name":"n","Type":{"Elem":{"NamedType":"Int","NonNull":false},"NamedType":"","NonNull":false}}],"Description":"field desc","Directives":[{"Arguments":[{"Name":"reason","Value":{"ExpectedTypeHasDefault":false,"Kind":3,"Raw":"no"}}],"Location":"","Name":"deprecated"}],"Name":"user","Type":{"NamedType":"User","NonNull":false}},{"Description":"","Name":"list","Type":{"Elem":{"NamedType":"String","NonNull":true},"NamedType":"","NonNull":true}}],"Interfaces":["Node","Other"],"Kind":"OBJECT","Name":"Query"},{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"id","Type":{"NamedType":"ID","NonNull":true}}],"Interfaces":["Other"],"Kind":"INTERFACE","Name":"Node"},{"BuiltIn":false,"Description":"","Directives":[{"Location":"","Name":"u"}],"Kind":"UNION","Name":"U","Types":["A","B"]},{"BuiltIn":false,"Description":"","EnumValues":[{"AfterDescriptionComment":{"List":[{"Value":"# rc"}]},"Description":"","Directives":[{"Location":"","Name":"deprecated"}],"Name":"RED"},{"Description":"green","Name":"GREEN"}],"Kind":"ENUM","Name":"Color"},{"BuiltIn":false,"Description":"","Fields":[{"DefaultValue":{"ExpectedTypeHasDefault":false,"Kind":1,"Raw":"1"},"Description":"","Name":"a","Type":{"NamedType":"Int","NonNull":false}},{"Description":"","Directives":[{"Location":"","Name":"x"}],"Name":"b","Type":{"NamedType":"In2","NonNull":true}}],"Kind":"INPUT_OBJECT","Name":"In"},{"BuiltIn":false,"Description":"","Kind":"OBJECT","Name":"E"}],"Directives":[{"Arguments":[{"Description":"","Name":"f","Type":{"NamedType":"String","NonNull":true}}],"Description":"","IsRepeatable":true,"Locations":["OBJECT","INTERFACE"],"Name":"key"},{"Description":"dd","IsRepeatable":false,"Locations":["UNION"],"Name":"u"}],"Extensions":[{"AfterDescriptionComment":{"List":[{"Value":"# ext"}]},"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"more","Type":{"NamedType":"Int","NonNull":false}}],"Kind":"OBJECT","Name":"Query"},{"BuiltIn":false,"Description":"","Directives":[{"Location":"","Name":"x"}],"Kind":"SCALAR","Name":"Date"},{"BuiltIn":false,"Description":"","Kind":"UNION","Name":"U","Types":["C"]},{"BuiltIn":false,"Description":"","EnumValues":[{"Description":"","Name":"BLUE"}],"Kind":"ENUM","Name":"Color"},{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"c","Type":{"NamedType":"Int","NonNull":false}}],"Kind":"INPUT_OBJECT","Name":"In"},{"BuiltIn":false,"Description":"","Directives":[{"Location":"","Name":"y"}],"Kind":"INTERFACE","Name":"Node"}],"Schema":[{"AfterDescriptionComment":{"List":[{"Value":"# after"}]},"BeforeDescriptionComment":{"List":[{"Value":"# sc"}]},"Description":"The schema","Directives":[{"Location":"","Name":"sd"}],"EndOfDefinitionComment":{"List":[{"Value":"# endc"}]},"OperationTypes":[{"Operation":"query","Type":"Query"},{"Comment":{"List":[{"Value":"# mc"}]},"Operation":"mutation","Type":"Mutation"}]}],"SchemaExtension":[{"Description":"","Directives":[{"Location":"","Name":"e"}],"OperationTypes":[{"Operation":"subscription","Type":"Sub"}]}]}"##,
        },
        Case {
            expression: r#"graphql.parse_schema("\"\"\"\n  Multi\n    line\n  desc\n\"\"\" type A { \"\" b: Int \"\"\"  x\n   y\"\"\" c: Int }")"#,
            opa_says: r#"{"Definitions":[{"BuiltIn":false,"Description":"Multi\n  line\ndesc","Fields":[{"Description":"","Name":"b","Type":{"NamedType":"Int","NonNull":false}},{"Description":"  x\n y","Name":"c","Type":{"NamedType":"Int","NonNull":false}}],"Kind":"OBJECT","Name":"A"}]}"#,
        },
        Case {
            expression: r#"graphql.parse_schema("")"#,
            opa_says: r#"{}"#,
        },
        Case {
            expression: r#"[graphql.schema_is_valid("type Query { a: Int } interface I { x: Int } type T implements I { y: Int }"), graphql.schema_is_valid("union U = Int type Query { a: U }"), graphql.schema_is_valid("type Query { a: Int @nope }"), graphql.schema_is_valid("schema { query: Nope } type Query { a: Int }"), graphql.schema_is_valid("type Query { __a: Int }")]"#,
            opa_says: r#"[false,false,false,false,false]"#,
        },
        Case {
            expression: r#"[graphql.schema_is_valid("enum E { A A } type Query { a: E }"), graphql.schema_is_valid("type Query { a: Int a: Int }"), graphql.schema_is_valid("type Query { a(x: Int, x: Int): Int }"), graphql.schema_is_valid("type Query { a: In } input In { x: Int }"), graphql.schema_is_valid("type Query { a(x: Query): Int }"), graphql.schema_is_valid("scalar Int type Query { a: Int }")]"#,
            opa_says: r#"[false,false,false,false,false,false]"#,
        },
        Case {
            expression: r#"[graphql.schema_is_valid(""), graphql.schema_is_valid("type Query { a: Undefined }"), graphql.schema_is_valid("type Query { a: Int } type Query { b: Int }"), graphql.schema_is_valid("{")]"#,
            opa_says: r#"[true,false,false,false]"#,
        },
        Case {
            expression: r#"graphql.parse("query Q { users { name } }", "type Query { users: [U] } type U { name: String }")"#,
            opa_says: r#"[{"Operations":[{"Description":"","Name":"Q","Operation":"query","SelectionSet":[{"Alias":"users","Name":"users","SelectionSet":[{"Alias":"name","Name":"name"}]}]}]},{"Definitions":[{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"users","Type":{"Elem":{"NamedType":"U","NonNull":false},"NamedType":"","NonNull":false}}],"Kind":"OBJECT","Name":"Query"},{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"name","Type":{"NamedType":"String","NonNull":false}}],"Kind":"OBJECT","Name":"U"}]}]"#,
        },
        Case {
            expression: r#"graphql.parse_and_verify("{ users { name } }", "type Query { users: [U] } type U { name: String }")"#,
            opa_says: r#"[true,{"Operations":[{"Description":"","Name":"","Operation":"query","SelectionSet":[{"Alias":"users","Name":"users","SelectionSet":[{"Alias":"name","Name":"name"}]}]}]},{"Definitions":[{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"users","Type":{"Elem":{"NamedType":"U","NonNull":false},"NamedType":"","NonNull":false}}],"Kind":"OBJECT","Name":"Query"},{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"name","Type":{"NamedType":"String","NonNull":false}}],"Kind":"OBJECT","Name":"U"}]}]"#,
        },
        Case {
            expression: r#"[graphql.parse_and_verify("{ users { nope } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }"), graphql.parse_and_verify("{ users { name } }", "type Query {"), graphql.parse_and_verify("", "")]"#,
            opa_says: r#"[[false,{},{}],[false,{},{}],[true,{},{}]]"#,
        },
        Case {
            expression: r#"graphql.parse("{ users { name } }", graphql.parse_schema("type Query { users: [U] } type U { name: String }"))"#,
            opa_says: r#"[{"Operations":[{"Description":"","Name":"","Operation":"query","SelectionSet":[{"Alias":"users","Name":"users","SelectionSet":[{"Alias":"name","Name":"name"}]}]}]},{"Definitions":[{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"users","Type":{"Elem":{"NamedType":"U","NonNull":false},"NamedType":"","NonNull":false}}],"Kind":"OBJECT","Name":"Query"},{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"name","Type":{"NamedType":"String","NonNull":false}}],"Kind":"OBJECT","Name":"U"}]}]"#,
        },
        Case {
            expression: r#"graphql.parse_and_verify(graphql.parse_query("query Q($f: Int = 3) { users(first: $f) { name @skip(if: false) friends { name } } }"), graphql.parse_schema("type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }"))"#,
            opa_says: r#"[true,{"Operations":[{"Description":"","Name":"Q","Operation":"query","SelectionSet":[{"Alias":"users","Arguments":[{"Name":"first","Value":{"ExpectedTypeHasDefault":false,"Kind":0,"Raw":"f"}}],"Name":"users","SelectionSet":[{"Alias":"name","Directives":[{"Arguments":[{"Name":"if","Value":{"ExpectedTypeHasDefault":false,"Kind":5,"Raw":"false"}}],"Location":"","Name":"skip"}],"Name":"name"},{"Alias":"friends","Name":"friends","SelectionSet":[{"Alias":"name","Name":"name"}]}]}],"VariableDefinitions":[{"DefaultValue":{"ExpectedTypeHasDefault":false,"Kind":1,"Raw":"3"},"Description":"","Type":{"NamedType":"Int","NonNull":false},"Used":false,"Variable":"f"}]}]},{"Definitions":[{"BuiltIn":false,"Description":"","Fields":[{"Arguments":[{"Description":"","Name":"id","Type":{"NamedType":"ID","NonNull":true}}],"Description":"","Name":"user","Type":{"NamedType":"User","NonNull":false}},{"Arguments":[{"DefaultValue":{"ExpectedTypeHasDefault":false,"Kind":1,"Raw":"10"},"Description":"","Name":"first","Type":{"NamedType":"Int","NonNull":false}},{"Description":"","Name":"f","Type":{"NamedType":"F","NonNull":false}}],"Description":"","Name":"users","Type":{"Elem":{"NamedType":"User","NonNull":true},"NamedType":"","NonNull":true}},{"Description":"","Name":"search","Type":{"Elem":{"NamedType":"R","NonNull":false},"NamedType":"","NonNull":false}}],"Kind":"OBJECT","Name":"Query"},{"BuiltIn":false,"Description":"","Fields":[{"Arguments":[{"Description":"","Name":"name","Type":{"NamedType":"String","NonNull":true}},{"DefaultValue":{"ExpectedTypeHasDefault":false,"Kind":7,"Raw":"USER"},"Description":"","Name":"role","Type":{"NamedType":"Role","NonNull":false}}],"Description":"","Name":"add","Type":{"NamedType":"User","NonNull":false}}],"Kind":"OBJECT","Name":"Mutation"},{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"id","Type":{"NamedType":"ID","NonNull":true}},{"Description":"","Name":"name","Type":{"NamedType":"String","NonNull":false}},{"Description":"","Name":"friends","Type":{"Elem":{"NamedType":"User","NonNull":false},"NamedType":"","NonNull":false}}],"Kind":"OBJECT","Name":"User"},{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"title","Type":{"NamedType":"String","NonNull":false}}],"Kind":"OBJECT","Name":"Post"},{"BuiltIn":false,"Description":"","Kind":"UNION","Name":"R","Types":["User","Post"]},{"BuiltIn":false,"Description":"","EnumValues":[{"Description":"","Name":"ADMIN"},{"Description":"","Name":"USER"}],"Kind":"ENUM","Name":"Role"},{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"name","Type":{"NamedType":"String","NonNull":false}},{"Description":"","Name":"tags","Type":{"Elem":{"NamedType":"String","NonNull":true},"NamedType":"","NonNull":false}}],"Kind":"INPUT_OBJECT","Name":"F"}]}]"#,
        },
        // Queries validated against a schema, one rule of the GraphQL spec at a time.
        Case {
            expression: r#"graphql.is_valid("{ user(id: 1) { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"true"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ user(id: 1) { nope } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ user { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ user(id: 1) }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ user(id: 1, x: 2) { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("query ($x: Int) { user(id: $x) { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ user(id: $undefined) { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("query ($u: ID!) { users { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ users { name } } fragment F on User { name }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ users { ...F } } fragment F on User { ...G } fragment G on User { ...F }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ users { ...Nope } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ users { ... on Post { title } } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ search { ... on User { name } ... on Post { title } } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"true"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ search { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ users { name @skip(if: true) } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"true"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ users { name @nope } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ users { name @include(if: \"x\") } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ users(first: \"x\") { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ users(f: {name: \"a\", nope: 1}) { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ users(f: {tags: [\"a\", null]}) { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("mutation { add(name: \"a\", role: NOPE) { id } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("mutation { add(name: \"a\", role: ADMIN) { id } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"true"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ a: users { name } a: users { id } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"true"#,
        },
        Case {
            expression: r#"graphql.is_valid("query A { users { name } } query A { users { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ users { name } } { users { id } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("query ($x: Int, $x: Int) { users(first: $x) { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("query ($f: F) { users(f: $f) { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"true"#,
        },
        Case {
            expression: r#"graphql.is_valid("query ($f: User) { users { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("query ($x: String) { user(id: $x) { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ users { name(x: 1) } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ __typename users { __typename name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"true"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ __schema { types { name } } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"true"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ users { name } }", "type A { x: Int }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ ", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ users { name } }", "{")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"true"#,
        },
        Case {
            expression: r#"graphql.is_valid("subscription { users { id } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ users(first: 1, first: 2) { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ users { name @skip(if: true) @skip(if: false) } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ user(id: null) { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("query ($x: Int = \"s\") { users(first: $x) { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        Case {
            expression: r#"graphql.is_valid("{ users(f: {tags: \"a\"}) { name } }", "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"true"#,
        },
        Case {
            expression: r#"graphql.is_valid({"Operations": [{"Operation": "query", "SelectionSet": [{"Name": "users", "SelectionSet": [{"Name": "name"}]}]}]}, "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"true"#,
        },
        Case {
            expression: r#"graphql.is_valid({}, "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"true"#,
        },
        Case {
            expression: r#"graphql.is_valid({"Operations": 1}, "type Query { user(id: ID!): User users(first: Int = 10, f: F): [User!]! search: [R] } type Mutation { add(name: String!, role: Role = USER): User } type User { id: ID! name: String friends: [User] } type Post { title: String } union R = User | Post enum Role { ADMIN USER } input F { name: String tags: [String!] }")"#,
            opa_says: r#"false"#,
        },
        // Template strings (`$"...{expr}..."`), which become `internal.template_string`.
        // Literal scalars keep their text as written; strings are bare.
        Case {
            expression: r#"$"Hello {"world"}! {1} {1.0} {1e3} {-2} {true} {null}""#,
            opa_says: r#""Hello world! 1 1.0 1e3 -2 true null""#,
        },
        // Collections in Rego syntax: strings quoted, object keys sorted.
        Case {
            expression: r#"[$"{[1, "a", [true]]}", $"{{"b": 1, "a": [null]}}", $"{{"x", 1}}", $"{set()}", $"{[]}", $"{{}}"]"#,
            opa_says: r#"["[1, \"a\", [true]]","{\"a\": [null], \"b\": 1}","{1, \"x\"}","set()","[]","{}"]"#,
        },
        // An undefined expression renders as `<undefined>`, not an undefined string.
        Case {
            expression: r#"$"{input.missing} and {input.x.y}""#,
            opa_says: r#""<undefined> and <undefined>""#,
        },
        // JSON escapes, and `\{` for a literal brace.
        Case {
            expression: r#"$"a\{b}c\"d\n\u0041\\{1}\/\t""#,
            opa_says: r#""a{b}c\"d\nA\\1/\t""#,
        },
        // Raw: only `\{` is an escape.
        Case {
            expression: r#"$`raw \{ {1} \n "q" \{x\}`"#,
            opa_says: r#""raw { 1 \\n \"q\" {x\\}""#,
        },
        // A string inside a collection is quoted as Go quotes it.
        Case {
            expression: r#"$"{"a\tb"}{["a\tb\u00e9\u0001"]}""#,
            opa_says: r#""a\tb[\"a\\tb\u00e9\\x01\"]""#,
        },
        // Operators and calls.
        Case {
            expression: r#"$"{1 == 1} {1 in [1]} {count([1, 2])} {upper("x")} {2 * 3} {5 > 7}""#,
            opa_says: r#""true true 2 X 6 false""#,
        },
        // Comprehensions, whose own `_` and vars are their business.
        Case {
            expression: r#"$"{[x | some x in [3, 1]]} {{x | some x in [3, 1]}} {{k: v | some k, v in {"a": 1}}}""#,
            opa_says: r#""[3, 1] {1, 3} {\"a\": 1}""#,
        },
        // Template strings nest.
        Case {
            expression: r#"$"outer {$"inner {1 + 1}"} {$`raw {"x"}`}""#,
            opa_says: r#""outer inner 2 raw x""#,
        },
        // Empty and adjacent parts.
        Case {
            expression: r#"[$"", $"{1}{2}", $"{"}"}", $"}"]"#,
            opa_says: r#"["","12","}","}"]"#,
        },
        // `with` applies inside the expression.
        Case {
            expression: r#"$"{input.x with input.x as 5}""#,
            opa_says: r#""5""#,
        },
        // A template string is a string like any other.
        Case {
            expression: r#"sprintf("%s|%v", [$"a{1}", $"{[1]}"])"#,
            opa_says: r#""a1|[1]""#,
        },
        // The builtin called by its name: sets are values, empty is undefined.
        Case {
            expression: r#"internal.template_string([{1}, "a", 2, {"x"}, set(), null, {[1]}])"#,
            opa_says: r#""1a2x<undefined>null[1]""#,
        },
        // Vars bound outside.
        Case {
            expression: r#"[$"{x}" | some x in ["a", 1, [2]]]"#,
            opa_says: r#"["a","1","[2]"]"#,
        },
        // An expression may span lines and hold a comment.
        Case {
            expression: r#"$"{1 # a comment
}""#,
            opa_says: r#""1""#,
        },
        Case {
            expression: r#"strings.render_template("{{define \"item\"}}<{{.}}>{{end}}{{range .list}}{{template \"item\" .}}{{end}} {{block \"b\" .name}}[{{.}}]{{end}} {{printf \"%-6s|%5s|%.2s|%05d|%x|%6.2f\" .name .name .name 42 255 3.14159}} {{printf \"%v %v\" 1e30 0.00001}}", {"name": "web", "list": [1, "a"]})"#,
            opa_says: r#""<1><a> [web] web   |  web|we|00042|ff|  3.14 1e+30 1e-05""#,
        },
        // yaml.marshal writes as OPA does: Go's JSON read back by go-yaml v3, encoded at
        // indent 2 (vendor patch 16).
        // Layout: sequences indented under their key, quoting, a literal block, empty
        // collections, a float beyond 64 bits.
        Case {
            expression: r##"yaml.marshal({"a": [1, "x", "yes", "1", "", "a: b", "multi\nline", {"k": []}, {}], "n": 55340232221128654848})"##,
            opa_says: r##""a:\n  - 1\n  - x\n  - \"yes\"\n  - \"1\"\n  - \"\"\n  - 'a: b'\n  - |-\n    multi\n    line\n  - k: []\n  - {}\n\"n\": 5.5340232221128655e+19\n""##,
        },
        // Numbers as go-yaml writes int, uint64 and float64 (Go's 'g' format).
        Case {
            expression: r##"yaml.marshal([null, true, 0, -1, 1.5, 0.1, 1000000, 1234567.5, 0.00001, 0.0001, 18446744073709551615, 18446744073709551616, -9223372036854775809, 1e300])"##,
            opa_says: r##""- null\n- true\n- 0\n- -1\n- 1.5\n- 0.1\n- 1000000\n- 1.2345675e+06\n- 1e-05\n- 0.0001\n- 18446744073709551615\n- 1.8446744073709552e+19\n- -9.223372036854776e+18\n- 1e+300\n""##,
        },
        // Strings that would read back as something else are double-quoted: YAML 1.1 booleans,
        // numbers in every form go-yaml reads, base 60.
        Case {
            expression: r##"yaml.marshal(["true", "True", "tRue", "null", "~", "yes", "off", "y", "<<", ".inf", "1", "+1", "1.5", ".5", "1e3", "0x1F", "0o17", "0b101", "017", "1_000", "1e400", "._5", "1:30", "-"])"##,
            opa_says: r##""- \"true\"\n- \"True\"\n- tRue\n- \"null\"\n- \"~\"\n- \"yes\"\n- \"off\"\n- \"y\"\n- \"\u003c\u003c\"\n- \".inf\"\n- \"1\"\n- \"+1\"\n- \"1.5\"\n- \".5\"\n- \"1e3\"\n- \"0x1F\"\n- \"0o17\"\n- \"0b101\"\n- \"017\"\n- \"1_000\"\n- 1e400\n- ._5\n- \"1:30\"\n- '-'\n""##,
        },
        // Timestamps as Go's time.Parse reads go-yaml's layouts.
        Case {
            expression: r##"yaml.marshal(["2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2001-13-14", "2001-2-30", "2000-2-29", "2001-12-14T1:2:3+25:00"])"##,
            opa_says: r##""- \"2001-12-14\"\n- \"2001-12-14t21:59:43.10-05:00\"\n- \"2001-12-14 21:59:43.10\"\n- 2001-13-14\n- 2001-2-30\n- \"2000-2-29\"\n- 2001-12-14T1:2:3+25:00\n""##,
        },
        // Plain text the YAML syntax would misread is single-quoted.
        Case {
            expression: r##"yaml.marshal(["- x", "-x", "---", "? x", ": x", "a:b", "a: b", "a:", "a #b", "a#b", "#a", "@a", "'a", "a'b", " a", "a ", "[a", "a,b", "é"])"##,
            opa_says: r##""- '- x'\n- -x\n- '---'\n- '? x'\n- ': x'\n- a:b\n- 'a: b'\n- 'a:'\n- 'a #b'\n- a#b\n- '#a'\n- '@a'\n- '''a'\n- a'b\n- ' a'\n- 'a '\n- '[a'\n- a,b\n- é\n""##,
        },
        // Tabs, control characters, characters beyond the BMP, a leading BOM: double quotes
        // with escapes.
        Case {
            expression: r##"yaml.marshal(["a\tb", "a\u0001b", "\u001b", "a\u00a0b", "\r", "a\u2028b", "😀", "\ufeffab", "日本語"])"##,
            opa_says: r##""- \"a\\tb\"\n- \"a\\x01b\"\n- \"\\e\"\n- a b\n- \"\\r\"\n- 'a\u2028  b'\n- \"\\U0001F600\"\n- \"\\uFEFF\\x61\\x62\"\n- 日本語\n""##,
        },
        // Literal blocks: chomping and indentation indicators, and text a literal cannot hold.
        Case {
            expression: r##"[yaml.marshal(["a\n", "a\n\n", "\na", " a\nb", "a \nb", "a\n b", "\n", "a\n\tb"]), yaml.marshal("a\n\n"), yaml.marshal({"k": "x\ny\n", "l": ["a\n\n"]})]"##,
            opa_says: r##"["- |\n  a\n- |+\n  a\n\n- |2-\n\n  a\n- |2-\n   a\n  b\n- \"a \\nb\"\n- |-\n  a\n   b\n- |2+\n\n- |-\n  a\n  \tb\n","|+\n  a\n\n","k: |\n  x\n  y\nl:\n  - |+\n    a\n\n"]"##,
        },
        // Nested collections: `- - x`, `- k: v`, mappings in mappings.
        Case {
            expression: r##"yaml.marshal({"k": {"a": [1, [2, [3, []]], {"b": {"c": {}}}]}, "l": [[1, 2], [{"x": 1, "y": [1]}]]})"##,
            opa_says: r##""k:\n  a:\n    - 1\n    - - 2\n      - - 3\n        - []\n    - b:\n        c: {}\nl:\n  - - 1\n    - 2\n  - - x: 1\n      \"y\":\n        - 1\n""##,
        },
        // go-yaml's natural key order; keys quoted as values are; a multi-line or long key is a
        // complex key.
        Case {
            expression: r##"[yaml.marshal({"b": 1, "a10": 3, "a2": 4, "A": 5, "_": 6, "1": 7, "10": 8, "2": 9, "": 10, "a-": 11, "ab": 12, "a1b": 13, "a1-": 14, "x01": 15, "x1": 16, "yes": 17, "a: b": 18, "multi\nkey": 19}), yaml.marshal({1: "a", [1, 2]: "b", true: 1, null: 2, "s": {3, 1}}), yaml.marshal({concat("", [c | some i in numbers.range(1, 129); c := "k"]): 1})]"##,
            opa_says: r##"["\"\": 10\n_: 6\n\"1\": 7\n\"2\": 9\n\"10\": 8\nA: 5\na-: 11\n'a: b': 18\na1b: 13\na1-: 14\na2: 4\na10: 3\nab: 12\nb: 1\n? |-\n  multi\n  key\n: 19\nx1: 16\nx01: 15\n\"yes\": 17\n","'[1,2]': b\n\"1\": a\n\"null\": 2\ns:\n  - 1\n  - 3\n\"true\": 1\n","? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: 1\n"]"##,
        },
        // No line is folded, however long.
        Case {
            expression: r##"yaml.marshal({"k": concat(" ", [w | some i in numbers.range(1, 30); w := "word"])})"##,
            opa_says: r##""k: word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word\n""##,
        },
        // A raw NEL is a line break to go-yaml's reader and folds; characters its reader
        // refuses, or a key over two lines, make the call undefined.
        Case {
            expression: r##"[yaml.marshal(["a\u0085b", "a\u0085\u0085b", "x\u0085"]), [y | y := yaml.marshal(["a\u007f"])], [y | y := yaml.marshal({"a\u0085b": 1})]]"##,
            opa_says: r##"["- a b\n- |-\n  a\n  b\n- 'x '\n",[],[]]"##,
        },
        // rego.parse_module (vendor patch 20): OPA's syntax tree of a module as JSON; `[]`
        // where OPA's parser rejects the text, which OPA's builtin answers with undefined.
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\nv if { not x; every k, v in y { k == v }; every z in y { z } ; x with input as 1 with data.a.b as 2}\nt if -x\nt if x = -1\nu if _ == _\ns contains x if some x in [1,2]\ns2 contains [k, v] if some k, v in {\"a\": 1}\nq if { some x, y; x in y; 1 in [1]; input.a[_].b[x] }\nr if { count(input) > 0; x != 1; x < 2; x <= 3; x >= 4 }\nr2 if { [a, b] := [1, 2]; {\"k\": c} = input }\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"index":0,"negated":true,"terms":{"type":"var","value":"x"}},{"index":1,"terms":{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"equal"}]},{"type":"var","value":"k"},{"type":"var","value":"v"}]}],"domain":{"type":"var","value":"y"},"key":{"type":"var","value":"k"},"value":{"type":"var","value":"v"}}},{"index":2,"terms":{"body":[{"index":0,"terms":{"type":"var","value":"z"}}],"domain":{"type":"var","value":"y"},"key":null,"value":{"type":"var","value":"z"}}},{"index":3,"terms":{"type":"var","value":"x"},"with":[{"target":{"type":"ref","value":[{"type":"var","value":"input"}]},"value":{"type":"number","value":1}},{"target":{"type":"ref","value":[{"type":"var","value":"data"},{"type":"string","value":"a"},{"type":"string","value":"b"}]},"value":{"type":"number","value":2}}]}],"head":{"name":"v","ref":[{"type":"var","value":"v"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"minus"}]},{"type":"number","value":0},{"type":"var","value":"x"}]}],"head":{"name":"t","ref":[{"type":"var","value":"t"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"eq"}]},{"type":"var","value":"x"},{"type":"number","value":-1}]}],"head":{"name":"t","ref":[{"type":"var","value":"t"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"equal"}]},{"type":"var","value":"$0"},{"type":"var","value":"$1"}]}],"head":{"name":"u","ref":[{"type":"var","value":"u"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"terms":{"symbols":[{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"internal"},{"type":"string","value":"member_2"}]},{"type":"var","value":"x"},{"type":"array","value":[{"type":"number","value":1},{"type":"number","value":2}]}]}]}}],"head":{"key":{"type":"var","value":"x"},"name":"s","ref":[{"type":"var","value":"s"}]}},{"body":[{"index":0,"terms":{"symbols":[{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"internal"},{"type":"string","value":"member_3"}]},{"type":"var","value":"k"},{"type":"var","value":"v"},{"type":"object","value":[[{"type":"string","value":"a"},{"type":"number","value":1}]]}]}]}}],"head":{"key":{"type":"array","value":[{"type":"var","value":"k"},{"type":"var","value":"v"}]},"name":"s2","ref":[{"type":"var","value":"s2"}]}},{"body":[{"index":0,"terms":{"symbols":[{"type":"var","value":"x"},{"type":"var","value":"y"}]}},{"index":1,"terms":[{"type":"ref","value":[{"type":"var","value":"internal"},{"type":"string","value":"member_2"}]},{"type":"var","value":"x"},{"type":"var","value":"y"}]},{"index":2,"terms":[{"type":"ref","value":[{"type":"var","value":"internal"},{"type":"string","value":"member_2"}]},{"type":"number","value":1},{"type":"array","value":[{"type":"number","value":1}]}]},{"index":3,"terms":{"type":"ref","value":[{"type":"var","value":"input"},{"type":"string","value":"a"},{"type":"var","value":"$2"},{"type":"string","value":"b"},{"type":"var","value":"x"}]}}],"head":{"name":"q","ref":[{"type":"var","value":"q"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"gt"}]},{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"count"}]},{"type":"ref","value":[{"type":"var","value":"input"}]}]},{"type":"number","value":0}]},{"index":1,"terms":[{"type":"ref","value":[{"type":"var","value":"neq"}]},{"type":"var","value":"x"},{"type":"number","value":1}]},{"index":2,"terms":[{"type":"ref","value":[{"type":"var","value":"lt"}]},{"type":"var","value":"x"},{"type":"number","value":2}]},{"index":3,"terms":[{"type":"ref","value":[{"type":"var","value":"lte"}]},{"type":"var","value":"x"},{"type":"number","value":3}]},{"index":4,"terms":[{"type":"ref","value":[{"type":"var","value":"gte"}]},{"type":"var","value":"x"},{"type":"number","value":4}]}],"head":{"name":"r","ref":[{"type":"var","value":"r"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"assign"}]},{"type":"array","value":[{"type":"var","value":"a"},{"type":"var","value":"b"}]},{"type":"array","value":[{"type":"number","value":1},{"type":"number","value":2}]}]},{"index":1,"terms":[{"type":"ref","value":[{"type":"var","value":"eq"}]},{"type":"object","value":[[{"type":"string","value":"k"},{"type":"var","value":"c"}]]},{"type":"ref","value":[{"type":"var","value":"input"}]}]}],"head":{"name":"r2","ref":[{"type":"var","value":"r2"}],"value":{"type":"boolean","value":true}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np if { input.a } { input.b }\nf(_) := 1 if { true } { false }\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"index":0,"terms":{"type":"ref","value":[{"type":"var","value":"input"},{"type":"string","value":"a"}]}}],"head":{"name":"p","ref":[{"type":"var","value":"p"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"terms":{"type":"ref","value":[{"type":"var","value":"input"},{"type":"string","value":"b"}]}}],"head":{"name":"p","ref":[{"type":"var","value":"p"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"terms":{"type":"boolean","value":true}}],"head":{"args":[{"type":"var","value":"$0"}],"assign":true,"name":"f","ref":[{"type":"var","value":"f"}],"value":{"type":"number","value":1}}},{"body":[{"index":0,"terms":{"type":"boolean","value":false}}],"head":{"args":[{"type":"var","value":"$1"}],"assign":true,"name":"f","ref":[{"type":"var","value":"f"}],"value":{"type":"number","value":1}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "# hello\n# METADATA\n# title: x\npackage a\n\n# comment\ndefault allow := false # trailing\n\nallow if { x := 1; y = 2 }  # after a rule\n#no space\n")]"##,
            opa_says: r##"[{"comments":[{"Location":{"col":1,"file":"x.rego","row":1},"Text":"IGhlbGxv"},{"Location":{"col":1,"file":"x.rego","row":2},"Text":"IE1FVEFEQVRB"},{"Location":{"col":1,"file":"x.rego","row":3},"Text":"IHRpdGxlOiB4"},{"Location":{"col":1,"file":"x.rego","row":6},"Text":"IGNvbW1lbnQ="},{"Location":{"col":24,"file":"x.rego","row":7},"Text":"IHRyYWlsaW5n"},{"Location":{"col":29,"file":"x.rego","row":9},"Text":"IGFmdGVyIGEgcnVsZQ=="},{"Location":{"col":1,"file":"x.rego","row":10},"Text":"bm8gc3BhY2U="}],"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"default":true,"head":{"assign":true,"name":"allow","ref":[{"type":"var","value":"allow"}],"value":{"type":"boolean","value":false}}},{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"assign"}]},{"type":"var","value":"x"},{"type":"number","value":1}]},{"index":1,"terms":[{"type":"ref","value":[{"type":"var","value":"eq"}]},{"type":"var","value":"y"},{"type":"number","value":2}]}],"head":{"name":"allow","ref":[{"type":"var","value":"allow"}],"value":{"type":"boolean","value":true}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np := {x: [y | some y in input[x]; y > 1] | some x, _ in input}\nq := count({z | z := input[_]})\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"p","ref":[{"type":"var","value":"p"}],"value":{"type":"objectcomprehension","value":{"body":[{"index":0,"terms":{"symbols":[{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"internal"},{"type":"string","value":"member_3"}]},{"type":"var","value":"x"},{"type":"var","value":"$0"},{"type":"ref","value":[{"type":"var","value":"input"}]}]}]}}],"key":{"type":"var","value":"x"},"value":{"type":"arraycomprehension","value":{"body":[{"index":0,"terms":{"symbols":[{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"internal"},{"type":"string","value":"member_2"}]},{"type":"var","value":"y"},{"type":"ref","value":[{"type":"var","value":"input"},{"type":"var","value":"x"}]}]}]}},{"index":1,"terms":[{"type":"ref","value":[{"type":"var","value":"gt"}]},{"type":"var","value":"y"},{"type":"number","value":1}]}],"term":{"type":"var","value":"y"}}}}}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"q","ref":[{"type":"var","value":"q"}],"value":{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"count"}]},{"type":"setcomprehension","value":{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"assign"}]},{"type":"var","value":"z"},{"type":"ref","value":[{"type":"var","value":"input"},{"type":"var","value":"$1"}]}]}],"term":{"type":"var","value":"z"}}}]}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\r\n# windows line\r\np := 1 # end\r\n")]"##,
            opa_says: r##"[{"comments":[{"Location":{"col":1,"file":"x.rego","row":2},"Text":"IHdpbmRvd3MgbGluZQ=="},{"Location":{"col":8,"file":"x.rego","row":3},"Text":"IGVuZA=="}],"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"p","ref":[{"type":"var","value":"p"}],"value":{"type":"number","value":1}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\ndefault f(_) := false\ndefault g(x, y) := 1\ndefault p.q := 2\ndefault r = 3\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"default":true,"head":{"args":[{"type":"var","value":"$0"}],"assign":true,"name":"f","ref":[{"type":"var","value":"f"}],"value":{"type":"boolean","value":false}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"default":true,"head":{"args":[{"type":"var","value":"x"},{"type":"var","value":"y"}],"assign":true,"name":"g","ref":[{"type":"var","value":"g"}],"value":{"type":"number","value":1}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"default":true,"head":{"assign":true,"ref":[{"type":"var","value":"p"},{"type":"string","value":"q"}],"value":{"type":"number","value":2}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"default":true,"head":{"name":"r","ref":[{"type":"var","value":"r"}],"value":{"type":"number","value":3}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\nf(_, x) := 1 if x > 1 else := 2 if { x < 0 } else = _ if true\ng(_) := 1 if false else := 2\np := 1 if false else := 2\nq if false else { true }\n")]"##,
            opa_says: r##"[]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a.b.c\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"},{"type":"string","value":"b"},{"type":"string","value":"c"}]}}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np if every _, x in input { x > 0 }\nq if { every x in [1, 2] { x; true } }\nr if every k, _ in {\"a\": 1} { k }\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"index":0,"terms":{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"gt"}]},{"type":"var","value":"x"},{"type":"number","value":0}]}],"domain":{"type":"ref","value":[{"type":"var","value":"input"}]},"key":{"type":"var","value":"$0"},"value":{"type":"var","value":"x"}}}],"head":{"name":"p","ref":[{"type":"var","value":"p"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"terms":{"body":[{"index":0,"terms":{"type":"var","value":"x"}},{"index":1,"terms":{"type":"boolean","value":true}}],"domain":{"type":"array","value":[{"type":"number","value":1},{"type":"number","value":2}]},"key":null,"value":{"type":"var","value":"x"}}}],"head":{"name":"q","ref":[{"type":"var","value":"q"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"terms":{"body":[{"index":0,"terms":{"type":"var","value":"k"}}],"domain":{"type":"object","value":[[{"type":"string","value":"a"},{"type":"number","value":1}]]},"key":{"type":"var","value":"k"},"value":{"type":"var","value":"$1"}}}],"head":{"name":"r","ref":[{"type":"var","value":"r"}],"value":{"type":"boolean","value":true}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\nf(x) := y if { y := x + 1 } else := 3\ng(_, y) if y\nh(x, _) := 1 if x else = 2 if true else := 3\nk(x) if { x } else { true }\nf(x)\n")]"##,
            opa_says: r##"[]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np.q.r := 1\np.q[x].r := 1 if x := 1\np contains 1\np.q contains 1\np.q[x] contains 1 if x\np[x][y] if x\np = 1\np.s = 7\nf(x) = 1\na.b.c(x) := 2\np[\"x\"] := 3\np[1] := 3\np.q if true\np[x] if x\np[x] := 5 if x\nr := 2\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"ref":[{"type":"var","value":"p"},{"type":"string","value":"q"},{"type":"string","value":"r"}],"value":{"type":"number","value":1}}},{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"assign"}]},{"type":"var","value":"x"},{"type":"number","value":1}]}],"head":{"assign":true,"ref":[{"type":"var","value":"p"},{"type":"string","value":"q"},{"type":"var","value":"x"},{"type":"string","value":"r"}],"value":{"type":"number","value":1}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"key":{"type":"number","value":1},"name":"p","ref":[{"type":"var","value":"p"}]}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"key":{"type":"number","value":1},"ref":[{"type":"var","value":"p"},{"type":"string","value":"q"}]}},{"body":[{"index":0,"terms":{"type":"var","value":"x"}}],"head":{"key":{"type":"number","value":1},"ref":[{"type":"var","value":"p"},{"type":"string","value":"q"},{"type":"var","value":"x"}]}},{"body":[{"index":0,"terms":{"type":"var","value":"x"}}],"head":{"ref":[{"type":"var","value":"p"},{"type":"var","value":"x"},{"type":"var","value":"y"}],"value":{"type":"boolean","value":true}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"name":"p","ref":[{"type":"var","value":"p"}],"value":{"type":"number","value":1}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"key":{"type":"string","value":"s"},"name":"p","ref":[{"type":"var","value":"p"},{"type":"string","value":"s"}],"value":{"type":"number","value":7}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"args":[{"type":"var","value":"x"}],"name":"f","ref":[{"type":"var","value":"f"}],"value":{"type":"number","value":1}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"args":[{"type":"var","value":"x"}],"assign":true,"ref":[{"type":"var","value":"a"},{"type":"string","value":"b"},{"type":"string","value":"c"}],"value":{"type":"number","value":2}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"key":{"type":"string","value":"x"},"name":"p","ref":[{"type":"var","value":"p"},{"type":"string","value":"x"}],"value":{"type":"number","value":3}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"key":{"type":"number","value":1},"name":"p","ref":[{"type":"var","value":"p"},{"type":"number","value":1}],"value":{"type":"number","value":3}}},{"body":[{"index":0,"terms":{"type":"boolean","value":true}}],"head":{"ref":[{"type":"var","value":"p"},{"type":"string","value":"q"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"terms":{"type":"var","value":"x"}}],"head":{"key":{"type":"var","value":"x"},"ref":[{"type":"var","value":"p"},{"type":"var","value":"x"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"terms":{"type":"var","value":"x"}}],"head":{"assign":true,"key":{"type":"var","value":"x"},"name":"p","ref":[{"type":"var","value":"p"},{"type":"var","value":"x"}],"value":{"type":"number","value":5}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"r","ref":[{"type":"var","value":"r"}],"value":{"type":"number","value":2}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a.b[\"c\"]\nimport rego.v1\nimport data.foo.bar as baz\nimport input.x\nimport data.lib\n")]"##,
            opa_says: r##"[{"imports":[{"path":{"type":"ref","value":[{"type":"var","value":"rego"},{"type":"string","value":"v1"}]}},{"alias":"baz","path":{"type":"ref","value":[{"type":"var","value":"data"},{"type":"string","value":"foo"},{"type":"string","value":"bar"}]}},{"path":{"type":"ref","value":[{"type":"var","value":"input"},{"type":"string","value":"x"}]}},{"path":{"type":"ref","value":[{"type":"var","value":"data"},{"type":"string","value":"lib"}]}}],"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"},{"type":"string","value":"b"},{"type":"string","value":"c"}]}}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np.if := 1\nq.contains := 2\nr.else.x := 3\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"key":{"type":"string","value":"if"},"name":"p","ref":[{"type":"var","value":"p"},{"type":"string","value":"if"}],"value":{"type":"number","value":1}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"key":{"type":"string","value":"contains"},"name":"q","ref":[{"type":"var","value":"q"},{"type":"string","value":"contains"}],"value":{"type":"number","value":2}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"ref":[{"type":"var","value":"r"},{"type":"string","value":"else"},{"type":"string","value":"x"}],"value":{"type":"number","value":3}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np := 1 # no newline at end")]"##,
            opa_says: r##"[{"comments":[{"Location":{"col":8,"file":"x.rego","row":2},"Text":"IG5vIG5ld2xpbmUgYXQgZW5k"}],"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"p","ref":[{"type":"var","value":"p"}],"value":{"type":"number","value":1}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np if { not input.a; not f(1); not x == 2 }\nq if not input.b\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"index":0,"negated":true,"terms":{"type":"ref","value":[{"type":"var","value":"input"},{"type":"string","value":"a"}]}},{"index":1,"negated":true,"terms":[{"type":"ref","value":[{"type":"var","value":"f"}]},{"type":"number","value":1}]},{"index":2,"negated":true,"terms":[{"type":"ref","value":[{"type":"var","value":"equal"}]},{"type":"var","value":"x"},{"type":"number","value":2}]}],"head":{"name":"p","ref":[{"type":"var","value":"p"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"negated":true,"terms":{"type":"ref","value":[{"type":"var","value":"input"},{"type":"string","value":"b"}]}}],"head":{"name":"q","ref":[{"type":"var","value":"q"}],"value":{"type":"boolean","value":true}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\nn := [0, 1, 0.5, 10000000000, 12345678901234567890, -3, 2.25]\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"n","ref":[{"type":"var","value":"n"}],"value":{"type":"array","value":[{"type":"number","value":0},{"type":"number","value":1},{"type":"number","value":0.5},{"type":"number","value":10000000000},{"type":"number","value":12345678901234567890},{"type":"number","value":-3},{"type":"number","value":2.25}]}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np if { x := 1 + 2 * 3 - -4 / 5 % 6 }\nq if { a := input | {1}; b := input & {2}; c := input - {3} }\nr if 1 + 1\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"assign"}]},{"type":"var","value":"x"},{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"minus"}]},{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"plus"}]},{"type":"number","value":1},{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"mul"}]},{"type":"number","value":2},{"type":"number","value":3}]}]},{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"rem"}]},{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"div"}]},{"type":"number","value":-4},{"type":"number","value":5}]},{"type":"number","value":6}]}]}]}],"head":{"name":"p","ref":[{"type":"var","value":"p"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"assign"}]},{"type":"var","value":"a"},{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"or"}]},{"type":"ref","value":[{"type":"var","value":"input"}]},{"type":"set","value":[{"type":"number","value":1}]}]}]},{"index":1,"terms":[{"type":"ref","value":[{"type":"var","value":"assign"}]},{"type":"var","value":"b"},{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"and"}]},{"type":"ref","value":[{"type":"var","value":"input"}]},{"type":"set","value":[{"type":"number","value":2}]}]}]},{"index":2,"terms":[{"type":"ref","value":[{"type":"var","value":"assign"}]},{"type":"var","value":"c"},{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"minus"}]},{"type":"ref","value":[{"type":"var","value":"input"}]},{"type":"set","value":[{"type":"number","value":3}]}]}]}],"head":{"name":"q","ref":[{"type":"var","value":"q"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"plus"}]},{"type":"number","value":1},{"type":"number","value":1}]}],"head":{"name":"r","ref":[{"type":"var","value":"r"}],"value":{"type":"boolean","value":true}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np if { print(\"x\", input); trace(\"y\"); x := object.get(input, \"a\", 1) }\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"print"}]},{"type":"string","value":"x"},{"type":"ref","value":[{"type":"var","value":"input"}]}]},{"index":1,"terms":[{"type":"ref","value":[{"type":"var","value":"trace"}]},{"type":"string","value":"y"}]},{"index":2,"terms":[{"type":"ref","value":[{"type":"var","value":"assign"}]},{"type":"var","value":"x"},{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"object"},{"type":"string","value":"get"}]},{"type":"ref","value":[{"type":"var","value":"input"}]},{"type":"string","value":"a"},{"type":"number","value":1}]}]}],"head":{"name":"p","ref":[{"type":"var","value":"p"}],"value":{"type":"boolean","value":true}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np if input\nq := data\nr := data.a.b[input.c][\"d\"][0]\ns := input[_][_].x\nt := f(x)[0].y\nu := {\"a\": 1}.a\nv := \"s\" in input\nw := x if x := input with input.y as 2 with count as 3\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"index":0,"terms":{"type":"ref","value":[{"type":"var","value":"input"}]}}],"head":{"name":"p","ref":[{"type":"var","value":"p"}],"value":{"type":"boolean","value":true}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"q","ref":[{"type":"var","value":"q"}],"value":{"type":"ref","value":[{"type":"var","value":"data"}]}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"r","ref":[{"type":"var","value":"r"}],"value":{"type":"ref","value":[{"type":"var","value":"data"},{"type":"string","value":"a"},{"type":"string","value":"b"},{"type":"ref","value":[{"type":"var","value":"input"},{"type":"string","value":"c"}]},{"type":"string","value":"d"},{"type":"number","value":0}]}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"s","ref":[{"type":"var","value":"s"}],"value":{"type":"ref","value":[{"type":"var","value":"input"},{"type":"var","value":"$0"},{"type":"var","value":"$1"},{"type":"string","value":"x"}]}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"t","ref":[{"type":"var","value":"t"}],"value":{"type":"ref","value":[{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"f"}]},{"type":"var","value":"x"}]},{"type":"number","value":0},{"type":"string","value":"y"}]}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"u","ref":[{"type":"var","value":"u"}],"value":{"type":"ref","value":[{"type":"object","value":[[{"type":"string","value":"a"},{"type":"number","value":1}]]},{"type":"string","value":"a"}]}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"v","ref":[{"type":"var","value":"v"}],"value":{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"internal"},{"type":"string","value":"member_2"}]},{"type":"string","value":"s"},{"type":"ref","value":[{"type":"var","value":"input"}]}]}}},{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"assign"}]},{"type":"var","value":"x"},{"type":"ref","value":[{"type":"var","value":"input"}]}],"with":[{"target":{"type":"ref","value":[{"type":"var","value":"input"},{"type":"string","value":"y"}]},"value":{"type":"number","value":2}},{"target":{"type":"var","value":"count"},"value":{"type":"number","value":3}}]}],"head":{"assign":true,"name":"w","ref":[{"type":"var","value":"w"}],"value":{"type":"var","value":"x"}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\no := {\"b\": 1, \"a\": 2, 1: 3, true: 4, null: 5, x: 6, [1]: 7}\ns := {\"b\", \"a\", 1, true, null, [2], [1], {\"k\": 1}}\ne := {}\ne2 := []\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"o","ref":[{"type":"var","value":"o"}],"value":{"type":"object","value":[[{"type":"null","value":{}},{"type":"number","value":5}],[{"type":"boolean","value":true},{"type":"number","value":4}],[{"type":"number","value":1},{"type":"number","value":3}],[{"type":"string","value":"a"},{"type":"number","value":2}],[{"type":"string","value":"b"},{"type":"number","value":1}],[{"type":"var","value":"x"},{"type":"number","value":6}],[{"type":"array","value":[{"type":"number","value":1}]},{"type":"number","value":7}]]}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"s","ref":[{"type":"var","value":"s"}],"value":{"type":"set","value":[{"type":"null","value":{}},{"type":"boolean","value":true},{"type":"number","value":1},{"type":"string","value":"a"},{"type":"string","value":"b"},{"type":"array","value":[{"type":"number","value":1}]},{"type":"array","value":[{"type":"number","value":2}]},{"type":"object","value":[[{"type":"string","value":"k"},{"type":"number","value":1}]]}]}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"e","ref":[{"type":"var","value":"e"}],"value":{"type":"object","value":[]}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"e2","ref":[{"type":"var","value":"e2"}],"value":{"type":"array","value":[]}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\nallow if input.x == 1\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"equal"}]},{"type":"ref","value":[{"type":"var","value":"input"},{"type":"string","value":"x"}]},{"type":"number","value":1}]}],"head":{"name":"allow","ref":[{"type":"var","value":"allow"}],"value":{"type":"boolean","value":true}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np if { some x, y in input; x == y }\nq if { some i; input[i] }\nr if some x in input\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"index":0,"terms":{"symbols":[{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"internal"},{"type":"string","value":"member_3"}]},{"type":"var","value":"x"},{"type":"var","value":"y"},{"type":"ref","value":[{"type":"var","value":"input"}]}]}]}},{"index":1,"terms":[{"type":"ref","value":[{"type":"var","value":"equal"}]},{"type":"var","value":"x"},{"type":"var","value":"y"}]}],"head":{"name":"p","ref":[{"type":"var","value":"p"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"terms":{"symbols":[{"type":"var","value":"i"}]}},{"index":1,"terms":{"type":"ref","value":[{"type":"var","value":"input"},{"type":"var","value":"i"}]}}],"head":{"name":"q","ref":[{"type":"var","value":"q"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"terms":{"symbols":[{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"internal"},{"type":"string","value":"member_2"}]},{"type":"var","value":"x"},{"type":"ref","value":[{"type":"var","value":"input"}]}]}]}}],"head":{"name":"r","ref":[{"type":"var","value":"r"}],"value":{"type":"boolean","value":true}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\n# a comment # with a hash\ns := \"# not a comment\" # but this is\nt := `raw\n# not a comment either\n`\nu := \"\\t\\u263a \u263a\"\n")]"##,
            opa_says: r##"[{"comments":[{"Location":{"col":1,"file":"x.rego","row":2},"Text":"IGEgY29tbWVudCAjIHdpdGggYSBoYXNo"},{"Location":{"col":24,"file":"x.rego","row":3},"Text":"IGJ1dCB0aGlzIGlz"}],"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"s","ref":[{"type":"var","value":"s"}],"value":{"type":"string","value":"# not a comment"}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"t","ref":[{"type":"var","value":"t"}],"value":{"type":"string","value":"raw\n# not a comment either\n"}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"u","ref":[{"type":"var","value":"u"}],"value":{"type":"string","value":"\t☺ ☺"}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\nw := {1 | true} if true\nw2 := [x | x := 1]\nw3 := {k: v | some k, v in y}\nw4 := set()\nw5 := {\"a\": 1, 2: [null, true, 1.5], \"b\": {\"z\": 1, \"a\": 2}}\nw6 := x if x := f(1).y\nw7 := [1,2][0]\nw8 := a | b & c\nw9 := 3 % 2 * 1 / 1 - 1\nw10 if print(1)\nw11 if {some x; x := `raw`}\nw12 := {3, 1, \"a\", x, [1], null, false}\nw13 := \"esc\\\"aped\\n\\u00e9\"\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"w","ref":[{"type":"var","value":"w"}],"value":{"type":"setcomprehension","value":{"body":[{"index":0,"terms":{"type":"boolean","value":true}}],"term":{"type":"number","value":1}}}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"w2","ref":[{"type":"var","value":"w2"}],"value":{"type":"arraycomprehension","value":{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"assign"}]},{"type":"var","value":"x"},{"type":"number","value":1}]}],"term":{"type":"var","value":"x"}}}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"w3","ref":[{"type":"var","value":"w3"}],"value":{"type":"objectcomprehension","value":{"body":[{"index":0,"terms":{"symbols":[{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"internal"},{"type":"string","value":"member_3"}]},{"type":"var","value":"k"},{"type":"var","value":"v"},{"type":"var","value":"y"}]}]}}],"key":{"type":"var","value":"k"},"value":{"type":"var","value":"v"}}}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"w4","ref":[{"type":"var","value":"w4"}],"value":{"type":"set","value":[]}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"w5","ref":[{"type":"var","value":"w5"}],"value":{"type":"object","value":[[{"type":"number","value":2},{"type":"array","value":[{"type":"null","value":{}},{"type":"boolean","value":true},{"type":"number","value":1.5}]}],[{"type":"string","value":"a"},{"type":"number","value":1}],[{"type":"string","value":"b"},{"type":"object","value":[[{"type":"string","value":"a"},{"type":"number","value":2}],[{"type":"string","value":"z"},{"type":"number","value":1}]]}]]}}},{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"assign"}]},{"type":"var","value":"x"},{"type":"ref","value":[{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"f"}]},{"type":"number","value":1}]},{"type":"string","value":"y"}]}]}],"head":{"assign":true,"name":"w6","ref":[{"type":"var","value":"w6"}],"value":{"type":"var","value":"x"}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"w7","ref":[{"type":"var","value":"w7"}],"value":{"type":"ref","value":[{"type":"array","value":[{"type":"number","value":1},{"type":"number","value":2}]},{"type":"number","value":0}]}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"w8","ref":[{"type":"var","value":"w8"}],"value":{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"or"}]},{"type":"var","value":"a"},{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"and"}]},{"type":"var","value":"b"},{"type":"var","value":"c"}]}]}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"w9","ref":[{"type":"var","value":"w9"}],"value":{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"minus"}]},{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"div"}]},{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"mul"}]},{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"rem"}]},{"type":"number","value":3},{"type":"number","value":2}]},{"type":"number","value":1}]},{"type":"number","value":1}]},{"type":"number","value":1}]}}},{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"print"}]},{"type":"number","value":1}]}],"head":{"name":"w10","ref":[{"type":"var","value":"w10"}],"value":{"type":"boolean","value":true}}},{"body":[{"index":0,"terms":{"symbols":[{"type":"var","value":"x"}]}},{"index":1,"terms":[{"type":"ref","value":[{"type":"var","value":"assign"}]},{"type":"var","value":"x"},{"type":"string","value":"raw"}]}],"head":{"name":"w11","ref":[{"type":"var","value":"w11"}],"value":{"type":"boolean","value":true}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"w12","ref":[{"type":"var","value":"w12"}],"value":{"type":"set","value":[{"type":"null","value":{}},{"type":"boolean","value":false},{"type":"number","value":1},{"type":"number","value":3},{"type":"string","value":"a"},{"type":"var","value":"x"},{"type":"array","value":[{"type":"number","value":1}]}]}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"w13","ref":[{"type":"var","value":"w13"}],"value":{"type":"string","value":"esc\"aped\né"}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\nimport foo.bar\n")]"##,
            opa_says: r##"[]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np[x]\n")]"##,
            opa_says: r##"[]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np contains x if x else := 1\n")]"##,
            opa_says: r##"[]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\ndefault p := input.x\n")]"##,
            opa_says: r##"[]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np := 1\np := 2\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"p","ref":[{"type":"var","value":"p"}],"value":{"type":"number","value":1}}},{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"p","ref":[{"type":"var","value":"p"}],"value":{"type":"number","value":2}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np.q := 1 if false else := 2\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"index":0,"terms":{"type":"boolean","value":false}}],"else":{"body":[{"generated":true,"index":0,"terms":{"type":"boolean","value":true}}],"head":{"assign":true,"name":"p","ref":[{"type":"var","value":"p"},{"type":"string","value":"q"}],"value":{"type":"number","value":2}}},"head":{"assign":true,"name":"p","ref":[{"type":"var","value":"p"},{"type":"string","value":"q"}],"value":{"type":"number","value":1}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np[x] := 1 if x else := 2\n")]"##,
            opa_says: r##"[]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "")]"##,
            opa_says: r##"[]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np if { }\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"index":0,"terms":{"type":"object","value":[]}}],"head":{"name":"p","ref":[{"type":"var","value":"p"}],"value":{"type":"boolean","value":true}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\nf(x) contains 1 if true\n")]"##,
            opa_says: r##"[]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\nimport future.keywords\np if some x in input\n")]"##,
            opa_says: r##"[{"imports":[{"path":{"type":"ref","value":[{"type":"var","value":"future"},{"type":"string","value":"keywords"}]}}],"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"a"}]},"rules":[{"body":[{"index":0,"terms":{"symbols":[{"type":"call","value":[{"type":"ref","value":[{"type":"var","value":"internal"},{"type":"string","value":"member_2"}]},{"type":"var","value":"x"},{"type":"ref","value":[{"type":"var","value":"input"}]}]}]}}],"head":{"name":"p","ref":[{"type":"var","value":"p"}],"value":{"type":"boolean","value":true}}}]}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np if { x := 01 }\n")]"##,
            opa_says: r##"[]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "p := 1\n")]"##,
            opa_says: r##"[]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np := \n")]"##,
            opa_says: r##"[]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package input\n")]"##,
            opa_says: r##"[{"package":{"path":[{"type":"var","value":"data"},{"type":"string","value":"input"}]}}]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np.r\n")]"##,
            opa_says: r##"[]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np if {\n")]"##,
            opa_says: r##"[]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np if \"unterminated\n")]"##,
            opa_says: r##"[]"##,
        },
        Case {
            expression: r##"[m | m := rego.parse_module("x.rego", "package a\np { true }\n")]"##,
            opa_says: r##"[]"##,
        },
    ];
    let opa = opa();
    for case in &cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("policy")).unwrap();
        std::fs::write(dir.path().join("policy/case.rego"), policy(case)).unwrap();
        std::fs::write(dir.path().join("input.json"), "{}").unwrap();
        let ours = dockpolicy_answer(dir.path());
        assert_eq!(
            json(&ours),
            json(case.opa_says),
            "dockpolicy disagrees with OPA on {}",
            case.expression
        );
        if let Some(opa) = &opa {
            let theirs = opa_answer(opa, dir.path());
            assert_eq!(
                json(&theirs),
                json(case.opa_says),
                "OPA's answer for {} is not the one written down",
                case.expression
            );
        }
    }
    if opa.is_none() {
        eprintln!(
            "SKIPPED: OPA was not asked these {} cases again (set DOCKPOLICY_OPA)",
            cases.len()
        );
    }
}

/// `rego.metadata.rule()` and `rego.metadata.chain()` give the annotations of the rule
/// they are written in: its own (rule scope), its document's, its package's.
#[test]
fn rego_metadata_as_in_opa() {
    let policy = r#"# METADATA
# title: Checks
# description: the package
package main

# METADATA
# title: Deny rule
# custom:
#   id: X1
#   severity: high
deny contains msg if {
	msg := json.marshal([rego.metadata.rule(), rego.metadata.chain()])
}

# METADATA
# scope: document
# title: every deny
# authors:
#   - Jane Doe <jane@example.com>
# related_resources:
#   - https://example.com

deny contains msg if {
	msg := json.marshal(["second", rego.metadata.rule(), rego.metadata.chain()])
}

# Not METADATA.
deny contains msg if {
	msg := json.marshal(["third", rego.metadata.rule()])
}
"#;
    let package = r#"{"annotations":{"description":"the package","scope":"package","title":"Checks"},"path":["main"]}"#;
    let document = r#"{"annotations":{"authors":[{"email":"jane@example.com","name":"Jane Doe"}],"related_resources":[{"ref":"https://example.com"}],"scope":"document","title":"every deny"},"path":["main","deny"]}"#;
    let rule = r#"{"custom":{"id":"X1","severity":"high"},"scope":"rule","title":"Deny rule"}"#;
    let opa_says = [
        format!(
            r#"[{rule},[{{"annotations":{rule},"path":["main","deny"]}},{document},{package}]]"#
        ),
        format!(r#"["second",{{}},[{{"path":["main","deny"]}},{document},{package}]]"#),
        r#"["third",{}]"#.to_owned(),
    ];
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("policy")).unwrap();
    std::fs::write(dir.path().join("policy/case.rego"), policy).unwrap();
    std::fs::write(dir.path().join("input.json"), "{}").unwrap();
    let out = assert_cmd::Command::cargo_bin("dockpolicy")
        .unwrap()
        .args(["test", "--no-color", "-o", "json", "--no-bundled", "-p"])
        .arg(dir.path().join("policy"))
        .arg(dir.path().join("input.json"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ours: Vec<Value> = report[0]["failures"]
        .as_array()
        .unwrap_or_else(|| panic!("no failures: {report}"))
        .iter()
        .map(|f| json(f["msg"].as_str().unwrap()))
        .collect();
    let mut want: Vec<Value> = opa_says.iter().map(|m| json(m)).collect();
    ours.sort_by_key(Value::to_string);
    want.sort_by_key(Value::to_string);
    assert_eq!(ours, want, "dockpolicy's rego.metadata disagrees with OPA");
    let Some(opa) = opa() else {
        eprintln!("SKIPPED: OPA was not asked the rego.metadata case again (set DOCKPOLICY_OPA)");
        return;
    };
    let out = Command::new(opa)
        .args(["eval", "-f", "json", "-d"])
        .arg(dir.path().join("policy/case.rego"))
        .arg("data.main.deny")
        .output()
        .unwrap();
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut theirs: Vec<Value> = answer["result"][0]["expressions"][0]["value"]
        .as_array()
        .unwrap_or_else(|| panic!("no deny set from opa: {answer}"))
        .iter()
        .map(|m| json(m.as_str().unwrap()))
        .collect();
    theirs.sort_by_key(Value::to_string);
    assert_eq!(
        theirs, want,
        "OPA's rego.metadata answer is not the one written down"
    );
}

/// `opa.runtime()` has OPA's keys for a process without a configuration file, but its
/// `env` is empty: a policy cannot read, and so print, the environment's variables.
#[test]
fn opa_runtime_reveals_no_environment() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("policy")).unwrap();
    std::fs::write(
        dir.path().join("policy/case.rego"),
        "package main\n\ndeny contains json.marshal(opa.runtime())\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("input.json"), "{}").unwrap();
    let out = assert_cmd::Command::cargo_bin("dockpolicy")
        .unwrap()
        .env("DOCKPOLICY_TEST_SECRET", "s3cr3t-value")
        .args(["test", "--no-color", "-o", "json", "--no-bundled", "-p"])
        .arg(dir.path().join("policy"))
        .arg(dir.path().join("input.json"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("s3cr3t-value"), "{stdout}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let runtime = json(report[0]["failures"][0]["msg"].as_str().unwrap());
    assert_eq!(
        runtime,
        json(r#"{"commit": "", "env": {}, "version": "1.21.1"}"#)
    );
}
