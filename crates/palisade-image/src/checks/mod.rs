//! File checks: [`FileCheck`](crate::FileCheck)s that look at files of every
//! layer as they stream past, deleted ones included, for the image rules.
//!
//! One check per file in this directory. A check selects its files cheaply
//! (by name, path and size, never by reading) so a scan reads only the few
//! files that can matter.

pub mod secrets;

pub use secrets::{SecretFiles, SECRET_FILES};
