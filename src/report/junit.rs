//! JUnit XML, for CI dashboards, as conftest writes it for `test` and `verify`.

use std::collections::BTreeMap;

use super::redact::{escape_controls_to_encode_newlines, redact_error, redact_message};

/// `test` results as conftest writes them (go-junit-report's layout): one test suite per
/// namespace, `conftest.<namespace>`, in namespace order; in it, per file, a failed test
/// case per warning and failure (named by the file and the message's first line, the
/// whole message as the failure's text) and a passed one per success. Exceptions are no
/// test case, as in conftest. Files that could not be checked are failed test cases of a
/// last suite, `dockpolicy`. Everything quoted is redacted and its control characters
/// escaped visibly; the XML escaping is Go's (`&#34;`, `&#xA;`).
pub fn render_test(report: &super::Report) -> String {
    let mut suites: BTreeMap<String, Vec<GoTestCase>> = BTreeMap::new();
    for r in &report.results {
        let cases = suites
            .entry(format!("conftest.{}", r.namespace))
            .or_default();
        for f in r.warnings.iter().chain(&r.failures) {
            let message = escape_controls_to_encode_newlines(&redact_message(&f.msg)).into_owned();
            let first = message.split('\n').next().unwrap_or_default();
            let name = if report.options.junit_hide_message || first.is_empty() {
                r.filename.clone()
            } else {
                format!("{} - {first}", r.filename)
            };
            cases.push(GoTestCase {
                name,
                failure: Some(("Failed", "", message.clone())),
            });
        }
        for _ in 0..r.successes {
            cases.push(GoTestCase {
                name: r.filename.clone(),
                failure: None,
            });
        }
        for f in &r.skipped {
            let message = escape_controls_to_encode_newlines(&redact_message(&f.msg)).into_owned();
            cases.push(GoTestCase {
                name: format!("{} - {message}", r.filename),
                failure: Some(("", "skipped", message)),
            });
        }
    }
    // conftest abandons a run on such a file; dockpolicy reports it and goes on.
    let errors: Vec<GoTestCase> = report
        .errors
        .iter()
        .map(|e| GoTestCase {
            name: e.filename.clone(),
            failure: Some(("Error", "error", redact_error(&e.message).into_owned())),
        })
        .collect();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>");
    // A namespace with no test case (a package without rules) writes no suite, as in
    // conftest.
    let all = suites
        .iter()
        .filter(|(_, cases)| !cases.is_empty())
        .map(|(name, cases)| (name.as_str(), cases))
        .chain((!errors.is_empty()).then_some(("dockpolicy", &errors)));
    let mut any = false;
    for (name, cases) in all {
        write_suite(&mut out, name, cases);
        any = true;
    }
    out.push_str(if any {
        "\n</testsuites>\n"
    } else {
        "</testsuites>\n"
    });
    out
}

/// A test case of conftest's report: its name, and for a failed one the failure's
/// message, type and text; a skipped one (a `todo_test_` of `verify`) has type `skipped`
/// and its text as the message.
struct GoTestCase {
    name: String,
    failure: Option<(&'static str, &'static str, String)>,
}

/// One `<testsuite>` as Go's `xml.MarshalIndent` writes it (tab indentation, no empty
/// element abbreviated), with the tool's version as its one property.
fn write_suite(out: &mut String, name: &str, cases: &[GoTestCase]) {
    let failures = cases
        .iter()
        .filter(|c| {
            c.failure
                .as_ref()
                .is_some_and(|(_, kind, _)| *kind != "skipped")
        })
        .count();
    let name = xml(name);
    out.push_str(&format!(
        "\n\t<testsuite tests=\"{}\" failures=\"{failures}\" time=\"0.000\" name=\"{name}\">",
        cases.len()
    ));
    out.push_str("\n\t\t<properties>");
    out.push_str(&format!(
        "\n\t\t\t<property name=\"dockpolicy.version\" value=\"{}\"></property>",
        env!("CARGO_PKG_VERSION")
    ));
    out.push_str("\n\t\t</properties>");
    for case in cases {
        let head = format!(
            "\n\t\t<testcase classname=\"{name}\" name=\"{}\" time=\"0.000\">",
            xml(&escape_controls_to_encode_newlines(&case.name))
        );
        out.push_str(&head);
        match &case.failure {
            None => out.push_str("</testcase>"),
            Some(("", "skipped", text)) => {
                out.push_str(&format!(
                    "\n\t\t\t<skipped message=\"{}\"></skipped>\n\t\t</testcase>",
                    xml(text)
                ));
            }
            Some((message, kind, text)) => {
                out.push_str(&format!(
                    "\n\t\t\t<failure message=\"{message}\" type=\"{kind}\">{}</failure>\n\t\t</testcase>",
                    xml(text)
                ));
            }
        }
    }
    out.push_str("\n\t</testsuite>");
}

/// `text` escaped as Go's `xml.EscapeText` escapes it: markup characters and quotes as
/// references, tab and line breaks as character references, and a character XML cannot
/// hold as U+FFFD.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c if (c as u32) < 0x20 || matches!(c, '\u{fffe}' | '\u{ffff}') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hide_message_names_a_case_by_its_file() {
        let mut report = super::super::Report::default();
        let mut r = crate::findings::CheckResult::new("a.yaml", "main");
        r.failures
            .push(crate::findings::Finding::new("first\nsecond"));
        report.results.push(r);
        let named = render_test(&report);
        assert!(named.contains("name=\"a.yaml - first\""), "{named}");
        report.options.junit_hide_message = true;
        let hidden = render_test(&report);
        assert!(hidden.contains("name=\"a.yaml\" time"), "{hidden}");
        assert!(hidden.contains(">first&#xA;second</failure>"), "{hidden}");
    }

    #[test]
    fn text_is_escaped_as_go_escapes_it() {
        assert_eq!(
            xml("a<b>&\"c\"'d'\te\nf\r\u{1}ü"),
            "a&lt;b&gt;&amp;&#34;c&#34;&#39;d&#39;&#x9;e&#xA;f&#xD;\u{fffd}ü"
        );
    }
}
