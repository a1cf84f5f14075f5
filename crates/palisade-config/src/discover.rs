//! Finding the configuration file for a scanned path.

use std::path::{Path, PathBuf};

/// File names tried in each directory, in this order; the first that exists wins.
pub const CONFIG_FILE_NAMES: &[&str] = &[
    "palisade.yaml",
    "palisade.yml",
    "palisade.toml",
    ".palisade.yaml",
    ".palisade.yml",
    ".palisade.toml",
];

/// The configuration file for `start` (a file or directory): the first of
/// [`CONFIG_FILE_NAMES`] found in `start`'s directory or, failing that, in each
/// parent up to the filesystem root. A relative `start` is taken from the
/// current directory.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    let first = if start.is_dir() {
        start.as_path()
    } else {
        start.parent()?
    };
    first.ancestors().find_map(|dir| {
        CONFIG_FILE_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}
