//! Rust: `Cargo.lock` files (every format version, 1 to 4) and binaries
//! built with `cargo auditable`, which embed their dependency tree as
//! zlib-compressed JSON in the ELF section `.dep-v0`
//! (<https://github.com/rust-secure-code/cargo-auditable/blob/master/PARSING.md>).

use std::io::Read;

use flate2::read::ZlibDecoder;
use palisade_model::{purl, Ecosystem, Package};
use serde::Deserialize;

use super::elf::{executable, is_elf, Elf};
use super::{utf8, AnalyzeError, Analyzer, FileRef, Found};
use crate::layer::Entry;

/// Largest `Cargo.lock` read.
pub const MAX_LOCK_SIZE: u64 = 16 << 20;
/// Largest binary read (the default layer limit on a wanted file).
pub const MAX_BINARY_SIZE: u64 = 64 << 20;
/// Largest compressed `.dep-v0` section accepted.
pub const MAX_SECTION_SIZE: u64 = 4 << 20;
/// Largest decompressed `.dep-v0` JSON accepted (cargo-auditable's own
/// reader uses the same bound).
pub const MAX_DEP_JSON: u64 = 8 << 20;

/// Reads `Cargo.lock` files.
pub struct CargoLock;

impl Analyzer for CargoLock {
    fn id(&self) -> &'static str {
        "cargo-lock"
    }

    fn wants(&self, entry: &Entry) -> bool {
        (entry.path == "Cargo.lock" || entry.path.ends_with("/Cargo.lock"))
            && entry.size <= MAX_LOCK_SIZE
    }

    fn analyze(&self, file: &FileRef<'_>, out: &mut Found) -> Result<(), AnalyzeError> {
        let text = utf8(file)?;
        out.packages.extend(parse_lock(text, file.path())?);
        Ok(())
    }
}

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<LockPackage>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    version: String,
}

/// Parses a `Cargo.lock`: every `[[package]]` (workspace members, which have
/// no `source`, included). TOML errors carry the line and column.
pub fn parse_lock(text: &str, path: &str) -> Result<Vec<Package>, AnalyzeError> {
    let lock: Lock = toml::from_str(text).map_err(|e| {
        let place = e
            .span()
            .map(|s| line_col(text, s.start))
            .unwrap_or_default();
        AnalyzeError::new(format!(
            "{place}expected a Cargo.lock: {}",
            e.message().trim_end()
        ))
    })?;
    Ok(lock
        .package
        .into_iter()
        .map(|p| cargo_package(p.name, p.version, path))
        .collect())
}

fn line_col(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("line {line} column {col}: ")
}

fn cargo_package(name: String, version: String, path: &str) -> Package {
    Package {
        purl: purl("cargo", None, &name, &version, &[]),
        name,
        version,
        ecosystem: Ecosystem::Cargo,
        source_name: None,
        source_version: None,
        arch: None,
        licenses: Vec::new(),
        layer: String::new(),
        path: path.to_string(),
    }
}

/// Reads the dependency list of binaries built with `cargo auditable`.
pub struct CargoAuditable;

impl Analyzer for CargoAuditable {
    fn id(&self) -> &'static str {
        "cargo-auditable"
    }

    fn wants(&self, entry: &Entry) -> bool {
        executable(entry, MAX_BINARY_SIZE)
    }

    fn analyze(&self, file: &FileRef<'_>, out: &mut Found) -> Result<(), AnalyzeError> {
        // Unreadable ELF headers are not this analyzer's to report (see
        // the Go analyzer); only a broken `.dep-v0` section is.
        if !is_elf(file.contents) || Elf::parse(file.contents).is_err() {
            return Ok(());
        }
        out.packages
            .extend(read_auditable(file.contents, file.path())?.unwrap_or_default());
        Ok(())
    }
}

#[derive(Deserialize)]
struct DepInfo {
    packages: Vec<DepPackage>,
}

#[derive(Deserialize)]
struct DepPackage {
    name: String,
    version: String,
    #[serde(default)]
    kind: Option<String>,
}

/// The packages recorded in an ELF binary's `.dep-v0` section: `None` when
/// the binary has none. Build-time dependencies (`"kind": "build"`) are
/// left out, as they are not linked into the binary; the root package and
/// packages from any source are kept.
pub fn read_auditable(data: &[u8], path: &str) -> Result<Option<Vec<Package>>, AnalyzeError> {
    let elf = Elf::parse(data)?;
    let Some(section) = elf.section(".dep-v0") else {
        return Ok(None);
    };
    if section.size > MAX_SECTION_SIZE {
        return Err(AnalyzeError::new(format!(
            "section .dep-v0 is {} bytes, more than {MAX_SECTION_SIZE}",
            section.size
        )));
    }
    let compressed = elf.section_data(section)?;
    Ok(Some(parse_dep_v0(compressed, path)?))
}

/// Decompresses and parses the contents of a `.dep-v0` section.
pub fn parse_dep_v0(compressed: &[u8], path: &str) -> Result<Vec<Package>, AnalyzeError> {
    let mut json = Vec::new();
    ZlibDecoder::new(compressed)
        .take(MAX_DEP_JSON + 1)
        .read_to_end(&mut json)
        .map_err(|e| {
            AnalyzeError::new(format!(
                "section .dep-v0: not a zlib stream (after {} decompressed bytes): {e}",
                json.len()
            ))
        })?;
    if json.len() as u64 > MAX_DEP_JSON {
        return Err(AnalyzeError::new(format!(
            "section .dep-v0 decompresses to more than {MAX_DEP_JSON} bytes"
        )));
    }
    let info: DepInfo = serde_json::from_slice(&json).map_err(|e| {
        AnalyzeError::new(format!(
            "section .dep-v0 JSON line {} column {}: {e}",
            e.line(),
            e.column()
        ))
    })?;
    Ok(info
        .packages
        .into_iter()
        .filter(|p| p.kind.as_deref() != Some("build"))
        .map(|p| cargo_package(p.name, p.version, path))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_v1_and_v4() {
        let v1 = "[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"libc 0.2.150 (registry+https://github.com/rust-lang/crates.io-index)\",\n]\n\n[[package]]\nname = \"libc\"\nversion = \"0.2.150\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[metadata]\n\"checksum libc 0.2.150 (registry+https://github.com/rust-lang/crates.io-index)\" = \"abc\"\n";
        let pkgs = parse_lock(v1, "app/Cargo.lock").unwrap();
        assert_eq!(pkgs.len(), 2);
        assert_eq!(pkgs[1].purl, "pkg:cargo/libc@0.2.150");
        let v4 = "version = 4\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"ab\"\n";
        assert_eq!(parse_lock(v4, "Cargo.lock").unwrap()[0].name, "serde");
    }

    #[test]
    fn lock_errors_name_the_line() {
        let err = parse_lock("version = 3\n[[package]]\nname = 5\n", "Cargo.lock").unwrap_err();
        assert!(err.message.starts_with("line 3"), "{}", err.message);
        let err = parse_lock("[[package]\n", "Cargo.lock").unwrap_err();
        assert!(err.message.starts_with("line 1"), "{}", err.message);
    }
}
