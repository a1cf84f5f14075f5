//! A root filesystem directory (`dir:PATH`), read as a single layer.
//!
//! The walk never follows symlinks (they are recorded as links, resolved
//! later inside the virtual tree) and is bounded by the same
//! [`LayerLimits`] as a layer: entry count, path length and depth, and the
//! size of each file read for an analyzer.

use std::fs;
use std::io::Read;
#[cfg(unix)]
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::layer::{Entry, EntryKind, Layer, LayerError, LayerLimits};
use crate::oci::ImageError;

/// Walks `root` and returns its entries as one layer; the contents of
/// wanted regular files are handed to `visit` one at a time.
pub fn read_dir_layer(
    root: &Path,
    limits: &LayerLimits,
    wanted: &dyn Fn(&Entry) -> bool,
    visit: &mut dyn FnMut(&Entry, &[u8]),
) -> Result<Layer, ImageError> {
    let meta = fs::metadata(root).map_err(|source| ImageError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(ImageError::Io {
            path: root.to_path_buf(),
            source: std::io::Error::other(
                "not a directory (dir: needs a root filesystem directory)",
            ),
        });
    }
    let mut layer = Layer::default();
    // Depth-first with an explicit stack: no recursion on hostile depth.
    let mut stack: Vec<String> = vec![String::new()];
    while let Some(rel) = stack.pop() {
        let dir = if rel.is_empty() {
            root.to_path_buf()
        } else {
            root.join(&rel)
        };
        let io_err = |source| ImageError::Io {
            path: dir.clone(),
            source,
        };
        let mut names: Vec<String> = Vec::new();
        for item in fs::read_dir(&dir).map_err(io_err)? {
            let item = item.map_err(io_err)?;
            names.push(item.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        for name in names.into_iter().rev() {
            let path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let layer_err = |source| ImageError::Layer {
                digest: format!("dir:{}", root.display()),
                source,
            };
            if layer.entries.len() as u64 >= limits.max_entries {
                return Err(layer_err(LayerError::TooManyEntries {
                    limit: limits.max_entries,
                }));
            }
            if path.len() > limits.max_path_len {
                return Err(layer_err(LayerError::PathTooLong {
                    len: path.len(),
                    path: path.chars().take(200).collect(),
                    limit: limits.max_path_len,
                }));
            }
            let depth = path.split('/').count();
            if depth > limits.max_path_depth {
                return Err(layer_err(LayerError::PathTooDeep {
                    path: path.chars().take(200).collect(),
                    depth,
                    limit: limits.max_path_depth,
                }));
            }
            let full = root.join(&path);
            let meta = fs::symlink_metadata(&full).map_err(|source| ImageError::Io {
                path: full.clone(),
                source,
            })?;
            let ft = meta.file_type();
            let kind = if ft.is_dir() {
                EntryKind::Dir
            } else if ft.is_symlink() {
                EntryKind::Symlink
            } else if ft.is_file() {
                EntryKind::File
            } else {
                special_kind(&meta)
            };
            let link_target = if kind == EntryKind::Symlink {
                let t = fs::read_link(&full).map_err(|source| ImageError::Io {
                    path: full.clone(),
                    source,
                })?;
                Some(t.to_string_lossy().into_owned())
            } else {
                None
            };
            let (mode, uid, gid) = owner_mode(&meta);
            let entry = Entry {
                path: path.clone(),
                kind,
                mode,
                uid,
                gid,
                size: if kind == EntryKind::File {
                    meta.len()
                } else {
                    0
                },
                link_target,
                contents: None,
                layer: 0,
            };
            if kind != EntryKind::File || !wanted(&entry) {
                // Nothing to read.
            } else if entry.size > limits.max_file_size {
                layer.oversized.push((path.clone(), entry.size));
            } else {
                let mut buf = Vec::new();
                fs::File::open(&full)
                    .and_then(|f| {
                        f.take(limits.max_file_size.saturating_add(1))
                            .read_to_end(&mut buf)
                    })
                    .map_err(|source| ImageError::Io {
                        path: full.clone(),
                        source,
                    })?;
                visit(&entry, &buf);
            }
            if kind == EntryKind::Dir {
                stack.push(path);
            }
            layer.entries.push(entry);
        }
    }
    Ok(layer)
}

#[cfg(unix)]
fn owner_mode(meta: &fs::Metadata) -> (u32, u64, u64) {
    (
        meta.mode() & 0o7777,
        u64::from(meta.uid()),
        u64::from(meta.gid()),
    )
}

#[cfg(not(unix))]
fn owner_mode(_meta: &fs::Metadata) -> (u32, u64, u64) {
    (0o644, 0, 0)
}

#[cfg(unix)]
fn special_kind(meta: &fs::Metadata) -> EntryKind {
    use std::os::unix::fs::FileTypeExt;
    let ft = meta.file_type();
    if ft.is_char_device() {
        EntryKind::CharDevice
    } else if ft.is_block_device() {
        EntryKind::BlockDevice
    } else if ft.is_fifo() {
        EntryKind::Fifo
    } else {
        EntryKind::Other(0)
    }
}

#[cfg(not(unix))]
fn special_kind(_meta: &fs::Metadata) -> EntryKind {
    EntryKind::Other(0)
}
