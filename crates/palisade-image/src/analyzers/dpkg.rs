//! dpkg's database of installed packages: `var/lib/dpkg/status`, and the
//! one-file-per-package `var/lib/dpkg/status.d/` that distroless images
//! write instead (its `*.md5sums` files are ignored).
//!
//! The format is deb822 (`Field: value` lines, continuation lines starting
//! with a space or tab, records separated by blank lines). Only the fields
//! an inventory needs have to be UTF-8, so a Latin-1 description in an old
//! record does not stop the scan.

use palisade_model::{Ecosystem, Package};

use super::{AnalyzeError, Analyzer, FileRef, Found};
use crate::layer::Entry;

/// Reads dpkg status files.
pub struct Dpkg;

/// The status database.
pub const STATUS: &str = "var/lib/dpkg/status";
/// The distroless directory of per-package status files.
pub const STATUS_D: &str = "var/lib/dpkg/status.d/";
/// Longest line accepted.
pub const MAX_LINE: usize = 1 << 20;
/// Longest package name, version, architecture or source accepted.
pub const MAX_VALUE: usize = 4096;

impl Analyzer for Dpkg {
    fn id(&self) -> &'static str {
        "dpkg"
    }

    fn wants(&self, entry: &Entry) -> bool {
        let p = entry.path.as_str();
        p == STATUS || p.strip_prefix(STATUS_D).is_some_and(is_status_d_name)
    }

    fn analyze(&self, file: &FileRef<'_>, out: &mut Found) -> Result<(), AnalyzeError> {
        let path = file.path();
        // status.d files written by image builders may leave out Status:
        // a record there is installed unless it says otherwise.
        let require_status = path == STATUS;
        out.packages
            .extend(parse_status(file.contents, path, require_status)?);
        Ok(())
    }
}

fn is_status_d_name(name: &str) -> bool {
    !name.is_empty() && !name.contains('/') && !name.ends_with(".md5sums") && !name.starts_with('.')
}

/// A field of a record: name, value of its first line, line number.
struct Field<'a> {
    name: &'a [u8],
    value: &'a [u8],
    line: usize,
}

/// Parses a status file. Packages whose `Status` says their files are on
/// disk (any state but `not-installed` and `config-files`) are returned;
/// with `require_status` false a record without `Status` counts as
/// installed. Errors name `path` and the line.
pub fn parse_status(
    bytes: &[u8],
    path: &str,
    require_status: bool,
) -> Result<Vec<Package>, AnalyzeError> {
    let mut packages = Vec::new();
    let mut record: Vec<Field<'_>> = Vec::new();
    let mut start = 0usize;
    let mut lines = bytes.split(|&b| b == b'\n').enumerate().peekable();
    while let Some((i, raw)) = lines.next() {
        let n = i + 1;
        let last = lines.peek().is_none();
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.len() > MAX_LINE {
            return Err(AnalyzeError::new(format!(
                "line {n}: line of {} bytes is longer than {MAX_LINE}",
                line.len()
            )));
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            if !record.is_empty() {
                if let Some(p) = package(&record, start, path, require_status)? {
                    packages.push(p);
                }
                record.clear();
            }
            if last {
                break;
            }
            continue;
        }
        if matches!(line[0], b' ' | b'\t') {
            if record.is_empty() {
                return Err(AnalyzeError::new(format!(
                    "line {n}: continuation line outside a field (expected 'Field: value')"
                )));
            }
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return Err(AnalyzeError::new(format!(
                "line {n}: expected 'Field: value', found {:?}",
                excerpt(line)
            )));
        };
        let name = &line[..colon];
        if name.is_empty() || name.iter().any(|b| b.is_ascii_whitespace()) {
            return Err(AnalyzeError::new(format!(
                "line {n}: expected a field name before ':', found {:?}",
                excerpt(line)
            )));
        }
        if record.is_empty() {
            start = n;
        }
        record.push(Field {
            name,
            value: line[colon + 1..].trim_ascii(),
            line: n,
        });
    }
    if !record.is_empty() {
        if let Some(p) = package(&record, start, path, require_status)? {
            packages.push(p);
        }
    }
    Ok(packages)
}

fn excerpt(line: &[u8]) -> String {
    String::from_utf8_lossy(&line[..line.len().min(80)]).into_owned()
}

/// The text of a field, if present: UTF-8 and bounded.
fn text<'a>(record: &[Field<'a>], name: &str) -> Result<Option<(&'a str, usize)>, AnalyzeError> {
    let Some(f) = record
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(name.as_bytes()))
    else {
        return Ok(None);
    };
    let s = std::str::from_utf8(f.value).map_err(|e| {
        AnalyzeError::new(format!(
            "line {}: {name} is not UTF-8 (invalid byte at column {})",
            f.line,
            name.len() + 2 + e.valid_up_to() + 1
        ))
    })?;
    if s.len() > MAX_VALUE {
        return Err(AnalyzeError::new(format!(
            "line {}: {name} is {} bytes, longer than {MAX_VALUE}",
            f.line,
            s.len()
        )));
    }
    Ok(Some((s, f.line)))
}

fn package(
    record: &[Field<'_>],
    start: usize,
    path: &str,
    require_status: bool,
) -> Result<Option<Package>, AnalyzeError> {
    let Some((name, _)) = text(record, "Package")?.filter(|(s, _)| !s.is_empty()) else {
        return Err(AnalyzeError::new(format!(
            "line {start}: record has no Package field"
        )));
    };
    match text(record, "Status")? {
        Some((status, line)) => {
            let words: Vec<&str> = status.split_ascii_whitespace().collect();
            let [_want, _flag, state] = words.as_slice() else {
                return Err(AnalyzeError::new(format!(
                    "line {line}: Status {status:?} of {name}: expected 'want flag state'"
                )));
            };
            if matches!(*state, "not-installed" | "config-files") {
                return Ok(None);
            }
        }
        None if require_status => {
            return Err(AnalyzeError::new(format!(
                "line {start}: package {name} has no Status field"
            )));
        }
        None => {}
    }
    let Some((version, _)) = text(record, "Version")?.filter(|(s, _)| !s.is_empty()) else {
        return Err(AnalyzeError::new(format!(
            "line {start}: package {name} has no Version field"
        )));
    };
    let arch = text(record, "Architecture")?
        .map(|(a, _)| a.to_string())
        .filter(|a| !a.is_empty());
    let (source_name, source_version) = match text(record, "Source")? {
        None => (None, None),
        Some((source, line)) => {
            let (sname, sver) = match source.split_once(' ') {
                None => (source, None),
                Some((sname, rest)) => {
                    let Some(v) = rest
                        .trim()
                        .strip_prefix('(')
                        .and_then(|r| r.strip_suffix(')'))
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                    else {
                        return Err(AnalyzeError::new(format!(
                            "line {line}: Source {source:?} of {name}: expected 'name' or 'name (version)'"
                        )));
                    };
                    (sname, Some(v))
                }
            };
            (
                Some(sname.to_string()),
                sver.filter(|v| *v != version).map(str::to_string),
            )
        }
    };
    let purl = palisade_model::purl(
        "deb",
        None,
        name,
        version,
        &[("arch", arch.as_deref().unwrap_or(""))],
    );
    Ok(Some(Package {
        name: name.to_string(),
        version: version.to_string(),
        ecosystem: Ecosystem::Deb,
        purl,
        source_name,
        source_version,
        arch,
        licenses: Vec::new(),
        layer: String::new(),
        path: path.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = "Package: libc6\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nMulti-Arch: same\nSource: glibc\nVersion: 2.36-9+deb12u7\nDescription: GNU C Library\n Contains the standard libraries.\n .\n More.\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1.0-1\nArchitecture: all\n\nPackage: dpkg-dev\nStatus: install ok installed\nArchitecture: all\nSource: dpkg (1.21.22)\nVersion: 1:1.21.22\n";

    #[test]
    fn reads_installed_records_only() {
        let p = parse_status(TWO.as_bytes(), STATUS, true).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].name, "libc6");
        assert_eq!(p[0].version, "2.36-9+deb12u7");
        assert_eq!(p[0].source_name.as_deref(), Some("glibc"));
        assert_eq!(p[0].source_version, None);
        assert_eq!(p[1].version, "1:1.21.22");
        assert_eq!(p[1].source_version.as_deref(), Some("1.21.22"));
        assert_eq!(p[1].purl, "pkg:deb/dpkg-dev@1:1.21.22?arch=all");
    }

    #[test]
    fn crlf_and_many_blank_lines() {
        let text = TWO
            .replace('\n', "\r\n")
            .replace("\r\n\r\n", "\r\n\r\n\r\n \r\n");
        let p = parse_status(text.as_bytes(), STATUS, true).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].arch.as_deref(), Some("amd64"));
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse_status(b"Package: a\nStatus: install ok installed\nVersion: 1\n\nPackage: b\nStatus: install ok installed\nArchitecture: all\n", STATUS, true).unwrap_err();
        assert_eq!(e.message, "line 5: package b has no Version field");
        let e = parse_status(b" leading continuation\n", STATUS, true).unwrap_err();
        assert!(e.message.contains("line 1: continuation"), "{}", e.message);
        let e = parse_status(b"Package: a\nno colon here\n", STATUS, true).unwrap_err();
        assert!(
            e.message.contains("line 2: expected 'Field: value'"),
            "{}",
            e.message
        );
        let e = parse_status(b"Version: 1\n", STATUS, true).unwrap_err();
        assert!(
            e.message.contains("line 1: record has no Package"),
            "{}",
            e.message
        );
        let e = parse_status(b"Package: a\nVersion: 1\n", STATUS, true).unwrap_err();
        assert!(e.message.contains("has no Status"), "{}", e.message);
        assert_eq!(
            parse_status(b"Package: a\nVersion: 1\n", "x", false)
                .unwrap()
                .len(),
            1
        );
        let e =
            parse_status(b"Package: a\nStatus: installed\nVersion: 1\n", STATUS, true).unwrap_err();
        assert!(e.message.contains("line 2: Status"), "{}", e.message);
        let e = parse_status(
            b"Package: a\nStatus: install ok installed\nVersion: 1\nSource: b (1\n",
            STATUS,
            true,
        )
        .unwrap_err();
        assert!(e.message.contains("line 4: Source"), "{}", e.message);
    }

    #[test]
    fn invalid_utf8_only_matters_in_used_fields() {
        let ok =
            b"Package: a\nStatus: install ok installed\nVersion: 1\nDescription: caf\xe9\n \xff\n";
        assert_eq!(parse_status(ok, STATUS, true).unwrap().len(), 1);
        let bad = b"Package: a\nStatus: install ok installed\nVersion: 1\xff\n";
        let e = parse_status(bad, STATUS, true).unwrap_err();
        assert!(
            e.message.contains("line 3: Version is not UTF-8"),
            "{}",
            e.message
        );
    }

    #[test]
    fn overlong_lines_and_values() {
        let mut long = b"Package: a\nDescription: ".to_vec();
        long.extend(std::iter::repeat_n(b'x', MAX_LINE + 1));
        let e = parse_status(&long, STATUS, true).unwrap_err();
        assert!(e.message.contains("line 2: line of"), "{}", e.message);
        let mut long = b"Package: a\nStatus: install ok installed\nVersion: ".to_vec();
        long.extend(std::iter::repeat_n(b'1', MAX_VALUE + 1));
        let e = parse_status(&long, STATUS, true).unwrap_err();
        assert!(e.message.contains("line 3: Version is"), "{}", e.message);
    }

    #[test]
    fn status_d_names() {
        assert!(is_status_d_name("base-files"));
        assert!(!is_status_d_name("base-files.md5sums"));
        assert!(!is_status_d_name("sub/dir"));
        assert!(!is_status_d_name(""));
    }
}
