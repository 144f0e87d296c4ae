//! Dockerfile → the instructions policies see, as conftest's JSON document.
//!
//! The document is conftest's: an array of instruction objects with `Cmd` (lower-case),
//! `SubCmd`, `JSON`, `Flags`, `Value` and `Stage`, built with BuildKit's line and word rules
//! so conftest policies run unchanged (including its `comment` entries). Each object also
//! carries `Original`, `StartLine` and `EndLine`; heredoc instructions carry `Heredocs`; and
//! `FROM` carries the base image with ARG defaults expanded (`Image`, `ImageResolved`) and
//! parsed (`ImageRef`), its `StageName` and the `BaseStage` it builds on when it names an
//! earlier stage; ENV, LABEL and ARG (and their ONBUILD forms) carry their key/value
//! `Pairs`, each value also `expanded` in its scope (`scope.rs`); USER carries `User`, its
//! value expanded; COPY/ADD `--from` and RUN `--mount=...,from=` naming an image (not a
//! stage) carry `Images`.
//!
//! Why our own reader: neither crate available does the job (see README, "Design notes"):
//! `dockerfile-parser` 0.9 rejects heredocs and `# escape=`, and `parse-dockerfile` 0.1.9
//! rejects `ENTRYPOINT []` (valid, 48 files of the corpus) and every heredoc that is not
//! the first word (`RUN cat <<EOF > f`, `RUN python3 <<EOF`). Neither exposes BuildKit's
//! `Value` splitting, which conftest compatibility needs anyway.

mod expand;
mod instruction;
mod pulled;
mod scope;
mod words;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::LazyLock;

use serde_json::Value;

pub use expand::{
    Budget, ExpandError, Expanded, Lookup, MAX_DEPTH, MAX_FILE_GROWTH, MAX_VALUE_GROWTH, Variables,
    expand, expand_in,
};
pub use instruction::{Base, Heredoc, Instruction, Pair, PulledImage, to_json};
use scope::{NoVariables, StageScope};

/// A Dockerfile that Docker itself would refuse, with the 1-based line of the problem.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("line {line}: {message}")]
pub struct DockerfileError {
    pub line: usize,
    pub message: String,
}

fn err<T>(line: usize, message: impl Into<String>) -> Result<T, DockerfileError> {
    Err(DockerfileError {
        line,
        message: message.into(),
    })
}

/// Options that change how a Dockerfile reads, as `docker build` flags would.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--build-arg KEY=VALUE`: overrides the default of a declared `ARG`.
    pub build_args: HashMap<String, String>,
}

/// Instructions BuildKit knows, in lower case.
const INSTRUCTIONS: &[&str] = &[
    "add",
    "arg",
    "cmd",
    "copy",
    "entrypoint",
    "env",
    "expose",
    "from",
    "healthcheck",
    "label",
    "maintainer",
    "onbuild",
    "run",
    "shell",
    "stopsignal",
    "user",
    "volume",
    "workdir",
];

/// One logical line: the joined instruction text and where it sits in the file.
struct Logical {
    text: String,
    start: usize,
    end: usize,
    comments: Vec<(usize, String)>,
    heredocs: Vec<Heredoc>,
}

/// Parses a Dockerfile into conftest's instructions (`to_json` gives the array).
pub fn parse(text: &str, options: &Options) -> Result<Vec<Instruction>, DockerfileError> {
    // An error quotes the file (a word of it, or the line upper-cased): the secret values
    // in the file are hidden from its message here, where the file is known; every
    // report redacts the message again.
    parse_text(text, options).map_err(|e| DockerfileError {
        message: crate::redact::hide_values_of(text, e.line, &e.message),
        ..e
    })
}

/// Most instructions one Dockerfile may have. Each can give a finding per practice, and a
/// finding costs kilobytes in the report: a 700 KB file of 60,000 one-line stages needs
/// some 730 MB, so the 16 MiB size limit alone would allow gigabytes. Real Dockerfiles
/// have a few hundred lines at most.
pub const MAX_INSTRUCTIONS: usize = 10_000;

fn parse_text(text: &str, options: &Options) -> Result<Vec<Instruction>, DockerfileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let (escape, directive_lines) = read_directives(&lines)?;
    let logical = logical_lines(&lines, escape, directive_lines)?;
    if logical.is_empty() {
        return err(
            1,
            "the Dockerfile has no instructions (Docker refuses to build it)",
        );
    }
    if let Some(over) = logical.get(MAX_INSTRUCTIONS) {
        return err(
            over.start,
            format!(
                "more than {MAX_INSTRUCTIONS} instructions (dockpolicy's limit; real \
                 Dockerfiles have hundreds)"
            ),
        );
    }
    Builder::new(&lines, escape, options, &logical).build(logical)
}

/// Reads the parser directives at the top of the file; returns the escape token and how
/// many leading lines were directives (BuildKit keeps those out of the comments).
fn read_directives(lines: &[&str]) -> Result<(char, usize), DockerfileError> {
    let mut escape = '\\';
    let mut seen: Vec<String> = Vec::new();
    for (idx, raw) in lines.iter().enumerate() {
        let Some((key, value)) = directive(raw.trim_start()) else {
            break;
        };
        if !matches!(key.as_str(), "syntax" | "escape" | "check") {
            break;
        }
        if seen.contains(&key) {
            return err(
                idx + 1,
                format!("only one {key} parser directive can be used"),
            );
        }
        if key == "escape" {
            escape = match value.as_str() {
                "\\" => '\\',
                "`" => '`',
                other => {
                    return err(
                        idx + 1,
                        format!("invalid escape token '{other}' does not match ^[\\\\`]$"),
                    );
                }
            };
        }
        seen.push(key);
    }
    Ok((escape, seen.len()))
}

/// Matches `#[ \t]*name[ \t]*=[ \t]*value`, returning the lower-cased name and value.
fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('#')?.trim_start_matches([' ', '\t']);
    let name_len = rest
        .char_indices()
        .take_while(|&(i, c)| {
            if i == 0 {
                c.is_ascii_alphabetic()
            } else {
                c.is_ascii_alphanumeric()
            }
        })
        .count();
    if name_len == 0 {
        return None;
    }
    let value = rest[name_len..]
        .trim_start_matches([' ', '\t'])
        .strip_prefix('=')?
        .trim_matches([' ', '\t']);
    if value.is_empty() {
        return None;
    }
    Some((rest[..name_len].to_ascii_lowercase(), value.to_owned()))
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Strips a trailing escape token (and the blanks after it); returns whether it continues.
/// An escaped escape token (`echo a\\`) does not continue the line, as in BuildKit.
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    match trimmed.strip_suffix(escape) {
        Some(rest) if !rest.ends_with(escape) || rest.is_empty() => (rest, true),
        _ => (line, false),
    }
}

/// Joins continuation lines, collects comments and heredoc bodies, as BuildKit does.
fn logical_lines(
    lines: &[&str],
    escape: char,
    directive_lines: usize,
) -> Result<Vec<Logical>, DockerfileError> {
    let mut out = Vec::new();
    let mut comments: Vec<(usize, String)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let start = i + 1;
        i += 1;
        if is_comment(raw) {
            if start > directive_lines {
                note_comment(&mut comments, raw, start);
            }
            continue;
        }
        let Some(text) = joined_line(lines, &mut i, raw, escape) else {
            continue;
        };
        let mut logical = Logical {
            text,
            start,
            end: i,
            comments: std::mem::take(&mut comments),
            heredocs: Vec::new(),
        };
        for (name, expand, chomp) in heredoc_markers(&logical.text, escape)? {
            let first_line = i + 1;
            let Some(content) = heredoc_body(lines, &mut i, &name, chomp) else {
                return err(
                    logical.start,
                    format!("unterminated heredoc: no line '{name}' closes it"),
                );
            };
            logical.heredocs.push(Heredoc {
                name,
                content,
                expand,
                chomp,
                lines: first_line..=i,
            });
        }
        logical.end = i;
        out.push(logical);
    }
    Ok(out)
}

/// Keeps a comment line for the instruction that follows it; an empty comment drops the
/// ones kept so far, as BuildKit does.
fn note_comment(comments: &mut Vec<(usize, String)>, raw: &str, line: usize) {
    // BuildKit drops the line's first byte and trims: "  # x" keeps its "#".
    let text = raw.get(1..).unwrap_or("").trim();
    if text.is_empty() {
        comments.clear();
    } else {
        comments.push((line, text.to_owned()));
    }
}

/// The instruction that starts with `raw`, its continuation lines joined (comments and
/// blank lines among them skipped); `None` for a blank line. `i` moves past the lines
/// joined.
fn joined_line(lines: &[&str], i: &mut usize, raw: &str, escape: char) -> Option<String> {
    let first = raw.trim_start();
    let (first, mut continues) = trim_continuation(first, escape);
    if !continues && first.trim().is_empty() {
        return None;
    }
    let mut text = first.to_owned();
    while continues && *i < lines.len() {
        let next = lines[*i];
        *i += 1;
        if is_comment(next) || next.trim().is_empty() {
            continue;
        }
        let (part, more) = trim_continuation(next, escape);
        text.push_str(part);
        continues = more;
    }
    Some(text)
}

/// A heredoc's content: the lines from `i` up to the one that names it (tabs stripped
/// first with `<<-`), each ending in a newline; `None` when no line closes it. `i` moves
/// past the closing line.
fn heredoc_body(lines: &[&str], i: &mut usize, name: &str, chomp: bool) -> Option<String> {
    let mut content = String::new();
    while *i < lines.len() {
        let line = lines[*i];
        *i += 1;
        let candidate = if chomp {
            line.trim_start_matches('\t')
        } else {
            line
        };
        if candidate == name {
            return Some(content);
        }
        content.push_str(line);
        content.push('\n');
    }
    None
}

/// Heredoc markers (`<<EOF`, `<<-EOF`, `<<'EOF'`, `2<<EOF`) on a RUN/COPY/ADD line.
fn heredoc_markers(line: &str, escape: char) -> Result<Vec<(String, bool, bool)>, DockerfileError> {
    let (mut cmd, mut rest) = words::split_once_ws(line.trim());
    if cmd.eq_ignore_ascii_case("onbuild") {
        // ONBUILD RUN <<EOF: the heredoc belongs to the wrapped instruction.
        (cmd, rest) = words::split_once_ws(rest);
    }
    if !matches!(cmd.to_ascii_lowercase().as_str(), "run" | "copy" | "add") {
        return Ok(Vec::new());
    }
    let (_, args) = words::extract_flags(rest, escape);
    if args.trim_start().starts_with('[') && json_array(args).is_some() {
        return Ok(Vec::new());
    }
    let mut markers = Vec::new();
    for word in words::shell_words(line, true) {
        let digits = word.chars().take_while(char::is_ascii_digit).count();
        let Some(after) = word[digits..].strip_prefix("<<") else {
            continue;
        };
        let (chomp, name_raw) = match after.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, after),
        };
        if name_raw.is_empty() || name_raw.contains('<') {
            continue;
        }
        let cooked = words::shell_words(name_raw, false);
        let raw = words::shell_words(name_raw, true);
        if cooked.len() != 1 || raw.len() != 1 {
            continue;
        }
        let quotes = |s: &str| s.chars().filter(|&c| c == '\'' || c == '"').count();
        let expand = quotes(&cooked[0]) == quotes(&raw[0]);
        markers.push((cooked[0].clone(), expand, chomp));
    }
    Ok(markers)
}

/// Parses a JSON array of strings (exec form). `None` when the text is not JSON at all;
/// `Some(Err(()))` when it is JSON but not an array of strings.
fn json_array(text: &str) -> Option<Result<Vec<String>, ()>> {
    let text = text.trim_start();
    if !text.starts_with('[') {
        return None;
    }
    let parsed: Vec<Value> = serde_json::from_str(text).ok()?;
    Some(
        parsed
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(()),
            })
            .collect(),
    )
}

/// What one instruction's arguments parsed into.
struct Args {
    value: Vec<String>,
    json: bool,
}

/// The arguments of `cmd` by BuildKit's dispatch table.
fn parse_args(cmd: &str, rest: &str, escape: char, line: usize) -> Result<Args, DockerfileError> {
    let plain = |value| Ok(Args { value, json: false });
    if rest.is_empty() {
        return plain(Vec::new());
    }
    let maybe_json = |list: bool| -> Result<Args, DockerfileError> {
        match json_array(rest) {
            Some(Ok(value)) => Ok(Args { value, json: true }),
            Some(Err(())) => err(
                line,
                format!("{}: not a JSON array of strings", cmd.to_uppercase()),
            ),
            None if list => plain(words::split_whitespace(rest)),
            None => plain(vec![rest.to_owned()]),
        }
    };
    match cmd {
        "run" | "cmd" | "entrypoint" | "shell" => maybe_json(false),
        "add" | "copy" | "volume" => maybe_json(true),
        "from" | "expose" => plain(words::split_whitespace(rest)),
        "user" | "workdir" | "maintainer" | "stopsignal" => plain(vec![rest.to_owned()]),
        "arg" => plain(words::parse_words(rest, escape)),
        "env" | "label" => {
            name_values(cmd, rest, escape, line).map(|value| Args { value, json: false })
        }
        "healthcheck" => {
            let (kind, tail) = words::split_once_ws(rest);
            let mut value = vec![kind.to_owned()];
            let mut json = false;
            if !tail.is_empty() {
                let inner = parse_args("cmd", tail, escape, line)?;
                json = inner.json;
                value.extend(inner.value);
            }
            Ok(Args { value, json })
        }
        _ => plain(Vec::new()),
    }
}

/// ENV and LABEL: `k=v ...` gives `[k, v, "=", ...]`; legacy `k v` gives `[k, v, ""]`.
fn name_values(
    cmd: &str,
    rest: &str,
    escape: char,
    line: usize,
) -> Result<Vec<String>, DockerfileError> {
    let words = words::parse_words(rest, escape);
    let Some(first) = words.first() else {
        return Ok(Vec::new());
    };
    if !first.contains('=') {
        let (name, value) = words::split_once_ws(rest);
        if value.is_empty() {
            return err(
                line,
                format!("{} must have two arguments", cmd.to_uppercase()),
            );
        }
        return Ok(vec![name.to_owned(), value.to_owned(), String::new()]);
    }
    let mut out = Vec::with_capacity(words.len() * 3);
    for word in &words {
        let Some((name, value)) = word.split_once('=') else {
            return err(
                line,
                format!("Syntax error - can't find = in {word:?}. Must be of the form: name=value"),
            );
        };
        out.extend([name.to_owned(), value.to_owned(), "=".to_owned()]);
    }
    Ok(out)
}

/// Checks arity the way BuildKit's instruction parser does.
fn check_arity(cmd: &str, args: &Args, line: usize) -> Result<(), DockerfileError> {
    let upper = cmd.to_uppercase();
    let n = args.value.len();
    match cmd {
        "env" | "label" | "expose" | "volume" | "arg" | "healthcheck" | "onbuild" if n == 0 => {
            err(line, format!("{upper} requires at least one argument"))
        }
        "add" | "copy" if n < 2 => err(line, format!("{upper} requires at least two arguments")),
        "user" | "workdir" | "maintainer" | "stopsignal" if n != 1 => {
            err(line, format!("{upper} requires exactly one argument"))
        }
        "shell" if !args.json => err(line, "SHELL requires the arguments to be in JSON form"),
        "shell" if n == 0 => err(line, "SHELL requires at least one argument"),
        "healthcheck" => {
            let kind = args.value[0].to_uppercase();
            match kind.as_str() {
                "NONE" if n == 1 => Ok(()),
                "NONE" => err(line, "HEALTHCHECK NONE takes no arguments"),
                "CMD" if n >= 2 => Ok(()),
                "CMD" => err(line, "Missing command after HEALTHCHECK CMD"),
                _ => err(
                    line,
                    format!("Unknown type {kind:?} in HEALTHCHECK (try CMD)"),
                ),
            }
        }
        _ => Ok(()),
    }
}

/// Assembles instruction objects, tracking stages and global ARGs.
struct Builder<'a> {
    lines: &'a [&'a str],
    escape: char,
    options: &'a Options,
    out: Vec<Instruction>,
    stage: Option<usize>,
    /// Each named stage's index. A map, not a list searched at every FROM: a file of 100,000
    /// one-line stages must not cost 100,000² comparisons (found by the fuzz target).
    stage_names: HashMap<String, usize>,
    /// How many FROM instructions have been read.
    stages: usize,
    /// The platform ARGs until a global ARG or a `--build-arg` changes them: most
    /// Dockerfiles never do, and share one copy.
    global_args: Cow<'static, HashMap<String, String>>,
    /// What expansion may still add to this file's values.
    budget: Budget,
    /// The variables of the stage being read.
    scope: StageScope,
    /// Every stage name of the file, lower case: a `--from` naming one is no image.
    all_stage_names: HashSet<String>,
}

/// What an instruction's values are in its scope: see `Instruction`'s fields.
#[derive(Default)]
struct Scoped {
    expanded: Vec<Option<Expanded>>,
    user: Option<Expanded>,
    images: Vec<PulledImage>,
}

/// Expands `word` in a stage, where a value over the caps is not an error but unknown:
/// the caps are what stop hostile files, and a stage's values never decide whether the
/// file reads.
fn expand_lenient(word: &str, vars: &dyn Variables, escape: char, budget: &mut Budget) -> Expanded {
    expand_in(word, vars, escape, budget).unwrap_or_else(|_| Expanded {
        value: word.to_owned(),
        resolved: false,
    })
}

/// The key and the value as written (quotes kept) of each pair of an ENV, LABEL or ARG
/// `Value`, in `Instruction::pairs` order; the value is `None` for an ARG without one.
fn raw_pairs<'v>(kind: &str, value: &'v [String]) -> Vec<(&'v str, Option<&'v str>)> {
    if kind.eq_ignore_ascii_case("arg") {
        value
            .iter()
            .map(|word| match word.split_once('=') {
                Some((key, v)) => (key, Some(v)),
                None => (word.as_str(), None),
            })
            .collect()
    } else {
        value
            .chunks(3)
            .filter(|triple| triple.len() > 1)
            .map(|triple| (instruction::unquote(&triple[0]), Some(triple[1].as_str())))
            .collect()
    }
}

/// The names every ARG of the file declares (with the platform ARGs), and every stage
/// name, lower case: both are known before the instructions that use them are read.
fn declared_names(logical: &[Logical], escape: char) -> (HashSet<String>, HashSet<String>) {
    let mut args: HashSet<String> = PLATFORM_ARGS.keys().cloned().collect();
    let mut stages = HashSet::new();
    for l in logical {
        let (word, rest) = words::split_once_ws(l.text.trim());
        if word.eq_ignore_ascii_case("arg") {
            for w in words::parse_words(rest, escape) {
                let name = w.split_once('=').map_or(w.as_str(), |(n, _)| n);
                args.insert(name.to_owned());
            }
        } else if word.eq_ignore_ascii_case("from")
            && let [_, kw, name] = words::split_whitespace(rest).as_slice()
            && kw.eq_ignore_ascii_case("as")
        {
            stages.insert(name.to_lowercase());
        }
    }
    (args, stages)
}

/// BuildKit defines the platform ARGs in the global scope automatically. We assume a
/// linux/amd64 build; `--build-arg` overrides these like any other ARG.
static PLATFORM_ARGS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    [
        ("TARGETPLATFORM", "linux/amd64"),
        ("TARGETOS", "linux"),
        ("TARGETARCH", "amd64"),
        ("TARGETVARIANT", ""),
        ("BUILDPLATFORM", "linux/amd64"),
        ("BUILDOS", "linux"),
        ("BUILDARCH", "amd64"),
        ("BUILDVARIANT", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
});

impl<'a> Builder<'a> {
    fn new(lines: &'a [&'a str], escape: char, options: &'a Options, logical: &[Logical]) -> Self {
        let (arg_names, all_stage_names) = declared_names(logical, escape);
        let mut global_args = Cow::Borrowed(&*PLATFORM_ARGS);
        for (k, v) in &options.build_args {
            if global_args.contains_key(k) {
                global_args.to_mut().insert(k.clone(), v.clone());
            }
        }
        Self {
            lines,
            escape,
            options,
            out: Vec::new(),
            stage: None,
            stage_names: HashMap::new(),
            stages: 0,
            global_args,
            budget: Budget::default(),
            scope: StageScope::new(arg_names),
            all_stage_names,
        }
    }

    fn build(mut self, logical: Vec<Logical>) -> Result<Vec<Instruction>, DockerfileError> {
        for l in logical {
            self.instruction(l)?;
        }
        if self.stage.is_none() {
            return err(
                1,
                "the Dockerfile has no FROM instruction: no stages to build",
            );
        }
        Ok(self.out)
    }

    fn original(&self, start: usize, end: usize) -> String {
        self.lines[start - 1..end].join("\n")
    }

    fn instruction(&mut self, l: Logical) -> Result<(), DockerfileError> {
        let line = l.start;
        let (word, rest) = words::split_once_ws(l.text.trim());
        let cmd = word.to_lowercase();
        if !INSTRUCTIONS.contains(&cmd.as_str()) {
            return err(
                line,
                format!("unknown instruction: {}", word.to_uppercase()),
            );
        }
        let stage = self.enter_stage(&cmd, line)?;
        self.push_comments(&l.comments, stage);
        let (flags, rest) = words::extract_flags(rest, self.escape);
        let (sub_cmd, args) = if cmd == "onbuild" {
            self.onbuild(rest, line)?
        } else {
            let args = parse_args(&cmd, rest, self.escape, line)?;
            check_arity(&cmd, &args, line)?;
            (String::new(), args)
        };
        let mut from = None;
        let scoped = match cmd.as_str() {
            "from" => {
                from = Some(self.from(&args.value, line)?);
                Scoped::default()
            }
            "arg" if self.stage.is_none() => Scoped {
                expanded: self.global_arg(&args.value, line)?,
                ..Scoped::default()
            },
            "onbuild" => Scoped {
                expanded: self.trigger_pairs(&sub_cmd, &args.value),
                ..Scoped::default()
            },
            _ => self.in_stage(&cmd, &args.value, &flags),
        };
        self.out.push(Instruction {
            original: self.original(l.start, l.end),
            cmd,
            sub_cmd,
            json: args.json,
            flags,
            value: args.value,
            stage,
            start_line: l.start,
            end_line: l.end,
            heredocs: l.heredocs,
            from,
            expanded: scoped.expanded,
            user: scoped.user,
            images: scoped.images,
        });
        Ok(())
    }

    /// The stage an instruction belongs to: `FROM` starts the next one; before the first,
    /// only `ARG` may appear.
    fn enter_stage(&mut self, cmd: &str, line: usize) -> Result<usize, DockerfileError> {
        if cmd == "from" {
            self.stage = Some(self.stage.map_or(0, |s| s + 1));
        } else if self.stage.is_none() && cmd != "arg" {
            return err(
                line,
                format!(
                    "{} before the first FROM: no build stage in current context",
                    cmd.to_uppercase()
                ),
            );
        }
        Ok(self.stage.unwrap_or(0))
    }

    /// The comments above an instruction, each as a `comment` instruction of its stage.
    fn push_comments(&mut self, comments: &[(usize, String)], stage: usize) {
        for (comment_line, text) in comments {
            self.out.push(Instruction {
                cmd: "comment".into(),
                sub_cmd: String::new(),
                json: false,
                flags: Vec::new(),
                value: vec![text.clone()],
                stage,
                original: self.lines[comment_line - 1].trim().to_owned(),
                start_line: *comment_line,
                end_line: *comment_line,
                heredocs: Vec::new(),
                from: None,
                expanded: Vec::new(),
                user: None,
                images: Vec::new(),
            });
        }
    }

    fn onbuild(&self, rest: &str, line: usize) -> Result<(String, Args), DockerfileError> {
        let (word, inner_rest) = words::split_once_ws(rest.trim());
        let inner = word.to_lowercase();
        match inner.as_str() {
            "" => return err(line, "ONBUILD requires at least one argument"),
            "onbuild" => return err(line, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
            "from" | "maintainer" => {
                return err(
                    line,
                    format!(
                        "{} isn't allowed as an ONBUILD trigger",
                        inner.to_uppercase()
                    ),
                );
            }
            i if !INSTRUCTIONS.contains(&i) => {
                return err(
                    line,
                    format!("unknown instruction: {}", word.to_uppercase()),
                );
            }
            _ => {}
        }
        let (_, inner_args) = words::extract_flags(inner_rest, self.escape);
        let args = parse_args(&inner, inner_args, self.escape, line)?;
        check_arity(&inner, &args, line)?;
        // conftest reports the wrapped instruction as written (`RUN`), unlike `Cmd`.
        Ok((word.to_owned(), args))
    }

    /// Records global ARG defaults (and `--build-arg` overrides) for FROM expansion and
    /// the stages that re-declare them; returns each default expanded.
    fn global_arg(
        &mut self,
        value: &[String],
        line: usize,
    ) -> Result<Vec<Option<Expanded>>, DockerfileError> {
        let mut expanded = Vec::with_capacity(value.len());
        for word in value {
            let (name, default) = match word.split_once('=') {
                Some((n, d)) => (n.to_owned(), Some(d)),
                None => (word.clone(), None),
            };
            let overridden = self.options.build_args.get(&name);
            // A default over the caps refuses the file only when the build would use it.
            let default = match default.map(|d| self.expand(d, line)) {
                Some(Err(_)) if overridden.is_some() => Some(Expanded {
                    value: String::new(),
                    resolved: false,
                }),
                other => other.transpose()?,
            };
            if let Some(v) = overridden {
                self.global_args.to_mut().insert(name, v.clone());
            } else if let Some(d) = &default {
                self.global_args.to_mut().insert(name, d.value.clone());
            }
            expanded.push(default);
        }
        Ok(expanded)
    }

    /// The scoped values of an instruction inside a stage; ENV and ARG also change the
    /// scope for the instructions after them.
    fn in_stage(&mut self, cmd: &str, value: &[String], flags: &[String]) -> Scoped {
        let mut scoped = Scoped::default();
        match cmd {
            "env" | "label" | "arg" => {
                let pairs = raw_pairs(cmd, value);
                // Every value is expanded in the scope before the instruction, as BuildKit
                // does (`ENV A=1 B=$A` gives B the A from before).
                for (_, raw) in &pairs {
                    let e =
                        raw.map(|w| expand_lenient(w, &self.scope, self.escape, &mut self.budget));
                    scoped.expanded.push(e);
                }
                for ((key, _), e) in pairs.iter().zip(&scoped.expanded) {
                    let known = e
                        .as_ref()
                        .and_then(|e| e.resolved.then(|| Rc::from(&*e.value)));
                    match cmd {
                        "env" => self.scope.set_env(key, known),
                        "arg" => {
                            let binding = self.arg_binding(key, e.is_some(), known);
                            self.scope.declare_arg(key, binding);
                        }
                        _ => {}
                    }
                }
            }
            "user" => {
                scoped.user = value
                    .first()
                    .map(|w| expand_lenient(w, &self.scope, self.escape, &mut self.budget));
            }
            "copy" | "add" | "run" => scoped.images = self.pulled_images(cmd, flags),
            _ => {}
        }
        scoped
    }

    /// An ARG's value in its stage: `--build-arg` first, then the stage's own default,
    /// then (for `ARG NAME` alone) the global default.
    fn arg_binding(
        &self,
        name: &str,
        has_default: bool,
        default: scope::Binding,
    ) -> scope::Binding {
        if let Some(v) = self.options.build_args.get(name) {
            return Some(Rc::from(v.as_str()));
        }
        if has_default {
            return default;
        }
        self.global_args.get(name).map(|v| Rc::from(v.as_str()))
    }

    /// ONBUILD ENV/LABEL/ARG values: a trigger runs in each child build, whose variables
    /// this file cannot know, so only literal text (and defaults) resolve.
    fn trigger_pairs(&mut self, sub_cmd: &str, value: &[String]) -> Vec<Option<Expanded>> {
        let kind = sub_cmd.to_ascii_lowercase();
        if !matches!(kind.as_str(), "env" | "label" | "arg") {
            return Vec::new();
        }
        raw_pairs(&kind, value)
            .into_iter()
            .map(|(_, raw)| {
                raw.map(|w| expand_lenient(w, &NoVariables, self.escape, &mut self.budget))
            })
            .collect()
    }

    /// The images (not stages) the flags of a COPY, ADD or RUN pull.
    fn pulled_images(&mut self, cmd: &str, flags: &[String]) -> Vec<PulledImage> {
        let mut images = Vec::new();
        for (flag, reference) in pulled::source_flags(cmd, flags) {
            let e = expand_lenient(reference, &self.scope, self.escape, &mut self.budget);
            if e.value.is_empty() || pulled::names_a_stage(&e.value, &self.all_stage_names) {
                continue;
            }
            images.push(PulledImage {
                image: e.value,
                image_resolved: e.resolved,
                flag: flag.to_owned(),
            });
        }
        images
    }

    /// Expands one word with the global ARGs, within this file's caps.
    fn expand(&mut self, word: &str, line: usize) -> Result<Expanded, DockerfileError> {
        expand_in(word, &*self.global_args, self.escape, &mut self.budget)
            .or_else(|e| err(line, e.to_string()))
    }

    fn from(&mut self, value: &[String], line: usize) -> Result<Base, DockerfileError> {
        let name = match value {
            [_] => None,
            [_, kw, name] if kw.eq_ignore_ascii_case("as") => Some(name.to_lowercase()),
            [_, kw, _] => return err(line, format!("FROM: expected 'AS' keyword but got {kw:?}")),
            _ => return err(line, "FROM requires either one or three arguments"),
        };
        if let Some(n) = &name {
            let valid = n.starts_with(|c: char| c.is_ascii_lowercase())
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c));
            if !valid {
                return err(
                    line,
                    format!(
                        "invalid name for build stage: {n:?}, name can't start with a number or contain symbols"
                    ),
                );
            }
            if self.stage_names.contains_key(n) {
                return err(line, format!("duplicate stage name {n:?}"));
            }
        }
        let image = self.expand(&value[0], line)?;
        let lower = image.value.to_lowercase();
        let base_stage = self.stage_names.get(&lower).copied();
        if let Some(n) = &name {
            self.stage_names.insert(n.clone(), self.stages);
        }
        self.stages += 1;
        self.scope.start_stage(base_stage);
        Ok(Base {
            image: image.value,
            image_resolved: image.resolved,
            stage_name: name,
            base_stage,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse_ok(text: &str) -> Vec<Value> {
        match parse(text, &Options::default()).map(|i| to_json(&i)) {
            Ok(Value::Array(a)) => a,
            other => panic!("unexpected: {other:?}"),
        }
    }

    #[test]
    fn continuation_lines_join_like_buildkit() {
        let doc = parse_ok("FROM alpine\nRUN apk add \\\n  # a comment\n    curl \\\n\n    git\n");
        assert_eq!(doc[1]["Value"], json!(["apk add     curl     git"]));
        assert_eq!(doc[1]["StartLine"], json!(2));
        assert_eq!(doc[1]["EndLine"], json!(6));
    }

    #[test]
    fn errors_carry_the_line() {
        let e = parse("FROM a\nFOO bar\n", &Options::default()).unwrap_err();
        assert_eq!(
            e,
            DockerfileError {
                line: 2,
                message: "unknown instruction: FOO".into()
            }
        );
    }
}
