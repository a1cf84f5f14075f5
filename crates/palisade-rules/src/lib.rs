//! palisade rules.
//!
//! A rule is one file: its [`RuleMeta`] (id, severity, rationale,
//! remediation, references) sits beside its check. Every rule is registered
//! once in [`registry`]; selection, `palisade rules` and `palisade explain`
//! all read that one list.
//!
//! Rules read the typed model ([`Resource`], [`palisade_model::PodSpec`]) and
//! never the file format the object came from.
#![warn(missing_docs)]

mod context;
pub mod image_policy;
pub mod image_rules;
pub mod pss;
mod registry;
pub mod rules;

pub use context::{Context, Settings};
pub use registry::{all_rules, find_meta, find_rule, rule_metas, Rule};

pub use palisade_model::{Finding, Resource, RuleMeta};
