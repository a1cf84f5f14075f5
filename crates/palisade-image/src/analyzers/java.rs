//! Java archives (`.jar`, `.war`, `.ear`, `.par`): zip files whose Maven
//! coordinates are read from `META-INF/maven/**/pom.properties` (every one:
//! a shaded jar records the jars it absorbed), else from
//! `META-INF/MANIFEST.MF` (`Implementation-Title`/`Bundle-SymbolicName`,
//! `Implementation-Version`/`Bundle-Version`), else from a file name of the
//! form `NAME-VERSION.jar`.
//!
//! Archives inside an archive (`WEB-INF/lib/*.jar`, Spring Boot's
//! `BOOT-INF/lib/*.jar`, an `.ear`'s modules) are opened in turn, at most
//! [`JarLimits::max_depth`] deep. Every package found is recorded against
//! the outer archive, the file the image holds. Zip bombs are bounded by
//! [`JarLimits`]: entries per archive and decompressed bytes in all.

use std::io::{Cursor, Read};

use palisade_model::{purl, Ecosystem, Package};

use super::{AnalyzeError, Analyzer, FileRef, Found};
use crate::layer::Entry;

/// Largest archive read (the default layer limit on a wanted file).
pub const MAX_ARCHIVE_SIZE: u64 = 64 << 20;

/// Bounds on reading one archive and everything nested in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JarLimits {
    /// Most entries in one archive (nested ones included). Default 100,000.
    pub max_entries: usize,
    /// Nesting depth: 0 reads only the outer archive. Default 4.
    pub max_depth: usize,
    /// Decompressed bytes read in all (nested archives and metadata files).
    /// Default 256 MiB.
    pub max_total_bytes: u64,
    /// Largest metadata file (`pom.properties`, `MANIFEST.MF`). Default 1 MiB.
    pub max_metadata_size: u64,
}

impl Default for JarLimits {
    fn default() -> Self {
        Self {
            max_entries: 100_000,
            max_depth: 4,
            max_total_bytes: 256 << 20,
            max_metadata_size: 1 << 20,
        }
    }
}

/// Reads Java archives.
pub struct Java;

impl Analyzer for Java {
    fn id(&self) -> &'static str {
        "java"
    }

    fn wants(&self, entry: &Entry) -> bool {
        entry.size <= MAX_ARCHIVE_SIZE && is_archive_name(&entry.path)
    }

    fn analyze(&self, file: &FileRef<'_>, out: &mut Found) -> Result<(), AnalyzeError> {
        out.packages.extend(read_archive(
            file.contents,
            file.path(),
            &JarLimits::default(),
        )?);
        Ok(())
    }
}

fn is_archive_name(path: &str) -> bool {
    let lower = path.rsplit('/').next().unwrap_or(path);
    [".jar", ".war", ".ear", ".par"].iter().any(|ext| {
        lower.len() > ext.len()
            && lower
                .get(lower.len() - ext.len()..)
                .is_some_and(|e| e.eq_ignore_ascii_case(ext))
    })
}

/// Reads an archive and the archives nested in it; every package's `path`
/// is `path`. Errors name the archive (`outer.jar!/WEB-INF/lib/x.jar`) and
/// the entry at fault.
pub fn read_archive(
    data: &[u8],
    path: &str,
    limits: &JarLimits,
) -> Result<Vec<Package>, AnalyzeError> {
    let mut budget = limits.max_total_bytes;
    let mut out = Vec::new();
    read_one(data, path, path, 0, limits, &mut budget, &mut out)?;
    Ok(out)
}

fn read_one(
    data: &[u8],
    name: &str,
    path: &str,
    depth: usize,
    limits: &JarLimits,
    budget: &mut u64,
    out: &mut Vec<Package>,
) -> Result<(), AnalyzeError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(data))
        .map_err(|e| AnalyzeError::new(format!("{name}: not a readable zip archive: {e}")))?;
    if zip.len() > limits.max_entries {
        return Err(AnalyzeError::new(format!(
            "{name}: {} entries, more than {} (limit max_entries)",
            zip.len(),
            limits.max_entries
        )));
    }
    let mut poms = Vec::new();
    let mut manifest = None;
    let mut nested = Vec::new();
    for i in 0..zip.len() {
        let Some(entry_name) = zip.name_for_index(i) else {
            continue;
        };
        if entry_name.ends_with("/pom.properties") && entry_name.starts_with("META-INF/maven/") {
            poms.push(i);
        } else if entry_name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
            manifest = Some(i);
        } else if is_archive_name(entry_name) && !entry_name.ends_with('/') {
            nested.push(i);
        }
    }
    let mut found_here = false;
    for i in poms {
        // A pom.properties without all three coordinates is skipped.
        let (_, bytes) = read_entry(&mut zip, i, name, limits.max_metadata_size, budget)?;
        if let Some(pkg) = from_pom_properties(&String::from_utf8_lossy(&bytes), path) {
            out.push(pkg);
            found_here = true;
        }
    }
    if !found_here {
        let from_manifest = match manifest {
            Some(i) => {
                let (_, bytes) = read_entry(&mut zip, i, name, limits.max_metadata_size, budget)?;
                from_manifest(&String::from_utf8_lossy(&bytes), name, path)
            }
            None => None,
        };
        if let Some(pkg) = from_manifest.or_else(|| from_file_name(name, path)) {
            out.push(pkg);
        }
    }
    if depth >= limits.max_depth {
        return Ok(());
    }
    for i in nested {
        let (entry_name, bytes) = read_entry(&mut zip, i, name, *budget, budget)?;
        let inner = format!("{name}!/{entry_name}");
        read_one(&bytes, &inner, path, depth + 1, limits, budget, out)?;
    }
    Ok(())
}

/// Reads one entry, at most `max` bytes and within the shared budget.
fn read_entry(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    i: usize,
    archive: &str,
    max: u64,
    budget: &mut u64,
) -> Result<(String, Vec<u8>), AnalyzeError> {
    let mut f = zip
        .by_index(i)
        .map_err(|e| AnalyzeError::new(format!("{archive}: entry {i}: {e}")))?;
    let entry_name = f.name().to_string();
    let cap = max.min(*budget);
    let mut buf = Vec::with_capacity(usize::try_from(f.size().min(cap).min(1 << 20)).unwrap_or(0));
    (&mut f)
        .take(cap.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| {
            AnalyzeError::new(format!("{archive}!/{entry_name}: cannot decompress: {e}"))
        })?;
    if buf.len() as u64 > cap {
        return Err(AnalyzeError::new(if cap == *budget {
            format!("{archive}!/{entry_name}: the archive decompresses to more than the limit (max_total_bytes)")
        } else {
            format!("{archive}!/{entry_name}: more than {max} bytes (max_metadata_size)")
        }));
    }
    *budget -= buf.len() as u64;
    Ok((entry_name, buf))
}

fn from_pom_properties(text: &str, path: &str) -> Option<Package> {
    let mut group = None;
    let mut artifact = None;
    let mut version = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with(['#', '!']) {
            continue;
        }
        let Some((k, v)) = line.split_once(['=', ':']) else {
            continue;
        };
        match k.trim() {
            "groupId" => group = Some(v.trim()),
            "artifactId" => artifact = Some(v.trim()),
            "version" => version = Some(v.trim()),
            _ => {}
        }
    }
    let (group, artifact, version) = (group?, artifact?, version?);
    if group.is_empty() || artifact.is_empty() || version.is_empty() {
        return None;
    }
    Some(maven_package(Some(group), artifact, version, path))
}

/// Manifest headers, with 72-byte line continuation (a leading space).
fn from_manifest(text: &str, archive: &str, path: &str) -> Option<Package> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            break; // end of the main section
        }
        if let Some(rest) = line.strip_prefix(' ') {
            if let Some((_, v)) = headers.last_mut() {
                if v.len() < 4096 {
                    v.push_str(rest);
                }
            }
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let get = |k: &str| {
        headers
            .iter()
            .find(|(h, v)| h.eq_ignore_ascii_case(k) && !v.is_empty())
            .map(|(_, v)| v.as_str())
    };
    // Bundle-SymbolicName may carry directives: `org.x.y;singleton:=true`.
    let symbolic = get("Bundle-SymbolicName").and_then(|s| s.split(';').next());
    let version = get("Implementation-Version").or(get("Bundle-Version"))?;
    // Implementation-Vendor-Id is a Maven groupId when a build sets it.
    let group = get("Implementation-Vendor-Id");
    let title = get("Implementation-Title");
    let artifact = match (group, title, symbolic) {
        (Some(_), Some(t), _) => t,
        (_, _, Some(s)) => s,
        (_, Some(t), _) => t,
        _ => file_stem_name(archive)?.0,
    };
    if artifact.trim().is_empty() {
        return None;
    }
    Some(maven_package(group, artifact.trim(), version, path))
}

/// `commons-io-2.11.0.jar` → (`commons-io`, `2.11.0`): the name ends where
/// a `-` is followed by a digit.
fn file_stem_name(archive: &str) -> Option<(&str, &str)> {
    let base = archive.rsplit(['/', '!']).next().unwrap_or(archive);
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let at = stem
        .char_indices()
        .find(|&(i, c)| c == '-' && stem[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
        .map(|(i, _)| i);
    match at {
        Some(i) => Some((&stem[..i], &stem[i + 1..])),
        None => Some((stem, "")),
    }
}

fn from_file_name(archive: &str, path: &str) -> Option<Package> {
    let (name, version) = file_stem_name(archive)?;
    if name.is_empty() || version.is_empty() {
        return None;
    }
    Some(maven_package(None, name, version, path))
}

fn maven_package(group: Option<&str>, artifact: &str, version: &str, path: &str) -> Package {
    let name = match group {
        Some(g) => format!("{g}:{artifact}"),
        None => artifact.to_string(),
    };
    Package {
        purl: purl("maven", group, artifact, version, &[]),
        name,
        version: version.to_string(),
        ecosystem: Ecosystem::Maven,
        source_name: None,
        source_version: None,
        arch: None,
        licenses: Vec::new(),
        layer: String::new(),
        path: path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(
            file_stem_name("lib/commons-io-2.11.0.jar"),
            Some(("commons-io", "2.11.0"))
        );
        assert_eq!(
            file_stem_name("a.war!/WEB-INF/lib/guava-32.1-jre.jar"),
            Some(("guava", "32.1-jre"))
        );
        assert_eq!(file_stem_name("app.jar"), Some(("app", "")));
        assert!(is_archive_name("x/Y.JAR"));
        assert!(!is_archive_name("x/.jar"));
        assert!(!is_archive_name("x/jar"));
    }

    #[test]
    fn manifest_wraps_and_bundles() {
        let m = "Manifest-Version: 1.0\r\nBundle-SymbolicName: org.example.very.long.symbolic.name.that.wraps.past.seventy.two.by\r\n tes;singleton:=true\r\nBundle-Version: 1.2.3\r\n\r\nName: x\r\nImplementation-Version: 9\r\n";
        let p = from_manifest(m, "x.jar", "x.jar").unwrap();
        assert_eq!(
            p.name,
            "org.example.very.long.symbolic.name.that.wraps.past.seventy.two.bytes"
        );
        assert_eq!(p.version, "1.2.3");
    }
}
