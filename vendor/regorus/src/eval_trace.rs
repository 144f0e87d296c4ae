// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! An evaluation trace in OPA's vocabulary (`Enter`, `Eval`, `Exit`, `Fail`, `Note`), for
//! the `--trace` and `--explain`/`--report` views that OPA's tools print.
//!
//! The interpreter records an event when it enters a rule body or a function body, when
//! it evaluates a statement, when that statement is false, when a body succeeds and when
//! `trace()` is called. Events carry OPA's query ids: every body entered is a query of its
//! own whose parent is the query that asked for it, so a consumer can compute depths and
//! follow a failure back to the rules it happened in, as OPA's `lineage` does.
//!
//! Rules are evaluated as a whole the first time they are asked for, and the statements
//! shown are the policy's own text: the trace shows what this interpreter did, not the
//! steps (unification, index lookups, redo) of OPA's evaluator.

use crate::lexer::Span;
use crate::Rc;
use alloc::string::String;
use alloc::vec::Vec;

/// What happened at a trace event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceOp {
    /// A rule, function or query body is about to be evaluated.
    Enter,
    /// A statement is about to be evaluated.
    Eval,
    /// A body succeeded.
    Exit,
    /// A statement was false or undefined.
    Fail,
    /// `trace(msg)` was called.
    Note,
}

impl TraceOp {
    /// The operation's name as OPA prints it.
    pub const fn name(self) -> &'static str {
        match self {
            TraceOp::Enter => "Enter",
            TraceOp::Eval => "Eval",
            TraceOp::Exit => "Exit",
            TraceOp::Fail => "Fail",
            TraceOp::Note => "Note",
        }
    }
}

/// One trace event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEvent {
    pub op: TraceOp,
    /// The query (body) the event belongs to; for `Enter`, the body entered.
    pub query_id: u64,
    /// The query that entered `query_id`.
    pub parent_id: u64,
    /// What the event is about: a rule's path (`data.main.deny`) for `Enter` and `Exit`,
    /// a statement's text for `Eval` and `Fail`, the message for `Note`.
    pub node: Rc<str>,
    /// The policy file of the event's location.
    pub file: Rc<str>,
    pub row: u32,
    /// The location's text: the statement, or the first line of the rule (its head).
    pub text: Rc<str>,
    /// The source line before the location's column, each character but a tab made a
    /// space, so the text can be shown where it stands in its line.
    pub indent: Rc<str>,
}

/// The most events one evaluation records: a trace is for reading, and a loop over a large
/// input must not grow it without bound.
pub const MAX_TRACE_EVENTS: usize = 100_000;

/// The events of the evaluation under way and the queries open at this moment.
#[derive(Debug, Clone, Default)]
pub(crate) struct TraceRecorder {
    pub events: Vec<TraceEvent>,
    /// Open queries, innermost last. Empty: events belong to query 0, the caller's.
    open: Vec<u64>,
    last_id: u64,
    /// Events not recorded because the trace was full.
    pub dropped: usize,
}

impl TraceRecorder {
    fn current(&self) -> u64 {
        self.open.last().copied().unwrap_or(0)
    }

    fn push(&mut self, event: TraceEvent) {
        if self.events.len() < MAX_TRACE_EVENTS {
            self.events.push(event);
        } else {
            self.dropped = self.dropped.saturating_add(1);
        }
    }

    /// Records entering a body named `node` defined at `span`, and opens its query.
    pub fn enter(&mut self, node: Rc<str>, span: &Span) {
        self.last_id = self.last_id.saturating_add(1);
        let id = self.last_id;
        let parent = self.current();
        self.push(event(TraceOp::Enter, id, parent, node, first_line(span), span));
        self.open.push(id);
    }

    /// Closes the innermost body, after an `Exit` event when it succeeded.
    pub fn leave(&mut self, node: Rc<str>, span: &Span, succeeded: bool) {
        if succeeded {
            let id = self.current();
            let parent = self.parent_of_current();
            self.push(event(TraceOp::Exit, id, parent, node, first_line(span), span));
        }
        self.open.pop();
    }

    /// Records a note (`trace(msg)`) made at `span` in the current query.
    pub fn note(&mut self, message: Rc<str>, span: &Span) {
        self.in_query(TraceOp::Note, message, first_line(span), span);
    }

    /// Records a statement event (`Eval`, `Fail`) about the statement at `span`, whose
    /// text is both what the event is about and its location's text.
    pub fn statement(&mut self, op: TraceOp, span: &Span) {
        let text: Rc<str> = written_text(span).into();
        self.in_query(op, text.clone(), text, span);
    }

    fn in_query(&mut self, op: TraceOp, node: Rc<str>, text: Rc<str>, span: &Span) {
        let id = self.current();
        let parent = self.parent_of_current();
        self.push(event(op, id, parent, node, text, span));
    }

    fn parent_of_current(&self) -> u64 {
        match self.open.len() {
            0 | 1 => 0,
            n => self.open.get(n.saturating_sub(2)).copied().unwrap_or(0),
        }
    }

    /// Takes the events recorded so far; the queries still open stay open.
    pub fn take(&mut self) -> (Vec<TraceEvent>, usize) {
        let dropped = core::mem::take(&mut self.dropped);
        (core::mem::take(&mut self.events), dropped)
    }
}

fn event(
    op: TraceOp,
    query_id: u64,
    parent_id: u64,
    node: Rc<str>,
    text: Rc<str>,
    span: &Span,
) -> TraceEvent {
    TraceEvent {
        op,
        query_id,
        parent_id,
        node,
        file: span.source.get_path().as_str().into(),
        row: span.line,
        text,
        indent: indent_before(span).into(),
    }
}

/// The first line of the span's text: a rule's head rather than its whole body.
fn first_line(span: &Span) -> Rc<str> {
    span.text().lines().next().unwrap_or("").into()
}

/// The span's text, with the closing quote of a string that ends it: a statement's span
/// ends where its last token's does, and a string token's ends before its closing quote.
fn written_text(span: &Span) -> String {
    let mut text = String::from(span.text());
    let contents = span.source.contents();
    let end = usize::try_from(span.end).unwrap_or(usize::MAX);
    for quote in ['"', '`'] {
        if contents.get(end..).is_some_and(|rest| rest.starts_with(quote))
            && unbalanced(&text, quote)
        {
            text.push(quote);
            break;
        }
    }
    text
}

/// Whether `text` leaves a string opened by `quote` unclosed.
fn unbalanced(text: &str, quote: char) -> bool {
    let mut open = false;
    let mut escaped = false;
    for c in text.chars() {
        match c {
            '\\' if quote == '"' && open && !escaped => {
                escaped = true;
                continue;
            }
            c if c == quote && !escaped => open = !open,
            _ => {}
        }
        escaped = false;
    }
    open
}

/// The part of the span's first line before its column, tabs kept and every other
/// character a space.
fn indent_before(span: &Span) -> String {
    let contents = span.source.contents();
    let start = usize::try_from(span.start).unwrap_or(0).min(contents.len());
    let line_start = contents
        .get(..start)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |at| at.saturating_add(1));
    contents
        .get(line_start..start)
        .unwrap_or("")
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect()
}
