//! dockpolicy: policy-as-code for container images.
//!
//! Inputs (`input`) become JSON documents; policies (`policy`) are compiled once into a
//! regorus engine and evaluated per document; results (`report`) render as text or JSON.
//! `main.rs` is a thin shell over `commands`.

pub mod cli;
pub mod commands;
pub mod config;
pub mod findings;
pub mod gatekeeper;
pub mod input;
pub mod policy;
pub mod redact;
pub mod report;
