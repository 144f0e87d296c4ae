//! The data `conftest doc -t TEMPLATE` hands a user's Go template: a list of its
//! `document.Section` structs, each holding OPA's `*ast.Annotations` of one METADATA
//! block. Templates read them by their Go field names (`.RegoPackageName`,
//! `.Annotations.Title`, `.Annotations.Custom.severity`), and printing a struct shows what
//! its Go `String` method returns (an annotation's JSON, a location's `file:row`).

use std::collections::BTreeMap;
use std::path::Path;

use regorus::go_template::{GoStruct, GoValue, format_float};

use crate::policy::metadata::{Author, Block, Documented, RelatedResource};

/// One METADATA block to document: the block, its file, its heading depth.
pub struct SectionSource<'a> {
    pub block: &'a Block,
    pub file: &'a Path,
    /// The byte offset of the block's `#` in its file.
    pub offset: usize,
    pub depth: usize,
}

/// The `[]document.Section` conftest executes a template on.
pub fn sections(sources: &[SectionSource]) -> GoValue {
    GoValue::List(sources.iter().map(section).collect())
}

fn section(source: &SectionSource) -> GoValue {
    let block = source.block;
    structure(
        "document.Section",
        None,
        vec![
            ("RegoPackageName", text(&block.path.join("."))),
            ("Depth", int(source.depth)),
            ("MarkdownHeading", text(&"#".repeat(source.depth))),
            ("Annotations", annotations(source)),
        ],
    )
}

fn structure(type_name: &str, shown: Option<String>, fields: Vec<(&str, GoValue)>) -> GoValue {
    GoValue::Struct(Box::new(GoStruct {
        type_name: type_name.to_owned(),
        fields: Some(fields.into_iter().map(|(n, v)| (n.to_owned(), v)).collect()),
        shown,
    }))
}

/// A nil pointer of `type_name`, printed as `shown` (its `String` method's answer) or
/// `<nil>`.
fn nil_pointer(type_name: &str, shown: Option<&str>) -> GoValue {
    GoValue::Struct(Box::new(GoStruct {
        type_name: type_name.to_owned(),
        fields: None,
        shown: shown.map(str::to_owned),
    }))
}

fn text(s: &str) -> GoValue {
    GoValue::Str(s.to_owned())
}

fn int(n: usize) -> GoValue {
    GoValue::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The scope OPA gives a block without one: its package's, or a rule's (`document` for
/// an entrypoint).
fn scope(block: &Block) -> String {
    let a = &block.annotations;
    match &a.scope {
        Some(scope) => scope.clone(),
        None if block.annotates_package => "package".to_owned(),
        None if a.entrypoint => "document".to_owned(),
        None => "rule".to_owned(),
    }
}

fn annotations(source: &SectionSource) -> GoValue {
    let block = source.block;
    let a = &block.annotations;
    let scope = scope(block);
    let resources: Vec<Resource> = a.related_resources.iter().map(Resource::of).collect();
    let authors: Vec<(String, String)> = a.authors.iter().map(author).collect();
    let schemas: Vec<Schema> = a.schemas.iter().filter_map(Schema::of).collect();
    let compile = a.compile.as_ref().map(Compile::of);
    structure(
        "*ast.Annotations",
        Some(annotations_json(
            a,
            &scope,
            &resources,
            &authors,
            &schemas,
            compile.as_ref(),
        )),
        vec![
            ("Scope", text(&scope)),
            ("Title", text(a.title.as_deref().unwrap_or_default())),
            ("Entrypoint", GoValue::Bool(a.entrypoint)),
            (
                "Description",
                text(a.description.as_deref().unwrap_or_default()),
            ),
            (
                "Organizations",
                GoValue::List(a.organizations.iter().map(|o| text(o)).collect()),
            ),
            (
                "RelatedResources",
                GoValue::List(resources.iter().map(Resource::value).collect()),
            ),
            (
                "Authors",
                GoValue::List(authors.iter().map(|(n, e)| author_value(n, e)).collect()),
            ),
            (
                "Schemas",
                GoValue::List(schemas.iter().map(Schema::value).collect()),
            ),
            (
                "Compile",
                match &compile {
                    Some(compile) => compile.value(),
                    None => nil_pointer("*ast.CompileAnnotation", Some("null")),
                },
            ),
            ("Custom", map_value(&a.custom)),
            ("Labels", map_value(&a.labels)),
            ("Location", location(source)),
        ],
    )
}

/// OPA's JSON of the annotations (`(*ast.Annotations).String`): Go's sorted map keys,
/// empty fields left out.
fn annotations_json(
    a: &Documented,
    scope: &str,
    resources: &[Resource],
    authors: &[(String, String)],
    schemas: &[Schema],
    compile: Option<&Compile>,
) -> String {
    let mut fields: BTreeMap<&str, String> = BTreeMap::new();
    fields.insert("scope", json_string(scope));
    if let Some(title) = a.title.as_deref().filter(|t| !t.is_empty()) {
        fields.insert("title", json_string(title));
    }
    if let Some(d) = a.description.as_deref().filter(|d| !d.is_empty()) {
        fields.insert("description", json_string(d));
    }
    if a.entrypoint {
        fields.insert("entrypoint", "true".to_owned());
    }
    if !a.organizations.is_empty() {
        let orgs: Vec<String> = a.organizations.iter().map(|o| json_string(o)).collect();
        fields.insert("organizations", json_list(&orgs));
    }
    if !resources.is_empty() {
        let items: Vec<String> = resources.iter().map(Resource::json).collect();
        fields.insert("related_resources", json_list(&items));
    }
    if !authors.is_empty() {
        let items: Vec<String> = authors.iter().map(|(n, e)| author_json(n, e)).collect();
        fields.insert("authors", json_list(&items));
    }
    if !schemas.is_empty() {
        let items: Vec<String> = schemas.iter().map(Schema::json).collect();
        fields.insert("schemas", json_list(&items));
    }
    if let Some(compile) = compile {
        fields.insert("compile", compile.json());
    }
    if !a.custom.is_empty() {
        fields.insert(
            "custom",
            go_json(&serde_json::Value::Object(a.custom.clone())),
        );
    }
    if !a.labels.is_empty() {
        fields.insert(
            "labels",
            go_json(&serde_json::Value::Object(a.labels.clone())),
        );
    }
    json_object(fields.iter().map(|(k, v)| (*k, v.clone())))
}

/// A `related_resources` entry as OPA keeps it.
struct Resource {
    url: String,
    description: String,
}

impl Resource {
    fn of(resource: &RelatedResource) -> Resource {
        let (url, description) = match resource {
            RelatedResource::Url(url) => (url.as_str(), ""),
            RelatedResource::Described { url, description } => {
                (url.as_str(), description.as_deref().unwrap_or_default())
            }
        };
        Resource {
            url: url.trim().to_owned(),
            description: description.trim().to_owned(),
        }
    }

    fn json(&self) -> String {
        let mut fields = Vec::new();
        if !self.description.is_empty() {
            fields.push(("description", json_string(&self.description)));
        }
        fields.push(("ref", json_string(&self.url)));
        json_object(fields)
    }

    fn value(&self) -> GoValue {
        structure(
            "*ast.RelatedResourceAnnotation",
            Some(self.json()),
            vec![
                ("Ref", url_value(&self.url)),
                ("Description", text(&self.description)),
            ],
        )
    }
}

/// An author's (name, email), split as OPA splits `Name <email>`.
fn author(author: &Author) -> (String, String) {
    match author {
        Author::Parts { name, email } => (
            name.as_deref().unwrap_or_default().trim().to_owned(),
            email.as_deref().unwrap_or_default().trim().to_owned(),
        ),
        Author::Line(line) => {
            let mut words: Vec<&str> = line.split_whitespace().collect();
            let email = match words.last() {
                Some(last) if last.len() >= 2 && last.starts_with('<') && last.ends_with('>') => {
                    let email = last[1..last.len() - 1].to_owned();
                    words.pop();
                    email
                }
                _ => String::new(),
            };
            (words.join(" "), email)
        }
    }
}

fn author_json(name: &str, email: &str) -> String {
    let mut fields = vec![("name", json_string(name))];
    if !email.is_empty() {
        fields.push(("email", json_string(email)));
    }
    json_object(fields)
}

fn author_value(name: &str, email: &str) -> GoValue {
    let shown = match (name.is_empty(), email.is_empty()) {
        (_, true) => name.to_owned(),
        (true, false) => format!("<{email}>"),
        (false, false) => format!("{name} <{email}>"),
    };
    structure(
        "*ast.AuthorAnnotation",
        Some(shown),
        vec![("Name", text(name)), ("Email", text(email))],
    )
}

/// A `schemas` entry: the document's path and a schema's path or a definition.
struct Schema {
    path: String,
    schema: String,
    definition: Option<serde_json::Value>,
}

impl Schema {
    fn of(entry: &serde_json::Map<String, serde_json::Value>) -> Option<Schema> {
        let (path, target) = entry.iter().next()?;
        Some(match target {
            serde_json::Value::String(schema) => Schema {
                path: path.clone(),
                schema: schema.clone(),
                definition: None,
            },
            definition => Schema {
                path: path.clone(),
                schema: String::new(),
                definition: Some(definition.clone()),
            },
        })
    }

    fn json(&self) -> String {
        let mut fields = vec![("path", ref_json(&self.path))];
        if !self.schema.is_empty() {
            fields.push(("schema", ref_json(&self.schema)));
        }
        if let Some(definition) = &self.definition {
            fields.push(("definition", go_json(definition)));
        }
        json_object(fields)
    }

    fn value(&self) -> GoValue {
        structure(
            "*ast.SchemaAnnotation",
            Some(self.json()),
            vec![
                ("Path", text(&self.path)),
                ("Schema", text(&self.schema)),
                (
                    "Definition",
                    match &self.definition {
                        Some(definition) => go_value(definition),
                        None => nil_pointer("*interface {}", None),
                    },
                ),
            ],
        )
    }
}

/// The `compile` annotation: unknowns and a mask rule, as references.
struct Compile {
    unknowns: Vec<String>,
    mask_rule: String,
}

impl Compile {
    fn of(map: &serde_json::Map<String, serde_json::Value>) -> Compile {
        let unknowns = match map.get("unknowns") {
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().unwrap_or_default().to_owned())
                .collect(),
            _ => Vec::new(),
        };
        let mask_rule = map
            .get("mask_rule")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        Compile {
            unknowns,
            mask_rule,
        }
    }

    fn json(&self) -> String {
        let mut fields = Vec::new();
        if !self.unknowns.is_empty() {
            let refs: Vec<String> = self.unknowns.iter().map(|u| ref_json(u)).collect();
            fields.push(("unknowns", json_list(&refs)));
        }
        if !self.mask_rule.is_empty() {
            fields.push(("mask_rule", ref_json(&self.mask_rule)));
        }
        json_object(fields)
    }

    fn value(&self) -> GoValue {
        structure(
            "*ast.CompileAnnotation",
            Some(self.json()),
            vec![
                (
                    "Unknowns",
                    GoValue::List(self.unknowns.iter().map(|u| text(u)).collect()),
                ),
                ("MaskRule", text(&self.mask_rule)),
            ],
        )
    }
}

/// The block's `*location.Location`: file, row and column of `# METADATA`, and the block's
/// text as OPA rebuilds it (`# ` before each YAML line).
fn location(source: &SectionSource) -> GoValue {
    let block = source.block;
    let mut rebuilt = String::from("# METADATA");
    for line in block.yaml.trim_end_matches('\n').split('\n') {
        rebuilt.push_str("\n# ");
        rebuilt.push_str(line);
    }
    let file = source.file.display().to_string();
    structure(
        "*location.Location",
        Some(format!("{file}:{}", block.line)),
        vec![
            ("Text", GoValue::Bytes(rebuilt.into_bytes())),
            ("File", text(&file)),
            ("Row", int(block.line)),
            ("Col", int(block.column)),
            ("Offset", int(source.offset)),
            ("Tabs", GoValue::List(Vec::new())),
        ],
    )
}

/// A related resource's `url.URL`, split into Go's fields.
fn url_value(url: &str) -> GoValue {
    let (rest, fragment) = url.split_once('#').unwrap_or((url, ""));
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (scheme, rest) = match rest.split_once(':') {
        Some((scheme, after))
            if scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            (scheme.to_ascii_lowercase(), after)
        }
        _ => (String::new(), rest),
    };
    let (opaque, host, path) = match rest.strip_prefix("//") {
        Some(authority_and_path) => {
            let split = authority_and_path
                .find('/')
                .unwrap_or(authority_and_path.len());
            let (authority, path) = authority_and_path.split_at(split);
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            ("", host, path)
        }
        None if !scheme.is_empty() && !rest.starts_with('/') => (rest, "", ""),
        None => ("", "", rest),
    };
    structure(
        "url.URL",
        Some(url.to_owned()),
        vec![
            ("Scheme", text(&scheme)),
            ("Opaque", text(opaque)),
            ("User", nil_pointer("*url.Userinfo", None)),
            ("Host", text(host)),
            ("Path", text(path)),
            ("RawPath", text("")),
            ("OmitHost", GoValue::Bool(false)),
            ("ForceQuery", GoValue::Bool(false)),
            ("RawQuery", text(query)),
            ("Fragment", text(fragment)),
            ("RawFragment", text("")),
        ],
    )
}

/// A `map[string]any` decoded from YAML the way OPA decodes it (through JSON).
fn map_value(map: &serde_json::Map<String, serde_json::Value>) -> GoValue {
    GoValue::Map(map.iter().map(|(k, v)| (k.clone(), go_value(v))).collect())
}

/// A JSON value as Go's `encoding/json` decodes it into `any`: every number a float64.
fn go_value(value: &serde_json::Value) -> GoValue {
    match value {
        serde_json::Value::Null => GoValue::Nil,
        serde_json::Value::Bool(b) => GoValue::Bool(*b),
        serde_json::Value::Number(n) => GoValue::Float(n.as_f64().unwrap_or_default()),
        serde_json::Value::String(s) => text(s),
        serde_json::Value::Array(items) => GoValue::List(items.iter().map(go_value).collect()),
        serde_json::Value::Object(map) => map_value(map),
    }
}

/// Go's `json.Marshal` of a decoded value: sorted keys, float64 numbers, HTML-safe.
fn go_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "null".to_owned(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => json_float(n.as_f64().unwrap_or_default()),
        serde_json::Value::String(s) => json_string(s),
        serde_json::Value::Array(items) => {
            json_list(&items.iter().map(go_json).collect::<Vec<_>>())
        }
        serde_json::Value::Object(map) => {
            let sorted: BTreeMap<&str, String> =
                map.iter().map(|(k, v)| (k.as_str(), go_json(v))).collect();
            json_object(sorted)
        }
    }
}

/// `encoding/json`'s float64: exponent form below 1e-6 and from 1e21 on (`1e+23`,
/// `1e-7`), plain decimals between.
fn json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let scientific = format_float(f);
        match scientific.split_once("e-0") {
            Some((mantissa, exponent)) => format!("{mantissa}e-{exponent}"),
            None => scientific,
        }
    } else {
        f.to_string()
    }
}

/// A reference (`schema.input`) as OPA's JSON of its terms: a variable, then strings.
fn ref_json(reference: &str) -> String {
    let terms: Vec<String> = reference
        .split('.')
        .enumerate()
        .map(|(i, part)| {
            let kind = if i == 0 { "var" } else { "string" };
            json_object([("type", json_string(kind)), ("value", json_string(part))])
        })
        .collect();
    json_list(&terms)
}

fn json_list(items: &[String]) -> String {
    format!("[{}]", items.join(","))
}

fn json_object<'k>(fields: impl IntoIterator<Item = (&'k str, String)>) -> String {
    let fields: Vec<String> = fields
        .into_iter()
        .map(|(k, v)| format!("{}:{v}", json_string(k)))
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// A JSON string as Go writes it: `<`, `>` and `&` escaped for HTML, as are U+2028/9.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
