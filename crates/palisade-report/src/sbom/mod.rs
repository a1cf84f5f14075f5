//! Software bills of materials for container images: CycloneDX 1.6 JSON
//! and SPDX 2.3 JSON.
//!
//! Both writers are pure functions of an [`SbomInput`]: the same input gives
//! the same bytes. Nothing here reads a clock or a random source; the caller
//! passes the creation time ([`timestamp`] formats one) and, when it wants
//! two documents of the same image at the same second to differ, a `seed`.
//! The document identifiers (CycloneDX `serialNumber`, SPDX
//! `documentNamespace`) are name-based UUIDs (version 8, RFC 9562) made
//! from a SHA-256 of everything in the input; see `docs/sbom.md`.
//!
//! ```
//! use palisade_model::{purl, Ecosystem, Package};
//! use palisade_report::sbom::{cyclonedx_json, spdx_json, SbomInput};
//!
//! let pkg = Package {
//!     name: "six".into(),
//!     version: "1.16.0".into(),
//!     ecosystem: Ecosystem::PyPI,
//!     purl: purl("pypi", None, "six", "1.16.0", &[]),
//!     source_name: None,
//!     source_version: None,
//!     arch: None,
//!     licenses: vec!["MIT".into()],
//!     layer: "sha256:0123".into(),
//!     path: "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA".into(),
//! };
//! let input = SbomInput {
//!     name: "registry.example/app:1",
//!     digest: Some("sha256:4f1c"),
//!     os: None,
//!     packages: std::slice::from_ref(&pkg),
//!     tool_version: "0.1.0",
//!     created: "2026-01-02T03:04:05Z",
//!     seed: "",
//! };
//! assert!(cyclonedx_json(&input).contains("\"pkg:pypi/six@1.16.0\""));
//! assert!(spdx_json(&input).contains("\"SPDX-2.3\""));
//! ```

mod cyclonedx;
mod spdx;

use std::collections::BTreeSet;
use std::fmt;
use std::io;
use std::str::FromStr;

use ::spdx::expression::{ExprNode, Operator};
use ::spdx::{Expression, LicenseItem, ParseMode};
use palisade_model::{purl, ImageRef, OsInfo, Package};
use sha2::{Digest, Sha256};

pub use cyclonedx::{cyclonedx_json, CYCLONEDX_SPEC_VERSION, PROPERTY_PREFIX};
pub use spdx::{spdx_json, SPDX_VERSION};

/// What an SBOM describes: one image and what was found in it.
#[derive(Debug, Clone, Copy)]
pub struct SbomInput<'a> {
    /// The image as the user named it (`registry.example/app:1`,
    /// `oci:layout:tag`, `dir:/rootfs`).
    pub name: &'a str,
    /// The image manifest's digest (`sha256:...`); `None` for a directory.
    pub digest: Option<&'a str>,
    /// The operating system, when the image has a release file.
    pub os: Option<&'a OsInfo>,
    /// The packages, in the order they should appear (the scan pipeline's
    /// order: ecosystem, name, version, path).
    pub packages: &'a [Package],
    /// The palisade version, recorded as the creating tool.
    pub tool_version: &'a str,
    /// When the document was made, RFC 3339 in UTC with whole seconds
    /// (`2026-01-02T03:04:05Z`, see [`timestamp`]).
    pub created: &'a str,
    /// Extra text mixed into the document identifiers; empty for
    /// identifiers that depend only on the rest of the input.
    pub seed: &'a str,
}

/// An SBOM format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SbomFormat {
    /// CycloneDX 1.6, JSON.
    CycloneDx,
    /// SPDX 2.3, JSON.
    SpdxJson,
}

impl SbomFormat {
    /// Every SBOM format.
    pub const ALL: [SbomFormat; 2] = [SbomFormat::CycloneDx, SbomFormat::SpdxJson];

    /// The name users type (`cyclonedx`, `spdx-json`).
    pub fn as_str(self) -> &'static str {
        match self {
            SbomFormat::CycloneDx => "cyclonedx",
            SbomFormat::SpdxJson => "spdx-json",
        }
    }

    /// The document, as JSON text ending in a newline.
    pub fn render(self, input: &SbomInput<'_>) -> String {
        match self {
            SbomFormat::CycloneDx => cyclonedx_json(input),
            SbomFormat::SpdxJson => spdx_json(input),
        }
    }
}

impl fmt::Display for SbomFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SbomFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "cyclonedx" | "cyclonedx-json" => Ok(SbomFormat::CycloneDx),
            "spdx-json" | "spdx" => Ok(SbomFormat::SpdxJson),
            other => Err(format!(
                "unknown SBOM format `{other}`: expected cyclonedx or spdx-json"
            )),
        }
    }
}

/// Writes the document in `format` to `out`. Errors come only from writing.
pub fn render_sbom(
    input: &SbomInput<'_>,
    format: SbomFormat,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    out.write_all(format.render(input).as_bytes())
}

/// JSON text made safe to show: serde_json escapes the C0 controls; this
/// also escapes DEL, the C1 controls and the Unicode bidirectional controls
/// (which can make a name display as something else) as `\uXXXX`. Those
/// characters can only occur inside JSON strings, where the escape means
/// the same character, so the document is unchanged for any JSON reader.
/// Ends the text with a newline.
pub(crate) fn finish_json(text: String) -> String {
    let risky = |c: char| matches!(c, '\u{7f}'..='\u{9f}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    let mut out = if text.contains(risky) {
        let mut out = String::with_capacity(text.len() + 16);
        for c in text.chars() {
            if risky(c) {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            } else {
                out.push(c);
            }
        }
        out
    } else {
        text
    };
    out.push('\n');
    out
}

/// Formats seconds since the Unix epoch as RFC 3339 UTC
/// (`2026-01-02T03:04:05Z`), the form both formats ask for.
pub fn timestamp(unix_seconds: u64) -> String {
    let days = unix_seconds / 86_400;
    let rem = unix_seconds % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Year, month and day of a day count since 1970-01-01 (the proleptic
/// Gregorian calendar; Howard Hinnant's `civil_from_days` algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

/// A name-based UUID (version 8, variant RFC 9562) from the SHA-256 of
/// `domain` and every field of the input, each length-prefixed so that no
/// two different inputs hash the same bytes.
pub(crate) fn document_uuid(domain: &str, input: &SbomInput<'_>) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    field("palisade-sbom-v1");
    field(domain);
    field(input.name);
    field(input.digest.unwrap_or("\0none"));
    match input.os {
        Some(os) => {
            field(&os.id);
            field(&os.version_id);
            field(&os.pretty_name);
            field(os.codename.as_deref().unwrap_or("\0none"));
            field(&os.id_like.join(" "));
        }
        None => field("\0no-os"),
    }
    field(&input.packages.len().to_string());
    for p in input.packages {
        field(&p.name);
        field(&p.version);
        field(p.ecosystem.as_str());
        field(&p.purl);
        field(p.source_name.as_deref().unwrap_or("\0none"));
        field(p.source_version.as_deref().unwrap_or("\0none"));
        field(p.arch.as_deref().unwrap_or("\0none"));
        field(&p.licenses.len().to_string());
        for l in &p.licenses {
            field(l);
        }
        field(&p.layer);
        field(&p.path);
    }
    field(input.tool_version);
    field(input.created);
    field(input.seed);
    let hash = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The purl of the image itself (`pkg:oci/app@sha256:...?repository_url=...&tag=1`),
/// when it was named by a registry reference and its digest is known.
pub(crate) fn image_purl(input: &SbomInput<'_>) -> Option<String> {
    let digest = input.digest?;
    if ["oci:", "dir:", "docker-archive:"]
        .iter()
        .any(|p| input.name.starts_with(p))
    {
        return None;
    }
    let r = ImageRef::parse(input.name).ok()?;
    let last = r.path().rsplit('/').next().unwrap_or(r.path());
    let repo = r.name();
    let tag = r.tag().unwrap_or_default();
    Some(purl(
        "oci",
        None,
        last,
        digest,
        &[("repository_url", repo.as_str()), ("tag", tag)],
    ))
}

/// Hands out identifiers, each once: the first request for a base gets the
/// base itself, later ones `base` + `sep` + 2, 3, ... (skipping any already
/// taken).
#[derive(Default)]
pub(crate) struct UniqueIds {
    taken: BTreeSet<String>,
}

impl UniqueIds {
    pub(crate) fn claim(&mut self, base: &str, sep: &str) -> String {
        if self.taken.insert(base.to_string()) {
            return base.to_string();
        }
        let mut n = 2usize;
        loop {
            let id = format!("{base}{sep}{n}");
            if self.taken.insert(id.clone()) {
                return id;
            }
            n += 1;
        }
    }
}

/// License text longer than this is kept as a name, never parsed.
const MAX_EXPRESSION_LEN: usize = 1024;

/// One declared license, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum License {
    /// A single identifier of the SPDX license list (`MIT`).
    Id(String),
    /// A valid SPDX expression that is more than one plain identifier
    /// (`MIT OR Apache-2.0`, `GPL-2.0-or-later WITH Classpath-exception-2.0`,
    /// `LicenseRef-x`), in canonical form (upper-case operators, parentheses
    /// only where needed or around an `AND` inside an `OR`).
    Expression(String),
    /// Anything else, as declared (`MIT License`, `GPL-2+`).
    Name(String),
}

/// The declared licenses of a package, classified, blank and
/// `NOASSERTION`/`NONE` entries dropped, duplicates removed (first kept).
pub(crate) fn licenses(pkg: &Package) -> Vec<License> {
    let mut out: Vec<License> = Vec::new();
    for text in &pkg.licenses {
        let text = text.trim();
        if text.is_empty() || text == "NOASSERTION" || text == "NONE" {
            continue;
        }
        let l = classify(text);
        if !out.contains(&l) {
            out.push(l);
        }
    }
    out
}

/// Classifies one license declaration. Parsing is the specification's
/// strict form, except that deprecated identifiers (`GPL-2.0`) are
/// accepted: they are still on the list.
pub(crate) fn classify(text: &str) -> License {
    if text.len() > MAX_EXPRESSION_LEN {
        return License::Name(text.to_string());
    }
    let mode = ParseMode {
        allow_deprecated: true,
        ..ParseMode::STRICT
    };
    let Ok(expr) = Expression::parse_mode(text, mode) else {
        return License::Name(text.to_string());
    };
    let nodes: Vec<&ExprNode> = expr.iter().collect();
    if let [ExprNode::Req(req)] = nodes.as_slice() {
        if let (
            LicenseItem::Spdx {
                id,
                or_later: false,
            },
            None,
        ) = (&req.req.license, &req.req.addition)
        {
            return License::Id(id.name.to_string());
        }
    }
    match canonical(&expr) {
        Some(s) => License::Expression(s),
        None => License::Name(text.to_string()),
    }
}

/// Renders a parsed expression with upper-case operators and only the
/// parentheses precedence needs (`WITH` > `AND` > `OR`), plus
/// brackets around an `AND` inside an `OR`. `None` if the
/// postfix form is malformed (never for a parsed expression).
fn canonical(expr: &Expression) -> Option<String> {
    // (text, precedence): 3 a term, 2 an AND, 1 an OR.
    let mut stack: Vec<(String, u8)> = Vec::new();
    for node in expr.iter() {
        match node {
            ExprNode::Req(req) => stack.push((req.req.to_string(), 3)),
            ExprNode::Op(op) => {
                let (b, pb) = stack.pop()?;
                let (a, pa) = stack.pop()?;
                let (word, prec) = match op {
                    Operator::And => ("AND", 2),
                    Operator::Or => ("OR", 1),
                };
                // An AND inside an OR is bracketed too, for people reading it.
                let wrap = |s: String, p: u8| {
                    if p < prec || (prec == 1 && p == 2) {
                        format!("({s})")
                    } else {
                        s
                    }
                };
                stack.push((format!("{} {word} {}", wrap(a, pa), wrap(b, pb)), prec));
            }
        }
    }
    match stack.len() {
        1 => stack.pop().map(|(s, _)| s),
        _ => None,
    }
}

/// Joins several valid licenses into one expression that requires them all.
pub(crate) fn and_all(terms: &[String]) -> String {
    if terms.len() == 1 {
        return terms[0].clone();
    }
    terms
        .iter()
        .map(|t| {
            if t.contains(" OR ") {
                format!("({t})")
            } else {
                t.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The text of a package's property or SPDX comment: its source package,
/// where known (`openssl 3.0.11-1~deb12u2`).
pub(crate) fn source_package(pkg: &Package) -> Option<String> {
    let name = pkg.source_name.as_deref()?;
    Some(match pkg.source_version.as_deref() {
        Some(v) => format!("{name} {v}"),
        None => name.to_string(),
    })
}

/// Groups a package name into CycloneDX `group` and `name` where the
/// ecosystem has a namespace: Maven `group:artifact`, npm `@scope/name`,
/// Composer `vendor/name`.
pub(crate) fn split_group(pkg: &Package) -> (Option<&str>, &str) {
    use palisade_model::Ecosystem;
    match pkg.ecosystem {
        Ecosystem::Maven => match pkg.name.split_once(':') {
            Some((g, a)) if !g.is_empty() && !a.is_empty() => (Some(g), a),
            _ => (None, &pkg.name),
        },
        Ecosystem::Npm if pkg.name.starts_with('@') => match pkg.name.split_once('/') {
            Some((g, a)) if g.len() > 1 && !a.is_empty() => (Some(g), a),
            _ => (None, &pkg.name),
        },
        Ecosystem::Packagist => match pkg.name.split_once('/') {
            Some((g, a)) if !g.is_empty() && !a.is_empty() => (Some(g), a),
            _ => (None, &pkg.name),
        },
        _ => (None, &pkg.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(timestamp(1_767_323_045), "2026-01-02T03:04:05Z");
        assert_eq!(timestamp(4_102_444_799), "2099-12-31T23:59:59Z");
    }

    #[test]
    fn licenses_are_classified() {
        assert_eq!(classify("MIT"), License::Id("MIT".into()));
        assert_eq!(classify("GPL-2.0"), License::Id("GPL-2.0".into()));
        assert_eq!(
            classify("MIT or Apache-2.0"),
            License::Expression("MIT OR Apache-2.0".into())
        );
        assert_eq!(
            classify("(MIT OR Apache-2.0) AND BSD-3-Clause"),
            License::Expression("(MIT OR Apache-2.0) AND BSD-3-Clause".into())
        );
        assert_eq!(
            classify("MIT OR (Apache-2.0 AND BSD-3-Clause)"),
            License::Expression("MIT OR (Apache-2.0 AND BSD-3-Clause)".into())
        );
        assert_eq!(
            classify("GPL-2.0-or-later WITH Classpath-exception-2.0"),
            License::Expression("GPL-2.0-or-later WITH Classpath-exception-2.0".into())
        );
        assert_eq!(
            classify("LicenseRef-acme"),
            License::Expression("LicenseRef-acme".into())
        );
        assert_eq!(classify("MIT License"), License::Name("MIT License".into()));
        assert_eq!(classify("GPL-2+"), License::Name("GPL-2+".into()));
        assert_eq!(classify("mit"), License::Name("mit".into()));
        let long = "MIT AND ".repeat(200) + "MIT";
        assert!(matches!(classify(&long), License::Name(_)));
    }

    #[test]
    fn canonical_expressions_reparse_to_the_same_form() {
        for text in [
            "A-1 OR B",
            "(MIT OR Apache-2.0) AND (BSD-2-Clause OR ISC)",
            "MIT AND (Apache-2.0 OR (ISC AND Zlib))",
        ] {
            if let License::Expression(e) = classify(text) {
                assert_eq!(classify(&e), License::Expression(e.clone()), "{text}");
            }
        }
        assert_eq!(
            and_all(&["MIT".into(), "ISC OR Zlib".into()]),
            "MIT AND (ISC OR Zlib)"
        );
    }

    #[test]
    fn unique_ids_count_from_two() {
        let mut ids = UniqueIds::default();
        assert_eq!(ids.claim("a", "#"), "a");
        assert_eq!(ids.claim("a", "#"), "a#2");
        assert_eq!(ids.claim("a#3", "#"), "a#3");
        assert_eq!(ids.claim("a", "#"), "a#4");
    }

    #[test]
    fn formats_parse() {
        for f in SbomFormat::ALL {
            assert_eq!(f.as_str().parse::<SbomFormat>(), Ok(f));
        }
        assert!("xml".parse::<SbomFormat>().unwrap_err().contains("`xml`"));
    }
}
