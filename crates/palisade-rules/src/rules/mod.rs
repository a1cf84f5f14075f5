//! palisade's own rules beyond the Pod Security Standards.

use crate::Rule;

/// Every rule of this module, one file each.
pub static RULES: &[&dyn Rule] = &[];
