//! Reading advisory sources: a directory tree, a single JSON/YAML file, or
//! an OSV `all.zip` archive; and Alpine secdb YAML, converted to OSV.
//!
//! A source is read as a sequence of *units* (a file of a directory, an
//! entry of a zip, or the single file), each with its SHA-256, so the store
//! can skip units whose content did not change since the last import. A
//! unit holds one OSV record (JSON object or YAML document), a JSON array
//! of records, or a whole Alpine secdb file (many records).
//!
//! Everything is bounded by [`ImportLimits`]: file and entry sizes (read
//! with a cap, whatever a zip header claims, so zip bombs stop at the cap),
//! entry and file counts, directory depth. Zip entries whose names are
//! absolute or contain `..` are refused; symbolic links in a directory are
//! not followed.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::osv::{yaml_to_value, Osv, OsvError};

/// Bounds on what one source may cost.
#[derive(Debug, Clone)]
pub struct ImportLimits {
    /// Largest file of a directory, single file, or zip entry (uncompressed).
    pub max_unit_bytes: u64,
    /// Most files or zip entries in one source.
    pub max_units: usize,
    /// Most uncompressed bytes read from one zip archive in total.
    pub max_total_bytes: u64,
    /// Deepest directory nesting walked.
    pub max_depth: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            max_unit_bytes: 64 << 20,
            max_units: 2_000_000,
            max_total_bytes: 16 << 30,
            max_depth: 32,
        }
    }
}

/// Why a source could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// A record is not valid OSV (or not valid JSON/YAML).
    #[error(transparent)]
    Osv(#[from] OsvError),
    /// The source breaks a limit, or is not a source palisade reads.
    #[error("{path}: {message}")]
    Invalid {
        /// The source, file or archive entry.
        path: String,
        /// What is wrong and what was expected.
        message: String,
    },
}

fn invalid(path: impl Into<String>, message: impl Into<String>) -> ImportError {
    ImportError::Invalid {
        path: path.into(),
        message: message.into(),
    }
}

/// What a source on disk is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A directory tree of `.json`/`.yaml`/`.yml` files.
    Directory,
    /// One JSON or YAML file.
    File,
    /// A zip archive (OSV's `all.zip`).
    Zip,
}

impl SourceKind {
    /// `directory`, `file` or `zip`.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Directory => "directory",
            SourceKind::File => "file",
            SourceKind::Zip => "zip",
        }
    }

    /// Looks at `path`: a directory, a zip (by its magic bytes) or a file.
    pub fn detect(path: &Path) -> Result<SourceKind, ImportError> {
        let io = |source| ImportError::Io {
            path: path.display().to_string(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_dir() {
            return Ok(SourceKind::Directory);
        }
        let mut magic = [0u8; 4];
        let mut f = File::open(path).map_err(io)?;
        let n = read_up_to(&mut f, &mut magic).map_err(io)?;
        if n == 4 && (magic == *b"PK\x03\x04" || magic == *b"PK\x05\x06") {
            Ok(SourceKind::Zip)
        } else {
            Ok(SourceKind::File)
        }
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// One unit of a source: its path inside the source and its content.
#[derive(Debug)]
pub struct Unit<'a> {
    /// Path relative to the source (`vulns/x/PYSEC-1.yaml`, `PYSEC-1.json`),
    /// or the file name for a single-file source.
    pub path: &'a str,
    /// SHA-256 of the content.
    pub sha256: [u8; 32],
    /// The content.
    pub bytes: &'a [u8],
}

/// Reads every unit of the source at `path` (of kind `kind`) and calls
/// `visit` with each, in a stable order (sorted paths for a directory,
/// archive order for a zip). Returns the SHA-256 of the whole source: of
/// the file for a file or zip, of the sorted `(path, unit hash)` list for a
/// directory.
pub fn for_each_unit(
    path: &Path,
    kind: SourceKind,
    limits: &ImportLimits,
    visit: &mut dyn FnMut(Unit<'_>) -> Result<(), ImportError>,
) -> Result<[u8; 32], ImportError> {
    match kind {
        SourceKind::Directory => {
            let mut files = Vec::new();
            walk(path, path, 0, limits, &mut files)?;
            files.sort();
            let mut whole = Sha256::new();
            for (rel, full) in files {
                let bytes = read_capped(&full, limits.max_unit_bytes)?;
                let sha: [u8; 32] = Sha256::digest(&bytes).into();
                whole.update(rel.as_bytes());
                whole.update([0]);
                whole.update(sha);
                visit(Unit {
                    path: &rel,
                    sha256: sha,
                    bytes: &bytes,
                })?;
            }
            Ok(whole.finalize().into())
        }
        SourceKind::File => {
            let bytes = read_capped(path, limits.max_unit_bytes)?;
            let sha: [u8; 32] = Sha256::digest(&bytes).into();
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            visit(Unit {
                path: &name,
                sha256: sha,
                bytes: &bytes,
            })?;
            Ok(sha)
        }
        SourceKind::Zip => zip_units(path, limits, visit),
    }
}

fn walk(
    root: &Path,
    dir: &Path,
    depth: usize,
    limits: &ImportLimits,
    out: &mut Vec<(String, PathBuf)>,
) -> Result<(), ImportError> {
    let io = |source| ImportError::Io {
        path: dir.display().to_string(),
        source,
    };
    if depth > limits.max_depth {
        return Err(invalid(
            dir.display().to_string(),
            format!("directories nest deeper than {} levels", limits.max_depth),
        ));
    }
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let ft = entry.file_type().map_err(io)?;
        let full = entry.path();
        if ft.is_dir() {
            walk(root, &full, depth + 1, limits, out)?;
        } else if ft.is_file() && is_record_name(&name) {
            if out.len() >= limits.max_units {
                return Err(invalid(
                    root.display().to_string(),
                    format!("more than {} advisory files", limits.max_units),
                ));
            }
            let rel = full
                .strip_prefix(root)
                .unwrap_or(&full)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, full));
        }
    }
    Ok(())
}

fn is_record_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".json") || lower.ends_with(".yaml") || lower.ends_with(".yml")
}

fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ImportError> {
    let io = |source| ImportError::Io {
        path: path.display().to_string(),
        source,
    };
    let f = File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    f.take(cap + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > cap {
        return Err(invalid(
            path.display().to_string(),
            format!("larger than the limit of {cap} bytes"),
        ));
    }
    Ok(bytes)
}

fn zip_units(
    path: &Path,
    limits: &ImportLimits,
    visit: &mut dyn FnMut(Unit<'_>) -> Result<(), ImportError>,
) -> Result<[u8; 32], ImportError> {
    let shown = path.display().to_string();
    let io = |source| ImportError::Io {
        path: shown.clone(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    let mut whole = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        whole.update(&buf[..n]);
    }
    let file = File::open(path).map_err(io)?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| invalid(&shown, format!("not a readable zip archive: {e}")))?;
    if archive.len() > limits.max_units {
        return Err(invalid(
            &shown,
            format!(
                "{} entries, more than the limit of {}",
                archive.len(),
                limits.max_units
            ),
        ));
    }
    let mut total = 0u64;
    let mut bytes = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| invalid(&shown, format!("entry {i} is unreadable: {e}")))?;
        let name = entry.name().to_string();
        let place = format!("{shown}!{name}");
        if entry.is_dir() {
            continue;
        }
        let unsafe_name = name.starts_with('/')
            || name.starts_with('\\')
            || name.as_bytes().get(1) == Some(&b':')
            || name.split(['/', '\\']).any(|c| c == "..");
        if unsafe_name {
            return Err(invalid(
                place,
                "entry name is absolute or climbs out with `..` (refused)",
            ));
        }
        if !is_record_name(&name) {
            continue;
        }
        bytes.clear();
        let cap = limits.max_unit_bytes;
        (&mut entry)
            .take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| invalid(&place, format!("cannot inflate: {e}")))?;
        if bytes.len() as u64 > cap {
            return Err(invalid(
                place,
                format!("inflates to more than the limit of {cap} bytes (zip bomb?)"),
            ));
        }
        total += bytes.len() as u64;
        if total > limits.max_total_bytes {
            return Err(invalid(
                &shown,
                format!(
                    "inflates to more than the limit of {} bytes in total (zip bomb?)",
                    limits.max_total_bytes
                ),
            ));
        }
        let sha: [u8; 32] = Sha256::digest(&bytes).into();
        visit(Unit {
            path: &name,
            sha256: sha,
            bytes: &bytes,
        })?;
    }
    Ok(whole.finalize().into())
}

/// Parses one unit into its records: an OSV record (JSON or YAML), a JSON
/// array of records, or an Alpine secdb file converted to OSV. `file` names
/// the unit in errors.
pub fn parse_unit(file: &str, bytes: &[u8]) -> Result<Vec<Osv>, OsvError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let value: Value = match first {
        Some(b'{') | Some(b'[') => serde_json::from_slice(bytes).map_err(|e| OsvError {
            file: file.to_string(),
            place: Some(format!("line {} column {}", e.line(), e.column())),
            message: format!("not valid JSON: {e}"),
        })?,
        None => {
            return Err(OsvError {
                file: file.to_string(),
                place: None,
                message: "empty file (expected an OSV record)".into(),
            })
        }
        Some(_) => {
            let text = std::str::from_utf8(bytes).map_err(|e| OsvError {
                file: file.to_string(),
                place: Some(format!("byte {}", e.valid_up_to())),
                message: "not UTF-8 text (expected an OSV record in JSON or YAML)".into(),
            })?;
            yaml_to_value(file, text)?
        }
    };
    match &value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                Osv::from_value(file, v).map_err(|mut e| {
                    e.place = Some(match e.place.take() {
                        Some(p) => format!("[{i}].{p}"),
                        None => format!("[{i}]"),
                    });
                    e
                })
            })
            .collect(),
        Value::Object(o) if o.contains_key("packages") && o.contains_key("distroversion") => {
            alpine_secdb(file, &value)
        }
        _ => Ok(vec![Osv::from_value(file, &value)?]),
    }
}

/// Converts an Alpine secdb file (`distroversion`, `packages[].pkg.secfixes`
/// mapping each fixed version to vulnerability ids) into OSV records: one
/// per vulnerability id, `ALPINE-<id>`, with the id as alias and one
/// affected entry per package, ecosystem `Alpine:<distroversion>`, range
/// `introduced 0, fixed <version>`. A fixed version `0` means the package
/// was never affected and is skipped.
pub fn alpine_secdb(file: &str, value: &Value) -> Result<Vec<Osv>, OsvError> {
    let err = |place: String, message: &str| OsvError {
        file: file.to_string(),
        place: Some(place),
        message: message.to_string(),
    };
    let release = value
        .get("distroversion")
        .and_then(Value::as_str)
        .ok_or_else(|| err("distroversion".into(), "expected a string such as v3.11"))?;
    let ecosystem = format!("Alpine:{release}");
    let packages = value
        .get("packages")
        .and_then(Value::as_array)
        .ok_or_else(|| err("packages".into(), "expected an array of packages"))?;
    // id -> (aliases, affected entries), in first-seen order.
    let mut order: Vec<String> = Vec::new();
    let mut by_id: std::collections::HashMap<String, (Vec<String>, Vec<Value>)> =
        std::collections::HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        let pp = format!("packages[{i}].pkg");
        let pkg = p
            .get("pkg")
            .and_then(Value::as_object)
            .ok_or_else(|| err(pp.clone(), "expected an object with name and secfixes"))?;
        let name = pkg
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| err(format!("{pp}.name"), "expected the package name"))?;
        let Some(fixes) = pkg.get("secfixes").filter(|v| !v.is_null()) else {
            continue;
        };
        let fixes = fixes.as_object().ok_or_else(|| {
            err(
                format!("{pp}.secfixes"),
                "expected a mapping of version to ids",
            )
        })?;
        for (version, ids) in fixes {
            let place = format!("{pp}.secfixes.{version}");
            let ids = match ids {
                Value::Null => continue,
                Value::Array(a) => a,
                _ => return Err(err(place, "expected a list of vulnerability ids")),
            };
            for (j, text) in ids.iter().enumerate() {
                let Some(text) = text.as_str() else {
                    if text.is_null() {
                        continue;
                    }
                    return Err(err(format!("{place}[{j}]"), "expected a vulnerability id"));
                };
                let mut tokens = text
                    .split_whitespace()
                    .filter(|t| !t.starts_with('(') && !t.ends_with(')'));
                let Some(id) = tokens.next() else { continue };
                if version == "0" {
                    continue;
                }
                let entry = by_id.entry(id.to_string()).or_insert_with(|| {
                    order.push(id.to_string());
                    (vec![id.to_string()], Vec::new())
                });
                for alias in tokens {
                    if !entry.0.iter().any(|a| a == alias) {
                        entry.0.push(alias.to_string());
                    }
                }
                entry.1.push(json!({
                    "package": {"ecosystem": ecosystem, "name": name,
                        "purl": format!("pkg:apk/alpine/{name}")},
                    "ranges": [{"type": "ECOSYSTEM",
                        "events": [{"introduced": "0"}, {"fixed": version}]}],
                }));
            }
        }
    }
    let mut out = Vec::with_capacity(order.len());
    for id in order {
        if let Some((aliases, affected)) = by_id.remove(&id) {
            let record = json!({
                "id": format!("ALPINE-{id}"),
                "aliases": aliases,
                "affected": affected,
                "database_specific": {"converted_from": "alpine-secdb"},
            });
            out.push(Osv::from_value(file, &record)?);
        }
    }
    Ok(out)
}
