//! `/etc/os-release` and `/usr/lib/os-release`
//! (<https://www.freedesktop.org/software/systemd/man/os-release.html>).

use palisade_model::OsInfo;

use super::{utf8, AnalyzeError, Analyzer, FileRef, Found};
use crate::layer::Entry;

/// Reads the os-release file.
pub struct OsRelease;

/// The paths that may name the distribution, best first: the pipeline keeps
/// the surviving file that comes earliest here. The os-release files come
/// first; the older distribution-specific release files after them only
/// matter in images too old to have os-release.
pub const OS_RELEASE_PATHS: [&str; 7] = [
    "etc/os-release",
    "usr/lib/os-release",
    "etc/azurelinux-release",
    "etc/mariner-release",
    "etc/redhat-release",
    "etc/alpine-release",
    "etc/debian_version",
];

impl Analyzer for OsRelease {
    fn id(&self) -> &'static str {
        "os-release"
    }

    fn wants(&self, entry: &Entry) -> bool {
        OS_RELEASE_PATHS.contains(&entry.path.as_str()) && entry.size <= 64 * 1024
    }

    fn analyze(&self, file: &FileRef<'_>, out: &mut Found) -> Result<(), AnalyzeError> {
        let text = utf8(file)?;
        let info = match file.path() {
            "etc/os-release" | "usr/lib/os-release" => parse(text)?,
            path => parse_legacy(path, text)?,
        };
        out.os = Some(info);
        Ok(())
    }
}

/// Reads one of the older release files (`path` is one of
/// [`OS_RELEASE_PATHS`] after the os-release files):
/// `etc/alpine-release` (`3.20.3`), `etc/debian_version` (`12.5`, or a
/// codename such as `bookworm/sid`), `etc/redhat-release` (`CentOS Linux
/// release 7.9.2009 (Core)`), `etc/mariner-release` (`CBL-Mariner
/// 2.0.20240123`) and `etc/azurelinux-release` (`Azure Linux 3.0.20240824`).
pub fn parse_legacy(path: &str, text: &str) -> Result<OsInfo, AnalyzeError> {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    let Some(first) = first else {
        return Err(AnalyzeError::new("line 1: release file is empty"));
    };
    let mut info = OsInfo {
        pretty_name: truncate(first),
        ..OsInfo::default()
    };
    let numeric = |s: &str| s.chars().next().is_some_and(|c| c.is_ascii_digit());
    match path {
        "etc/alpine-release" => {
            info.id = "alpine".to_string();
            info.version_id = truncate(first);
        }
        "etc/debian_version" => {
            info.id = "debian".to_string();
            if numeric(first) {
                // os-release says `12` where debian_version says `12.5`.
                info.version_id = first.split('.').next().unwrap_or(first).to_string();
            }
        }
        "etc/mariner-release" | "etc/azurelinux-release" => {
            info.id = if path == "etc/mariner-release" {
                "mariner"
            } else {
                "azurelinux"
            }
            .to_string();
            // `2.0.20240123`: os-release's VERSION_ID is `2.0`.
            let version = first.split_whitespace().find(|w| numeric(w)).unwrap_or("");
            info.version_id = version.split('.').take(2).collect::<Vec<_>>().join(".");
        }
        _ => {
            // redhat-release: `<Name> release <version> (<codename>)`.
            let lower = first.to_ascii_lowercase();
            info.id = [
                ("centos", "centos"),
                ("rocky", "rocky"),
                ("alma", "almalinux"),
                ("fedora", "fedora"),
                ("oracle", "ol"),
                ("red hat", "rhel"),
            ]
            .iter()
            .find(|(needle, _)| lower.starts_with(needle))
            .map_or("rhel", |(_, id)| id)
            .to_string();
            let mut words = first.split_whitespace();
            if words.any(|w| w == "release") {
                info.version_id = words
                    .next()
                    .filter(|w| numeric(w))
                    .unwrap_or("")
                    .to_string();
            }
            if info.version_id.is_empty() {
                return Err(AnalyzeError::new(format!(
                    "line 1: expected '<name> release <version>', found {:?}",
                    truncate(first)
                )));
            }
        }
    }
    Ok(info)
}

/// Parses os-release text: `KEY=value` lines, values optionally quoted
/// with shell quoting (`"..."`, `'...'`, backslash escapes in double
/// quotes); comments and blank lines ignored.
pub fn parse(text: &str) -> Result<OsInfo, AnalyzeError> {
    let mut info = OsInfo::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else {
            return Err(AnalyzeError::new(format!(
                "line {}: expected KEY=value, found {:?}",
                n + 1,
                truncate(line)
            )));
        };
        let value = unquote(raw.trim());
        match key.trim() {
            "ID" => info.id = value.to_ascii_lowercase(),
            "VERSION_ID" => info.version_id = value,
            "PRETTY_NAME" => info.pretty_name = value,
            "VERSION_CODENAME" if !value.is_empty() => info.codename = Some(value),
            "ID_LIKE" => {
                info.id_like = value.split_whitespace().map(str::to_string).collect();
            }
            _ => {}
        }
    }
    if info.id.is_empty() {
        // The specification's default when ID is absent.
        info.id = "linux".to_string();
    }
    if info.pretty_name.is_empty() {
        info.pretty_name = format!("{} {}", info.id, info.version_id)
            .trim()
            .to_string();
    }
    Ok(info)
}

fn unquote(raw: &str) -> String {
    let bytes = raw.as_bytes();
    if bytes.len() >= 2 && bytes[0] == b'\'' && bytes[bytes.len() - 1] == b'\'' {
        return raw[1..raw.len() - 1].to_string();
    }
    if bytes.len() >= 2 && bytes[0] == b'"' && bytes[bytes.len() - 1] == b'"' {
        let inner = &raw[1..raw.len() - 1];
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            } else {
                out.push(c);
            }
        }
        return out;
    }
    raw.to_string()
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_debian_bookworm() {
        let text = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL=\"https://www.debian.org/\"\n";
        let info = parse(text).unwrap();
        assert_eq!(info.id, "debian");
        assert_eq!(info.version_id, "12");
        assert_eq!(info.codename.as_deref(), Some("bookworm"));
        assert_eq!(info.pretty_name, "Debian GNU/Linux 12 (bookworm)");
    }

    #[test]
    fn reads_id_like_and_single_quotes() {
        let info =
            parse("ID='rocky'\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\n").unwrap();
        assert_eq!(info.id, "rocky");
        assert_eq!(info.id_like, ["rhel", "centos", "fedora"]);
        assert_eq!(info.pretty_name, "rocky 9.4");
    }

    #[test]
    fn reads_older_release_files() {
        let a = parse_legacy("etc/alpine-release", "3.20.3\n").unwrap();
        assert_eq!((a.id.as_str(), a.version_id.as_str()), ("alpine", "3.20.3"));
        let d = parse_legacy("etc/debian_version", "12.5\n").unwrap();
        assert_eq!((d.id.as_str(), d.version_id.as_str()), ("debian", "12"));
        let d = parse_legacy("etc/debian_version", "bookworm/sid\n").unwrap();
        assert_eq!(d.version_id, "");
        let c = parse_legacy(
            "etc/redhat-release",
            "CentOS Linux release 7.9.2009 (Core)\n",
        )
        .unwrap();
        assert_eq!(
            (c.id.as_str(), c.version_id.as_str()),
            ("centos", "7.9.2009")
        );
        let r = parse_legacy(
            "etc/redhat-release",
            "Red Hat Enterprise Linux release 8.10 (Ootpa)\n",
        )
        .unwrap();
        assert_eq!((r.id.as_str(), r.version_id.as_str()), ("rhel", "8.10"));
        let m = parse_legacy(
            "etc/mariner-release",
            "CBL-Mariner 2.0.20240123\nMARINER_BUILD_NUMBER=rolling\n",
        )
        .unwrap();
        assert_eq!((m.id.as_str(), m.version_id.as_str()), ("mariner", "2.0"));
        let z = parse_legacy("etc/azurelinux-release", "Azure Linux 3.0.20240824\n").unwrap();
        assert_eq!(
            (z.id.as_str(), z.version_id.as_str()),
            ("azurelinux", "3.0")
        );
        let e = parse_legacy("etc/redhat-release", "garbage\n").unwrap_err();
        assert!(e.message.starts_with("line 1: expected"), "{}", e.message);
        assert!(parse_legacy("etc/alpine-release", "\n\n").is_err());
    }

    #[test]
    fn garbage_names_the_line() {
        let err = parse("ID=debian\nthis is not os-release\n").unwrap_err();
        assert!(err.message.starts_with("line 2:"), "{}", err.message);
    }
}
