//! apk's database of installed packages, `lib/apk/db/installed` (Alpine,
//! Wolfi, Chainguard): records of `K:value` lines separated by blank lines
//! (<https://wiki.alpinelinux.org/wiki/Apk_spec>). Read: `P` name, `V`
//! version (`pkgver`), `A` architecture, `L` license, `o` origin (the
//! source package); every other key is skipped.

use palisade_model::{Ecosystem, Package};

use super::{AnalyzeError, Analyzer, FileRef, Found};
use crate::layer::Entry;

/// Reads apk's installed database.
pub struct Apk;

/// Where apk keeps it.
pub const INSTALLED: &str = "lib/apk/db/installed";
/// Longest line accepted (file lists put one path per line).
pub const MAX_LINE: usize = 64 * 1024;

impl Analyzer for Apk {
    fn id(&self) -> &'static str {
        "apk"
    }

    fn wants(&self, entry: &Entry) -> bool {
        entry.path == INSTALLED
    }

    fn analyze(&self, file: &FileRef<'_>, out: &mut Found) -> Result<(), AnalyzeError> {
        out.packages
            .extend(parse_installed(file.contents, file.path())?);
        Ok(())
    }
}

#[derive(Default)]
struct Record<'a> {
    start: usize,
    name: Option<&'a str>,
    version: Option<&'a str>,
    arch: Option<&'a str>,
    license: Option<&'a str>,
    origin: Option<&'a str>,
}

/// Parses an installed database; errors name `path` and the line.
pub fn parse_installed(bytes: &[u8], path: &str) -> Result<Vec<Package>, AnalyzeError> {
    let mut out = Vec::new();
    let mut rec: Option<Record<'_>> = None;
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.is_empty() {
            if let Some(r) = rec.take() {
                out.push(finish(r, path)?);
            }
            continue;
        }
        if line.len() > MAX_LINE {
            return Err(AnalyzeError::new(format!(
                "line {n}: line of {} bytes is longer than {MAX_LINE}",
                line.len()
            )));
        }
        if line.len() < 2 || line[1] != b':' {
            return Err(AnalyzeError::new(format!(
                "line {n}: expected 'K:value' (one-letter key and a colon), found {:?}",
                String::from_utf8_lossy(&line[..line.len().min(80)])
            )));
        }
        let r = rec.get_or_insert_with(|| Record {
            start: n,
            ..Record::default()
        });
        let key = line[0];
        let slot = match key {
            b'P' => &mut r.name,
            b'V' => &mut r.version,
            b'A' => &mut r.arch,
            b'L' => &mut r.license,
            b'o' => &mut r.origin,
            _ => continue,
        };
        let value = std::str::from_utf8(&line[2..]).map_err(|e| {
            AnalyzeError::new(format!(
                "line {n}: {}: value is not UTF-8 (invalid byte at column {})",
                char::from(key),
                e.valid_up_to() + 3
            ))
        })?;
        if slot.is_some() {
            return Err(AnalyzeError::new(format!(
                "line {n}: second {}: in the record starting at line {} (missing blank line between packages?)",
                char::from(key),
                r.start
            )));
        }
        *slot = Some(value);
    }
    if let Some(r) = rec.take() {
        out.push(finish(r, path)?);
    }
    Ok(out)
}

fn finish(r: Record<'_>, path: &str) -> Result<Package, AnalyzeError> {
    let missing =
        |what: &str| AnalyzeError::new(format!("line {}: package record has no {what}", r.start));
    let name = r
        .name
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("P: (name)"))?;
    let version = r
        .version
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("V: (version)"))?;
    let arch = r.arch.filter(|s| !s.is_empty()).map(str::to_string);
    let purl = palisade_model::purl(
        "apk",
        None,
        name,
        version,
        &[("arch", arch.as_deref().unwrap_or(""))],
    );
    Ok(Package {
        name: name.to_string(),
        version: version.to_string(),
        ecosystem: Ecosystem::Apk,
        purl,
        source_name: r.origin.filter(|s| !s.is_empty()).map(str::to_string),
        source_version: None,
        arch,
        licenses: r
            .license
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .into_iter()
            .collect(),
        layer: String::new(),
        path: path.to_string(),
    })
}
