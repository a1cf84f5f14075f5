//! `/etc/os-release` and `/usr/lib/os-release`
//! (<https://www.freedesktop.org/software/systemd/man/os-release.html>).

use palisade_model::OsInfo;

use super::{utf8, AnalyzeError, Analyzer, FileRef, Found};
use crate::layer::Entry;

/// Reads the os-release file.
pub struct OsRelease;

/// The paths that may hold it; `etc/os-release` wins when both survive.
pub const OS_RELEASE_PATHS: [&str; 2] = ["etc/os-release", "usr/lib/os-release"];

impl Analyzer for OsRelease {
    fn id(&self) -> &'static str {
        "os-release"
    }

    fn wants(&self, entry: &Entry) -> bool {
        OS_RELEASE_PATHS.contains(&entry.path.as_str()) && entry.size <= 64 * 1024
    }

    fn analyze(&self, file: &FileRef<'_>, out: &mut Found) -> Result<(), AnalyzeError> {
        let text = utf8(file)?;
        let info = parse(text)?;
        out.os = Some(info);
        Ok(())
    }
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
    fn garbage_names_the_line() {
        let err = parse("ID=debian\nthis is not os-release\n").unwrap_err();
        assert!(err.message.starts_with("line 2:"), "{}", err.message);
    }
}
