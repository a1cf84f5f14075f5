//! Ruby gems: the specifications RubyGems writes when it installs a gem,
//! `specifications/NAME-VERSION.gemspec` under a gem home
//! (`usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec`,
//! `usr/local/bundle/specifications/...`).
//!
//! The installed form is Ruby source that RubyGems generates
//! (`Gem::Specification#to_ruby`): a `# stub: NAME VERSION PLATFORM PATHS`
//! comment, then `Gem::Specification.new do |s|` with one assignment a line
//! (`s.name = "rake".freeze`, `s.version = "13.0.6"`,
//! `s.licenses = ["MIT".freeze]`). It is read as text, never evaluated:
//! the string literals of those assignments are taken; anything computed
//! is not.

use palisade_model::{purl, Ecosystem, Package};

use super::{utf8, AnalyzeError, Analyzer, FileRef, Found};
use crate::layer::Entry;

/// Largest gemspec read.
pub const MAX_GEMSPEC_SIZE: u64 = 1 << 20;

/// Reads installed gem specifications.
pub struct Gemspec;

impl Analyzer for Gemspec {
    fn id(&self) -> &'static str {
        "gemspec"
    }

    fn wants(&self, entry: &Entry) -> bool {
        let p = entry.path.as_str();
        entry.size <= MAX_GEMSPEC_SIZE
            && p.ends_with(".gemspec")
            && p.rsplit('/').nth(1) == Some("specifications")
    }

    fn analyze(&self, file: &FileRef<'_>, out: &mut Found) -> Result<(), AnalyzeError> {
        out.packages.push(parse(utf8(file)?, file.path())?);
        Ok(())
    }
}

/// Parses an installed gemspec. The name and version come from the
/// `.name =` and `.version =` assignments, else from the `# stub:` line;
/// when neither gives them, the error says so.
pub fn parse(text: &str, path: &str) -> Result<Package, AnalyzeError> {
    let mut name = None;
    let mut version = None;
    let mut licenses = Vec::new();
    let mut stub: Option<(String, String)> = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("# stub:") {
            let mut f = rest.split_whitespace();
            if let (Some(n), Some(v)) = (f.next(), f.next()) {
                stub = Some((n.to_string(), v.to_string()));
            }
            continue;
        }
        let Some((lhs, rhs)) = line.split_once('=') else {
            continue;
        };
        let Some(field) = lhs.trim().rsplit_once('.').map(|(_, f)| f.trim()) else {
            continue;
        };
        match field {
            "name" if name.is_none() => name = strings(rhs).into_iter().next(),
            "version" if version.is_none() => version = strings(rhs).into_iter().next(),
            "license" | "licenses" if licenses.is_empty() => licenses = strings(rhs),
            _ => {}
        }
    }
    let (name, version) = match (name, version, stub) {
        (Some(n), Some(v), _) => (n, v),
        (n, v, Some((sn, sv))) => (n.unwrap_or(sn), v.unwrap_or(sv)),
        (None, _, None) => {
            return Err(AnalyzeError::new(
                "no `s.name = \"...\"` assignment and no `# stub:` line",
            ))
        }
        (Some(n), None, None) => {
            return Err(AnalyzeError::new(format!(
                "gem {n}: no `s.version = \"...\"` assignment and no `# stub:` line"
            )))
        }
    };
    Ok(Package {
        purl: purl("gem", None, &name, &version, &[]),
        name,
        version,
        ecosystem: Ecosystem::RubyGems,
        source_name: None,
        source_version: None,
        arch: None,
        licenses,
        layer: String::new(),
        path: path.to_string(),
    })
}

/// The double- or single-quoted string literals on the right of an
/// assignment (`["MIT".freeze, 'Ruby']`, `Gem::Version.new("1.0")`).
fn strings(rhs: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = rhs.chars();
    while let Some(c) = chars.next() {
        if c != '"' && c != '\'' {
            continue;
        }
        let mut s = String::new();
        let mut closed = false;
        while let Some(d) = chars.next() {
            if d == '\\' {
                if let Some(e) = chars.next() {
                    s.push(e);
                }
            } else if d == c {
                closed = true;
                break;
            } else {
                s.push(d);
            }
        }
        if closed && !s.is_empty() {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stub_fills_in() {
        let p = parse(
            "# stub: json 2.6.1 ruby lib\nGem::Specification.new do |s|\nend\n",
            "g",
        )
        .unwrap();
        assert_eq!((p.name.as_str(), p.version.as_str()), ("json", "2.6.1"));
        let err = parse(
            "Gem::Specification.new do |s|\n  s.name = \"x\"\nend\n",
            "g",
        )
        .unwrap_err();
        assert!(err.message.contains("gem x"), "{}", err.message);
        assert!(parse("garbage", "g").is_err());
    }
}
