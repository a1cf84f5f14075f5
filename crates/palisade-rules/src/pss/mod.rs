//! The Pod Security Standards, every policy version, as upstream evaluates them.

use palisade_model::PssVersion;

use crate::Rule;

/// The newest policy version palisade knows.
pub const LATEST: PssVersion = PssVersion::v1(37);

/// Every Pod Security Standards rule.
pub static RULES: &[&dyn Rule] = &[];
