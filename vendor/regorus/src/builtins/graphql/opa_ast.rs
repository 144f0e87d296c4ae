// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! A GraphQL document in the shape OPA gives it: gqlparser's Go structs (`QueryDocument`,
//! `SchemaDocument` and their parts) as JSON, field names as in Go, with `Position`s,
//! nulls and empty arrays and objects left out (OPA's `pruneIrrelevantGraphQLASTNodes`).
//! Empty strings and `false` stay, as they do in OPA.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use apollo_compiler::ast::{self, Definition};
use apollo_compiler::{Name, Node};
use serde_json::{json, Map, Value as Json};

use super::tokens::{string_value, Tokens};

/// gqlparser's `ValueKind` numbers.
const VARIABLE: u8 = 0;
const INT: u8 = 1;
const FLOAT: u8 = 2;
const STRING: u8 = 3;
const BLOCK_STRING: u8 = 4;
const BOOLEAN: u8 = 5;
const NULL: u8 = 6;
const ENUM: u8 = 7;
const LIST: u8 = 8;
const OBJECT: u8 = 9;

pub struct Converter<'a> {
    source: &'a str,
    tokens: Tokens,
}

fn start<T: ?Sized>(node: &Node<T>) -> usize {
    node.location().map_or(0, |l| l.offset())
}

fn end<T: ?Sized>(node: &Node<T>) -> usize {
    node.location().map_or(0, |l| l.end_offset())
}

fn name_start(name: &Name) -> usize {
    name.location().map_or(0, |l| l.offset())
}

fn prune(value: Json) -> Json {
    match value {
        Json::Array(items) => Json::Array(
            items
                .into_iter()
                .map(prune)
                .filter(|v| !is_empty(v))
                .collect(),
        ),
        Json::Object(fields) => Json::Object(
            fields
                .into_iter()
                .filter(|(key, _)| key != "Position")
                .map(|(key, v)| (key, prune(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        other => other,
    }
}

fn is_empty(value: &Json) -> bool {
    match value {
        Json::Null => true,
        Json::Array(items) => items.is_empty(),
        Json::Object(fields) => fields.is_empty(),
        _ => false,
    }
}

fn list<T>(items: &[T], convert: impl FnMut(&T) -> Json) -> Json {
    Json::Array(items.iter().map(convert).collect())
}

fn names(items: &[Name]) -> Json {
    list(items, |n| json!(n.as_str()))
}

impl<'a> Converter<'a> {
    pub fn new(source: &'a str) -> Self {
        Converter {
            source,
            tokens: Tokens::new(source),
        }
    }

    /// A query document: its operations and fragments.
    pub fn query_document(&self, document: &ast::Document) -> Json {
        let mut operations = Vec::new();
        let mut fragments = Vec::new();
        for definition in &document.definitions {
            match definition {
                Definition::OperationDefinition(op) => operations.push(self.operation(op)),
                Definition::FragmentDefinition(f) => fragments.push(self.fragment(f)),
                _ => {}
            }
        }
        prune(json!({ "Operations": operations, "Fragments": fragments }))
    }

    /// A schema document: its schema definitions and extensions, directive definitions,
    /// type definitions and type extensions.
    pub fn schema_document(&self, document: &ast::Document) -> Json {
        let mut doc = SchemaParts::default();
        for definition in &document.definitions {
            self.schema_definition(definition, &mut doc);
        }
        prune(json!({
            "Schema": doc.schema,
            "SchemaExtension": doc.schema_extensions,
            "Directives": doc.directives,
            "Definitions": doc.definitions,
            "Extensions": doc.extensions,
            "Comment": self.tokens.trailing_comment(),
        }))
    }

    fn schema_definition(&self, definition: &Definition, doc: &mut SchemaParts) {
        match definition {
            Definition::SchemaDefinition(d) => doc.schema.push(self.schema(
                d,
                &d.description,
                &d.directives,
                &d.root_operations,
            )),
            Definition::SchemaExtension(d) => {
                let mut schema = self.schema(d, &None, &d.directives, &d.root_operations);
                schema["BeforeDescriptionComment"] = Json::Null;
                schema["AfterDescriptionComment"] = self.tokens.comment_before(start(d));
                doc.schema_extensions.push(schema)
            }
            Definition::DirectiveDefinition(d) => doc.directives.push(self.directive_definition(d)),
            Definition::ScalarTypeDefinition(d) => doc.definitions.push(self.type_definition(
                d,
                "SCALAR",
                &d.description,
                TypeParts::new(&d.name, &d.directives),
            )),
            Definition::ObjectTypeDefinition(d) => doc.definitions.push(self.type_definition(
                d,
                "OBJECT",
                &d.description,
                TypeParts::new(&d.name, &d.directives)
                    .interfaces(&d.implements_interfaces)
                    .fields(self.fields(&d.fields)),
            )),
            Definition::InterfaceTypeDefinition(d) => doc.definitions.push(self.type_definition(
                d,
                "INTERFACE",
                &d.description,
                TypeParts::new(&d.name, &d.directives)
                    .interfaces(&d.implements_interfaces)
                    .fields(self.fields(&d.fields)),
            )),
            Definition::UnionTypeDefinition(d) => doc.definitions.push(self.type_definition(
                d,
                "UNION",
                &d.description,
                TypeParts::new(&d.name, &d.directives).members(&d.members),
            )),
            Definition::EnumTypeDefinition(d) => doc.definitions.push(self.type_definition(
                d,
                "ENUM",
                &d.description,
                TypeParts::new(&d.name, &d.directives).enum_values(self.enum_values(&d.values)),
            )),
            Definition::InputObjectTypeDefinition(d) => {
                doc.definitions.push(self.type_definition(
                    d,
                    "INPUT_OBJECT",
                    &d.description,
                    TypeParts::new(&d.name, &d.directives).fields(self.input_values(&d.fields)),
                ))
            }
            extension => doc.extensions.push(self.type_extension(extension)),
        }
    }

    fn type_extension(&self, definition: &Definition) -> Json {
        let (node_start, node_end, kind, parts) = match definition {
            Definition::ScalarTypeExtension(d) => {
                (start(d), end(d), "SCALAR", TypeParts::new(&d.name, &d.directives))
            }
            Definition::ObjectTypeExtension(d) => (
                start(d),
                end(d),
                "OBJECT",
                TypeParts::new(&d.name, &d.directives)
                    .interfaces(&d.implements_interfaces)
                    .fields(self.fields(&d.fields)),
            ),
            Definition::InterfaceTypeExtension(d) => (
                start(d),
                end(d),
                "INTERFACE",
                TypeParts::new(&d.name, &d.directives)
                    .interfaces(&d.implements_interfaces)
                    .fields(self.fields(&d.fields)),
            ),
            Definition::UnionTypeExtension(d) => (
                start(d),
                end(d),
                "UNION",
                TypeParts::new(&d.name, &d.directives).members(&d.members),
            ),
            Definition::EnumTypeExtension(d) => (
                start(d),
                end(d),
                "ENUM",
                TypeParts::new(&d.name, &d.directives).enum_values(self.enum_values(&d.values)),
            ),
            Definition::InputObjectTypeExtension(d) => (
                start(d),
                end(d),
                "INPUT_OBJECT",
                TypeParts::new(&d.name, &d.directives).fields(self.input_values(&d.fields)),
            ),
            _ => return Json::Null,
        };
        let mut definition = self.definition_body(kind, "", parts);
        definition["AfterDescriptionComment"] = self.tokens.comment_before(node_start);
        definition["EndOfDefinitionComment"] = self.tokens.comment_before_closing_brace(node_end);
        definition
    }

    fn type_definition<T>(
        &self,
        node: &Node<T>,
        kind: &str,
        description: &Option<Node<str>>,
        parts: TypeParts<'_>,
    ) -> Json {
        let mut definition = self.definition_body(kind, &self.description(description), parts);
        self.described_comments(&mut definition, node, description);
        definition["EndOfDefinitionComment"] = self.tokens.comment_before_closing_brace(end(node));
        definition
    }

    fn definition_body(&self, kind: &str, description: &str, parts: TypeParts<'_>) -> Json {
        json!({
            "Kind": kind,
            "Description": description,
            "Name": parts.name.as_str(),
            "Directives": self.directives(parts.directives),
            "Interfaces": names(parts.interfaces),
            "Fields": parts.fields,
            "Types": names(parts.members),
            "EnumValues": parts.enum_values,
            "BuiltIn": false,
        })
    }

    /// A top-level definition's comments: those before its description and those before
    /// its keyword (the first token after the description).
    fn described_comments<T>(
        &self,
        target: &mut Json,
        node: &Node<T>,
        description: &Option<Node<str>>,
    ) {
        let keyword = match description {
            Some(d) => self.tokens.next_token(end(d)).unwrap_or(0),
            None => start(node),
        };
        if description.is_some() {
            target["BeforeDescriptionComment"] = self.tokens.comment_before(start(node));
        }
        target["AfterDescriptionComment"] = self.tokens.comment_before(keyword);
    }

    /// A member's comments (field, argument, enum value): those before a non-empty
    /// description and those before its name.
    fn member_comments(&self, target: &mut Json, description: &Option<Node<str>>, name: &Name) {
        if let Some(d) = description {
            if !self.description(description).is_empty() {
                target["BeforeDescriptionComment"] = self.tokens.comment_before(start(d));
            }
        }
        target["AfterDescriptionComment"] = self.tokens.comment_before(name_start(name));
    }

    fn description(&self, description: &Option<Node<str>>) -> String {
        match description {
            Some(d) => string_value(&self.source[start(d)..end(d)], d),
            None => String::new(),
        }
    }

    fn schema(
        &self,
        node: &Node<impl Sized>,
        description: &Option<Node<str>>,
        directives: &ast::DirectiveList,
        root_operations: &[Node<(ast::OperationType, Name)>],
    ) -> Json {
        let operation_types = list(root_operations, |op| {
            json!({
                "Operation": op.0.name(),
                "Type": op.1.as_str(),
                "Comment": self.tokens.comment_before(start(op)),
            })
        });
        let mut schema = json!({
            "Description": self.description(description),
            "Directives": self.directives(directives),
            "OperationTypes": operation_types,
            "EndOfDefinitionComment": self.tokens.comment_before_closing_brace(end(node)),
        });
        self.described_comments(&mut schema, node, description);
        schema
    }

    fn directive_definition(&self, d: &Node<ast::DirectiveDefinition>) -> Json {
        let locations: Vec<&str> = d.locations.iter().map(|l| l.name()).collect();
        let mut definition = json!({
            "Description": self.description(&d.description),
            "Name": d.name.as_str(),
            "Arguments": self.input_values(&d.arguments),
            "Locations": locations,
            "IsRepeatable": d.repeatable,
        });
        self.described_comments(&mut definition, d, &d.description);
        definition
    }

    fn fields(&self, fields: &[Node<ast::FieldDefinition>]) -> Json {
        list(fields, |f| {
            let mut field = json!({
                "Description": self.description(&f.description),
                "Name": f.name.as_str(),
                "Arguments": self.input_values(&f.arguments),
                "Type": ty(&f.ty),
                "Directives": self.directives(&f.directives),
            });
            self.member_comments(&mut field, &f.description, &f.name);
            field
        })
    }

    fn input_values(&self, values: &[Node<ast::InputValueDefinition>]) -> Json {
        list(values, |v| {
            let mut value = json!({
                "Description": self.description(&v.description),
                "Name": v.name.as_str(),
                "DefaultValue": v.default_value.as_ref().map(|d| self.value(d)),
                "Type": ty(&v.ty),
                "Directives": self.directives(&v.directives),
            });
            self.member_comments(&mut value, &v.description, &v.name);
            value
        })
    }

    fn enum_values(&self, values: &[Node<ast::EnumValueDefinition>]) -> Json {
        list(values, |v| {
            let mut value = json!({
                "Description": self.description(&v.description),
                "Name": v.value.as_str(),
                "Directives": self.directives(&v.directives),
            });
            self.member_comments(&mut value, &v.description, &v.value);
            value
        })
    }

    fn operation(&self, op: &Node<ast::OperationDefinition>) -> Json {
        json!({
            "Description": "",
            "Operation": op.operation_type.name(),
            "Name": op.name.as_ref().map_or("", |n| n.as_str()),
            "VariableDefinitions": list(&op.variables, |v| self.variable_definition(v)),
            "Directives": self.directives(&op.directives),
            "SelectionSet": self.selection_set(&op.selection_set),
            "Comment": self.tokens.comment_before(start(op)),
        })
    }

    fn variable_definition(&self, v: &Node<ast::VariableDefinition>) -> Json {
        json!({
            "Description": "",
            "Variable": v.name.as_str(),
            "Type": ty(&v.ty),
            "DefaultValue": v.default_value.as_ref().map(|d| self.value(d)),
            "Directives": self.directives(&v.directives),
            "Used": false,
            "Comment": self.tokens.comment_before(start(v)),
        })
    }

    fn fragment(&self, f: &Node<ast::FragmentDefinition>) -> Json {
        json!({
            "Description": "",
            "Name": f.name.as_str(),
            "TypeCondition": f.type_condition.as_str(),
            "Directives": self.directives(&f.directives),
            "SelectionSet": self.selection_set(&f.selection_set),
            "Comment": self.tokens.comment_before(start(f)),
        })
    }

    fn selection_set(&self, selections: &[ast::Selection]) -> Json {
        list(selections, |selection| match selection {
            ast::Selection::Field(f) => json!({
                "Alias": f.alias.as_ref().unwrap_or(&f.name).as_str(),
                "Name": f.name.as_str(),
                "Arguments": self.arguments(&f.arguments),
                "Directives": self.directives(&f.directives),
                "SelectionSet": self.selection_set(&f.selection_set),
                "Comment": self.tokens.comment_before(start(f)),
            }),
            ast::Selection::FragmentSpread(s) => json!({
                "Name": s.fragment_name.as_str(),
                "Directives": self.directives(&s.directives),
                "Comment": self.tokens.comment_before(start(s)),
            }),
            ast::Selection::InlineFragment(i) => json!({
                "TypeCondition": i.type_condition.as_ref().map_or("", |t| t.as_str()),
                "Directives": self.directives(&i.directives),
                "SelectionSet": self.selection_set(&i.selection_set),
                "Comment": self.tokens.comment_before(start(i)),
            }),
        })
    }

    fn directives(&self, directives: &ast::DirectiveList) -> Json {
        list(&directives.0, |d| {
            json!({
                "Name": d.name.as_str(),
                "Arguments": self.arguments(&d.arguments),
                "Location": "",
            })
        })
    }

    fn arguments(&self, arguments: &[Node<ast::Argument>]) -> Json {
        list(arguments, |a| {
            json!({
                "Name": a.name.as_str(),
                "Value": self.value(&a.value),
                "Comment": self.tokens.comment_before(start(a)),
            })
        })
    }

    fn value(&self, value: &Node<ast::Value>) -> Json {
        let scalar = |kind: u8, raw: &str| {
            json!({ "Raw": raw, "Kind": kind, "ExpectedTypeHasDefault": false })
        };
        match value.as_ref() {
            ast::Value::Null => scalar(NULL, "null"),
            ast::Value::Enum(name) => scalar(ENUM, name.as_str()),
            ast::Value::Variable(name) => {
                let mut variable = scalar(VARIABLE, name.as_str());
                variable["Comment"] = self.tokens.comment_before(start(value));
                variable
            }
            ast::Value::String(s) => {
                let text = &self.source[start(value)..end(value)];
                let kind = if text.starts_with("\"\"\"") {
                    BLOCK_STRING
                } else {
                    STRING
                };
                scalar(kind, &string_value(text, s))
            }
            ast::Value::Float(f) => scalar(FLOAT, f.as_str()),
            ast::Value::Int(i) => scalar(INT, i.as_str()),
            ast::Value::Boolean(b) => scalar(BOOLEAN, if *b { "true" } else { "false" }),
            ast::Value::List(items) => self.composite(
                value,
                LIST,
                items.iter().map(|item| json!({ "Name": "", "Value": self.value(item) })),
            ),
            ast::Value::Object(fields) => self.composite(
                value,
                OBJECT,
                fields.iter().map(|(name, v)| {
                    json!({
                        "Name": name.as_str(),
                        "Value": self.value(v),
                        "Comment": self.tokens.comment_before(name_start(name)),
                    })
                }),
            ),
        }
    }

    fn composite(
        &self,
        value: &Node<ast::Value>,
        kind: u8,
        children: impl Iterator<Item = Json>,
    ) -> Json {
        json!({
            "Raw": "",
            "Children": children.collect::<Vec<Json>>(),
            "Kind": kind,
            "ExpectedTypeHasDefault": false,
            "Comment": self.tokens.comment_before(start(value)),
        })
    }
}

/// gqlparser's `Type`: a named type, or a list's element type, and whether it is non-null.
fn ty(t: &ast::Type) -> Json {
    let (named, elem, non_null) = match t {
        ast::Type::Named(n) => (n.as_str(), Json::Null, false),
        ast::Type::NonNullNamed(n) => (n.as_str(), Json::Null, true),
        ast::Type::List(e) => ("", ty(e), false),
        ast::Type::NonNullList(e) => ("", ty(e), true),
    };
    let mut out = Map::new();
    out.insert("NamedType".to_string(), json!(named));
    out.insert("NonNull".to_string(), json!(non_null));
    if !elem.is_null() {
        out.insert("Elem".to_string(), elem);
    }
    Json::Object(out)
}

#[derive(Default)]
struct SchemaParts {
    schema: Vec<Json>,
    schema_extensions: Vec<Json>,
    directives: Vec<Json>,
    definitions: Vec<Json>,
    extensions: Vec<Json>,
}

/// The parts of a type definition or extension that its kind may have.
struct TypeParts<'t> {
    name: &'t Name,
    directives: &'t ast::DirectiveList,
    interfaces: &'t [Name],
    members: &'t [Name],
    fields: Json,
    enum_values: Json,
}

impl<'t> TypeParts<'t> {
    fn new(name: &'t Name, directives: &'t ast::DirectiveList) -> Self {
        TypeParts {
            name,
            directives,
            interfaces: &[],
            members: &[],
            fields: Json::Null,
            enum_values: Json::Null,
        }
    }

    fn interfaces(mut self, interfaces: &'t [Name]) -> Self {
        self.interfaces = interfaces;
        self
    }

    fn members(mut self, members: &'t [Name]) -> Self {
        self.members = members;
        self
    }

    fn fields(mut self, fields: Json) -> Self {
        self.fields = fields;
        self
    }

    fn enum_values(mut self, values: Json) -> Self {
        self.enum_values = values;
        self
    }
}
