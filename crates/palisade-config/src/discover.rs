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
/// parent up to the root of the git repository that holds `start` (a
/// directory with `.git`), or up to the filesystem root outside a repository.
/// A stray config in a directory above the repository is never picked up. A
/// relative `start` is taken from the current directory.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    let first = if start.is_dir() {
        start.as_path()
    } else {
        start.parent()?
    };
    for dir in first.ancestors() {
        let found = CONFIG_FILE_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file());
        if found.is_some() {
            return found;
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}
