//! A test's evaluation trace (`verify --trace`, `--report`), as OPA's tools see one: events
//! with an operation, the query they belong to and its parent, and a location. regorus
//! records the events of the rules and functions it evaluates; the query that asks for the
//! test (`data.pkg.test_x = _`, OPA's query 0) is added around them here.

use std::collections::HashMap;

use crate::redact;

/// What happened at an event, by OPA's names: regorus's own, which the interpreter records.
pub use regorus::TraceOp;

/// Where an event happened: a policy file's line, or `None` for the test's query (OPA's
/// `query:1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceLocation {
    pub file: String,
    pub row: u32,
    /// The statement or rule head at the location, as written.
    pub text: String,
    /// What precedes the text on its line, as spaces and tabs.
    pub indent: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEvent {
    pub op: TraceOp,
    pub query_id: u64,
    pub parent_id: u64,
    /// A rule's path, a statement's text, or a note's message.
    pub node: String,
    pub location: Option<TraceLocation>,
}

/// The whole trace of one test named `test` (`data.pkg.test_x`), asked for as OPA's test
/// runner asks (`data.pkg.test_x = _`): see `of_query`.
pub fn of_test(
    test: &str,
    recorded: Vec<regorus::TraceEvent>,
    dropped: usize,
    passed: bool,
) -> Vec<TraceEvent> {
    of_query(&format!("{test} = _"), recorded, dropped, passed)
}

/// The whole trace of a query: the query entered, what regorus recorded while evaluating
/// it (`dropped`: events that did not fit, noted at the end), and the query's exit when it
/// succeeded or its failure.
pub fn of_query(
    query: &str,
    recorded: Vec<regorus::TraceEvent>,
    dropped: usize,
    succeeded: bool,
) -> Vec<TraceEvent> {
    let query = |op| TraceEvent {
        op,
        query_id: 0,
        parent_id: 0,
        node: query.to_owned(),
        location: None,
    };
    let mut events = Vec::with_capacity(recorded.len() + 3);
    events.push(query(TraceOp::Enter));
    events.extend(recorded.into_iter().map(from_regorus));
    if dropped > 0 {
        events.push(TraceEvent {
            op: TraceOp::Note,
            node: format!(
                "trace cut short: {dropped} more events (at most {} are kept)",
                regorus::MAX_TRACE_EVENTS
            ),
            ..query(TraceOp::Note)
        });
    }
    events.push(query(if succeeded {
        TraceOp::Exit
    } else {
        TraceOp::Fail
    }));
    events
}

fn from_regorus(event: regorus::TraceEvent) -> TraceEvent {
    TraceEvent {
        op: event.op,
        query_id: event.query_id,
        parent_id: event.parent_id,
        node: event.node.to_string(),
        location: Some(TraceLocation {
            file: super::testing::lexically_clean(&event.file),
            row: event.row,
            text: event.text.to_string(),
            indent: event.indent.to_string(),
        }),
    }
}

/// The events `keep` selects, each after the bodies it happened in that were entered since
/// the last event kept (OPA's `lineage.Filter`): the context of a failure or a note without
/// the rest of the evaluation.
pub fn lineage(events: &[TraceEvent], keep: impl Fn(&TraceEvent) -> bool) -> Vec<&TraceEvent> {
    let mut entered: std::collections::HashMap<u64, &TraceEvent> = Default::default();
    let mut out = Vec::new();
    for event in events {
        if keep(event) {
            let mut path = vec![event];
            let mut current = entered.get(&event.query_id).copied();
            let mut previous: Option<&TraceEvent> = None;
            while let Some(enter) = current {
                if previous.is_some_and(|p| std::ptr::eq(p, enter)) {
                    break;
                }
                path.push(enter);
                previous = Some(enter);
                current = entered.get(&enter.parent_id).copied();
            }
            out.extend(path.into_iter().rev());
            entered.clear();
        }
        if event.op == TraceOp::Enter {
            entered.insert(event.query_id, event);
        }
    }
    out
}

/// conftest's `--report` kinds: every event (`full`), failures (`fails`) or notes
/// (`notes`), each with its context.
pub fn for_report<'a>(events: &'a [TraceEvent], kind: &str) -> Vec<&'a TraceEvent> {
    match kind {
        "fails" => lineage(events, |e| e.op == TraceOp::Fail),
        "notes" => lineage(events, |e| e.op == TraceOp::Note),
        _ => events.iter().collect(),
    }
}

/// Each event's text, `Enter data.main.deny` or `| | Fail input.kind == "Pod"`, in order.
/// Statements and messages come from the policies, which may come from the scanned
/// repository: each is one line, with its controls escaped and secrets hidden.
pub fn event_lines<'a>(events: impl IntoIterator<Item = &'a TraceEvent>) -> Vec<String> {
    let mut depths: HashMap<u64, usize> = HashMap::new();
    events
        .into_iter()
        .map(|event| {
            let depth = depth_of(&mut depths, event);
            let shown = if event.op == TraceOp::Enter {
                depth
            } else {
                depth + 1
            };
            let pipes = "| ".repeat(shown.saturating_sub(1));
            let node = match event.op {
                TraceOp::Note => redact::go_quoted(&redact::message(&event.node)),
                _ => redact::message(&one_line(&event.node)),
            };
            format!("{pipes}{} {node}", event.op.name())
        })
        .collect()
}

/// OPA's depth: a query is one deeper than the query that entered it; the test's query
/// (0) is at depth 1.
fn depth_of(depths: &mut HashMap<u64, usize>, event: &TraceEvent) -> usize {
    if let Some(depth) = depths.get(&event.query_id) {
        return *depth;
    }
    let depth = if event.query_id == event.parent_id {
        1
    } else {
        depths.get(&event.parent_id).copied().unwrap_or(1) + 1
    };
    depths.insert(event.query_id, depth);
    depth
}

/// A statement written over several lines, on one.
fn one_line(text: &str) -> String {
    if text.contains('\n') {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(op: TraceOp, query_id: u64, parent_id: u64, node: &str) -> TraceEvent {
        TraceEvent {
            op,
            query_id,
            parent_id,
            node: node.to_owned(),
            location: None,
        }
    }

    #[test]
    fn a_failure_comes_with_the_bodies_it_happened_in_once() {
        let events = vec![
            event(TraceOp::Enter, 0, 0, "data.t.test_x = _"),
            event(TraceOp::Enter, 1, 0, "data.t.test_x"),
            event(TraceOp::Eval, 1, 0, "a"),
            event(TraceOp::Enter, 2, 1, "data.t.p"),
            event(TraceOp::Fail, 2, 1, "b"),
            event(TraceOp::Fail, 1, 0, "p"),
            event(TraceOp::Fail, 0, 0, "data.t.test_x = _"),
        ];
        let kept: Vec<(&str, &str)> = lineage(&events, |e| e.op == TraceOp::Fail)
            .iter()
            .map(|e| (e.op.name(), e.node.as_str()))
            .collect();
        assert_eq!(
            kept,
            [
                ("Enter", "data.t.test_x = _"),
                ("Enter", "data.t.test_x"),
                ("Enter", "data.t.p"),
                ("Fail", "b"),
                ("Fail", "p"),
                ("Fail", "data.t.test_x = _"),
            ]
        );
    }

    #[test]
    fn a_full_report_keeps_every_event_and_notes_keep_only_notes_in_context() {
        let events = vec![
            event(TraceOp::Enter, 0, 0, "q"),
            event(TraceOp::Enter, 1, 0, "r"),
            event(TraceOp::Eval, 1, 0, "a"),
            event(TraceOp::Note, 1, 0, "hello"),
            event(TraceOp::Exit, 1, 0, "r"),
        ];
        assert_eq!(for_report(&events, "full").len(), 5);
        let notes: Vec<&str> = for_report(&events, "notes")
            .iter()
            .map(|e| e.node.as_str())
            .collect();
        assert_eq!(notes, ["q", "r", "hello"]);
    }
}
