//! An evaluation trace as OPA's test report prints one: a column of locations
//! (`query:1`, `policy/a.rego:4`) beside the events, and the failing line quoted under a
//! failure. Names and statements are made safe to show as in `eval_trace::event_lines`.

use super::redact;
use crate::policy::eval_trace::{TraceEvent, TraceOp, event_lines};

/// The trace as OPA's test report prints it under a failure: a location column wide enough
/// for the longest, then the event; each line indented by two spaces.
pub fn with_locations(events: &[&TraceEvent]) -> String {
    let locations: Vec<String> = events
        .iter()
        .map(|e| match &e.location {
            Some(l) => format!("{}:{}", redact::message(&l.file), l.row),
            None => "query:1".to_owned(),
        })
        .collect();
    let width = locations
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        + 6;
    let mut out = String::new();
    for (location, event) in locations.iter().zip(event_lines(events.iter().copied())) {
        out.push_str(&format!("  {location:<width$} {event}  \n"));
    }
    out
}

/// The statement OPA's report names as where a test failed: the last failure inside the
/// test (not the test's own query), an `every` giving way to the failure in its body. As
/// `  file:row:` and the statement where it stands in its line.
pub fn failing_line(events: &[&TraceEvent]) -> Option<String> {
    let failure = events.iter().rev().find_map(|e| {
        let location = e.location.as_ref()?;
        let is_every = e.node.trim_start().starts_with("every ");
        (e.op == TraceOp::Fail && e.query_id != 0 && !is_every).then_some(location)
    })?;
    let statement = redact::lines(&format!("{}{}", failure.indent, failure.text));
    let mut out = format!("  {}:{}:\n", redact::message(&failure.file), failure.row);
    for line in statement.lines() {
        out.push_str(&format!("    {line}\n"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::eval_trace::TraceLocation;

    fn at(op: TraceOp, query_id: u64, parent_id: u64, node: &str, row: u32) -> TraceEvent {
        TraceEvent {
            op,
            query_id,
            parent_id,
            node: node.to_owned(),
            location: (row > 0).then(|| TraceLocation {
                file: "policy/a_test.rego".to_owned(),
                row,
                text: node.to_owned(),
                indent: "\t".to_owned(),
            }),
        }
    }

    fn sample() -> Vec<TraceEvent> {
        vec![
            at(TraceOp::Enter, 0, 0, "data.t.test_x = _", 0),
            at(TraceOp::Enter, 1, 0, "data.t.test_x", 3),
            at(TraceOp::Fail, 1, 0, "deny[\"x\"]\n\t\twith input as {}", 4),
            at(TraceOp::Note, 1, 0, "say \"hi\"", 5),
            at(TraceOp::Fail, 0, 0, "data.t.test_x = _", 0),
        ]
    }

    #[test]
    fn events_are_indented_by_depth_as_opa_indents_them() {
        assert_eq!(
            event_lines(&sample()),
            [
                "Enter data.t.test_x = _",
                "| Enter data.t.test_x",
                "| | Fail deny[\"x\"] with input as {}",
                "| | Note \"say \\\"hi\\\"\"",
                "| Fail data.t.test_x = _",
            ]
        );
    }

    #[test]
    fn the_location_column_fits_the_longest_location() {
        let events = sample();
        let refs: Vec<&TraceEvent> = events[..2].iter().collect();
        assert_eq!(
            with_locations(&refs),
            "  query:1                    Enter data.t.test_x = _  \n  \
             policy/a_test.rego:3       | Enter data.t.test_x  \n"
        );
    }

    #[test]
    fn the_failing_line_is_the_last_failure_inside_the_test_as_written() {
        let events = sample();
        let refs: Vec<&TraceEvent> = events.iter().collect();
        assert_eq!(
            failing_line(&refs).as_deref(),
            Some("  policy/a_test.rego:4:\n    \tdeny[\"x\"]\n    \t\twith input as {}\n")
        );
        assert_eq!(failing_line(&refs[..2]), None);
    }
}
