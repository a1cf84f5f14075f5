//! A virtual file system built from layers in order, with OCI whiteouts and
//! opaque directories applied and symlinks resolved inside the root.

use std::collections::BTreeMap;

use crate::layer::{Entry, EntryKind, Layer};

/// Most symlinks followed while resolving one path (Linux `MAXSYMLINKS`).
pub const MAX_SYMLINK_FOLLOWS: usize = 40;

const WHITEOUT_PREFIX: &str = ".wh.";
const OPAQUE_MARKER: &str = ".wh..wh..opq";

/// Why a path could not be resolved or a layer applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    #[error("hardlink {path:?} points to {target:?}, which is not in the image")]
    HardlinkOutsideTree { path: String, target: String },
    #[error("resolving {path:?} followed more than {limit} symlinks (a symlink loop?)")]
    SymlinkLoop { path: String, limit: usize },
    #[error("{path:?} does not exist in the image")]
    NotFound { path: String },
    #[error("{path:?} is not a directory")]
    NotADirectory { path: String },
}

/// The merged file tree of an image. Paths are normalised as in
/// [`Entry::path`]; the root is `""`.
#[derive(Debug, Clone, Default)]
pub struct FileTree {
    entries: BTreeMap<String, Entry>,
    layers: u32,
}

impl FileTree {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies the next layer: first its whiteouts and opaque markers remove
    /// what lower layers put there, then its entries are added (a later entry
    /// replaces an earlier one at the same path; a non-directory replacing a
    /// directory removes what was under it). Parent directories that are
    /// symlinks are followed, inside the root, as a container runtime would.
    pub fn apply(&mut self, layer: Layer) -> Result<(), TreeError> {
        let index = self.layers;
        self.layers = self.layers.saturating_add(1);
        let mut adds = Vec::with_capacity(layer.entries.len());
        for entry in layer.entries {
            let (parent, name) = split(&entry.path);
            if name == OPAQUE_MARKER {
                if let Ok(dir) = self.resolve_parent(parent) {
                    self.remove_children(&dir);
                }
            } else if let Some(hidden) = name.strip_prefix(WHITEOUT_PREFIX) {
                if let Ok(dir) = self.resolve_parent(parent) {
                    let victim = join(&dir, hidden);
                    self.remove_children(&victim);
                    self.entries.remove(&victim);
                }
            } else {
                adds.push(entry);
            }
        }
        for mut entry in adds {
            let (parent, name) = split(&entry.path);
            let parent = self.resolve_parent(parent)?;
            let path = join(&parent, name);
            if entry.kind == EntryKind::Hardlink {
                let target = entry.link_target.clone().unwrap_or_default();
                let (tparent, tname) = split(&target);
                let found = self
                    .resolve_parent(tparent)
                    .ok()
                    .map(|p| join(&p, tname))
                    .and_then(|t| self.entries.get(&t));
                let Some(found) = found else {
                    return Err(TreeError::HardlinkOutsideTree {
                        path: entry.path,
                        target,
                    });
                };
                entry.size = found.size;
                entry.contents.clone_from(&found.contents);
                if found.kind != EntryKind::File {
                    entry.kind = found.kind;
                    entry.link_target.clone_from(&found.link_target);
                }
            }
            if entry.kind != EntryKind::Dir {
                self.remove_children(&path);
            }
            // A directory entry over an existing directory keeps its
            // children (tar semantics); only its metadata changes.
            entry.path.clone_from(&path);
            entry.layer = index;
            self.entries.insert(path, entry);
        }
        Ok(())
    }

    /// The entry at exactly this path (no symlinks followed).
    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.entries.get(&lexical(path))
    }

    /// The entry at a path whose parent directories are followed through
    /// symlinks (inside the root), but not the last component: where a file
    /// written by a layer at `path` ended up.
    pub fn locate(&self, path: &str) -> Option<&Entry> {
        let resolved = self.resolve_path(path, false).ok()?;
        self.entries.get(&resolved)
    }

    /// The entry a path names after following every symlink, confined to the
    /// root: `..` at the root stays at the root and absolute targets start
    /// from the image root, so resolution never leaves the tree.
    pub fn resolve(&self, path: &str) -> Result<&Entry, TreeError> {
        let resolved = self.resolve_path(path, true)?;
        self.entries.get(&resolved).ok_or(TreeError::NotFound {
            path: path.to_string(),
        })
    }

    /// The contents of the file a path names, after following symlinks;
    /// `None` when it is not a file or its contents were not kept.
    pub fn contents(&self, path: &str) -> Option<&[u8]> {
        self.resolve(path).ok().and_then(|e| e.contents.as_deref())
    }

    /// Every entry, in path order.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// How many layers have been applied.
    pub fn layer_count(&self) -> u32 {
        self.layers
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn remove_children(&mut self, dir: &str) {
        if dir.is_empty() {
            self.entries.clear();
            return;
        }
        let prefix = format!("{dir}/");
        let doomed: Vec<String> = self
            .entries
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.entries.remove(&k);
        }
    }

    /// Resolves a parent directory for adding an entry: symlinks are
    /// followed, missing directories are implied.
    fn resolve_parent(&self, parent: &str) -> Result<String, TreeError> {
        match self.resolve_path(parent, true) {
            Ok(p) => Ok(p),
            Err(TreeError::NotFound { .. }) => Ok(lexical(parent)),
            Err(e) => Err(e),
        }
    }

    /// Resolves `path` to the path of an entry (or of the root, `""`),
    /// following symlinks inside the root.
    pub fn resolve_path(&self, path: &str, follow_last: bool) -> Result<String, TreeError> {
        let mut pending: Vec<String> = components(path).into_iter().rev().collect();
        let mut current: Vec<String> = Vec::new();
        let mut follows = 0usize;
        while let Some(part) = pending.pop() {
            if part == ".." {
                current.pop();
                continue;
            }
            current.push(part);
            let here = current.join("/");
            let Some(entry) = self.entries.get(&here) else {
                if pending.is_empty() {
                    return Err(TreeError::NotFound {
                        path: path.to_string(),
                    });
                }
                // Missing intermediate directory: implied by its children.
                if self.has_children(&here) {
                    continue;
                }
                return Err(TreeError::NotFound {
                    path: path.to_string(),
                });
            };
            match entry.kind {
                EntryKind::Symlink if follow_last || !pending.is_empty() => {
                    follows += 1;
                    if follows > MAX_SYMLINK_FOLLOWS {
                        return Err(TreeError::SymlinkLoop {
                            path: path.to_string(),
                            limit: MAX_SYMLINK_FOLLOWS,
                        });
                    }
                    let target = entry.link_target.as_deref().unwrap_or("");
                    current.pop();
                    if target.starts_with('/') {
                        current.clear();
                    }
                    for t in components(target).into_iter().rev() {
                        pending.push(t);
                    }
                }
                EntryKind::Dir | EntryKind::Symlink => {}
                _ if !pending.is_empty() => {
                    return Err(TreeError::NotADirectory { path: here });
                }
                _ => {}
            }
        }
        Ok(current.join("/"))
    }

    fn has_children(&self, dir: &str) -> bool {
        let prefix = format!("{dir}/");
        self.entries
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&prefix))
    }
}

/// Path components, with `.` and empty ones dropped and `..` kept.
fn components(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .map(str::to_string)
        .collect()
}

/// Lexical normalisation confined to the root (`..` at the root is dropped).
fn lexical(path: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for part in components(path) {
        if part == ".." {
            out.pop();
        } else {
            out.push(part);
        }
    }
    out.join("/")
}

fn split(path: &str) -> (&str, &str) {
    match path.rsplit_once('/') {
        Some((parent, name)) => (parent, name),
        None => ("", path),
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}
