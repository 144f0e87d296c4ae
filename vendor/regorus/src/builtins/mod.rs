// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::shadow_unrelated,
    clippy::unwrap_used,
    clippy::missing_const_for_fn,
    clippy::option_if_let_else,
    clippy::semicolon_if_nothing_returned,
    clippy::useless_let_if_seq
)] // builtins perform validated indexing and intentional arithmetic/string ops

mod aggregates;
mod arrays;
#[cfg(feature = "azure_policy")]
pub mod azure_policy;
mod bitwise;
pub mod comparison;
mod conversions;
#[cfg(feature = "crypto")]
mod crypto;
#[cfg(feature = "crypto")]
mod jwt;
#[cfg(feature = "crypto")]
mod pki;
mod deprecated;

mod encoding;
#[cfg(feature = "glob")]
mod glob;
mod go_json;
#[cfg(feature = "yaml")]
mod go_yaml;
mod globs_match;
#[cfg(feature = "graph")]
mod graph;
#[cfg(feature = "graphql")]
mod graphql;
#[cfg(feature = "http")]
mod http;
#[cfg(feature = "net")]
mod net;
#[cfg(feature = "net")]
mod net_cidrs;

#[cfg(feature = "jsonpatch")]
mod json_patch;
#[cfg(feature = "jsonschema")]
mod json_schema_errors;
pub mod numbers;
mod objects;
#[cfg(feature = "opa-runtime")]
mod opa;
#[cfg(feature = "regex")]
mod regex;
#[cfg(feature = "yaml")]
pub mod rego_metadata;
mod rego_parse_module;
pub(crate) mod render_template;
#[cfg(feature = "semver")]
mod semver;
pub mod sets;
mod strings;
#[cfg(feature = "time")]
mod time;
mod tracing;
pub mod types;
mod units;
mod uri;
mod utils;
#[cfg(feature = "uuid")]
mod uuid;

#[cfg(feature = "opa-testutil")]
mod test;

use crate::ast::{Expr, Ref};
use crate::lexer::Span;
use crate::value::Value;

use crate::Map as BuiltinsMap;

use anyhow::Result;
use lazy_static::lazy_static;

/// Whether `name` is one of OPA's deprecated builtins, which only v0 policies may call.
pub fn is_deprecated(name: &str) -> bool {
    deprecated::NAMES.contains(&name)
}

pub type BuiltinFcn = (fn(&Span, &[Ref<Expr>], &[Value], bool) -> Result<Value>, u8);

#[rustfmt::skip]
lazy_static! {
    pub static ref BUILTINS: BuiltinsMap<&'static str, BuiltinFcn> = {
	let mut m : BuiltinsMap<&'static str, BuiltinFcn>  = BuiltinsMap::new();

	// comparison functions are directly called.
	numbers::register(&mut m);
	aggregates::register(&mut m);
	arrays::register(&mut m);
	sets::register(&mut m);
	objects::register(&mut m);
	strings::register(&mut m);

	#[cfg(feature = "regex")]
	regex::register(&mut m);

	#[cfg(feature = "glob")]
	glob::register(&mut m);
	globs_match::register(&mut m);

	#[cfg(feature = "graph")]
	graph::register(&mut m);

	bitwise::register(&mut m);
	conversions::register(&mut m);
	deprecated::register(&mut m);
	//units::register(&mut m);
	types::register(&mut m);
	encoding::register(&mut m);
	#[cfg(feature = "crypto")]
	crypto::register(&mut m);
	#[cfg(feature = "crypto")]
	pki::register(&mut m);
	#[cfg(feature = "crypto")]
	jwt::register(&mut m);
	#[cfg(feature = "time")]
	time::register(&mut m);

	#[cfg(feature = "graphql")]
	graphql::register(&mut m);
	#[cfg(feature = "http")]
	http::register(&mut m);
	#[cfg(feature = "net")]
	net::register(&mut m);
	#[cfg(feature = "net")]
	net_cidrs::register(&mut m);
	//net::register(&mut m);
	#[cfg(feature = "uuid")]
	uuid::register(&mut m);
	#[cfg(feature = "semver")]
	semver::register(&mut m);
	//rego::register(&mut m);
	#[cfg(feature = "azure_policy")]
	azure_policy::register(&mut m);
	#[cfg(feature = "opa-runtime")]
	opa::register(&mut m);
	tracing::register(&mut m);
	units::register(&mut m);
	render_template::register(&mut m);
	#[cfg(feature = "yaml")]
	rego_metadata::register(&mut m);
	rego_parse_module::register(&mut m);
	uri::register(&mut m);

	#[cfg(feature = "opa-testutil")]
	test::register(&mut m);

	m
    };
}

pub fn must_cache(path: &str) -> Option<&'static str> {
    match path {
        "opa.runtime" => Some("opa.runtime"),
        "rand.intn" => Some("rand.intn"),
        "time.now_ns" => Some("time.now_ns"),
        "uuid.rfc4122" => Some("uuid.rfc4122"),
        _ => None,
    }
}
