//! Package URLs (<https://github.com/package-url/purl-spec>):
//! `pkg:type/namespace/name@version?qualifiers#subpath`.
//!
//! [`Purl::parse`] follows the specification's parsing procedure (right to
//! left: subpath, qualifiers, scheme, type, version, name, namespace),
//! percent-decodes every component and applies the type-specific
//! normalisations of the registered types that define one (lower-case
//! names where a type is case-insensitive, PyPI's `_` to `-`).
//! [`Purl::to_canonical`] writes the canonical form back.

use std::fmt;

/// Longest purl accepted, in bytes. Real ones are well under 1 KiB.
pub const MAX_PURL_LEN: usize = 8 * 1024;

/// A parsed package URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    /// The type, lower-case (`deb`, `pypi`, `maven`).
    pub ty: String,
    /// The namespace, decoded segments joined with `/`
    /// (`debian`, `@angular`, `github.com/gorilla`, `org.apache.commons`).
    pub namespace: Option<String>,
    /// The name, decoded and normalised for the type.
    pub name: String,
    /// The version, decoded.
    pub version: Option<String>,
    /// Qualifiers, keys lower-case, values decoded, sorted by key; pairs
    /// with empty values are dropped.
    pub qualifiers: Vec<(String, String)>,
    /// The subpath, decoded segments joined with `/` (`.`, `..` and empty
    /// segments dropped).
    pub subpath: Option<String>,
}

/// Why a string is not a package URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid package URL `{shown}`: {reason}")]
pub struct PurlError {
    /// The input, cut to 200 characters for display.
    pub shown: String,
    /// What is wrong and what was expected.
    pub reason: String,
}

impl Purl {
    /// Parses a package URL.
    pub fn parse(input: &str) -> Result<Purl, PurlError> {
        let fail = |reason: String| PurlError {
            shown: shown(input),
            reason,
        };
        if input.len() > MAX_PURL_LEN {
            return Err(fail(format!(
                "longer than {MAX_PURL_LEN} bytes ({} bytes)",
                input.len()
            )));
        }
        let s = input.trim();
        // Subpath.
        let (rest, subpath) = match s.split_once('#') {
            Some((l, r)) => (l, Some(r)),
            None => (s, None),
        };
        let subpath = match subpath {
            Some(sp) => {
                let mut segs = Vec::new();
                for seg in sp.split('/') {
                    let d = decode(seg).map_err(|e| fail(format!("subpath: {e}")))?;
                    if d.is_empty() || d == "." || d == ".." {
                        continue;
                    }
                    if d.contains('/') {
                        return Err(fail("subpath segment contains `/`".into()));
                    }
                    segs.push(d);
                }
                Some(segs.join("/")).filter(|s| !s.is_empty())
            }
            None => None,
        };
        // Qualifiers.
        let (rest, quals) = match rest.rsplit_once('?') {
            Some((l, r)) => (l, Some(r)),
            None => (rest, None),
        };
        let mut qualifiers: Vec<(String, String)> = Vec::new();
        if let Some(q) = quals {
            for pair in q.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let key = k.to_ascii_lowercase();
                if !valid_key(&key) {
                    return Err(fail(format!(
                        "qualifier key `{}` is not [a-z0-9.-_] starting with a letter",
                        shown(k)
                    )));
                }
                let value = decode(v).map_err(|e| fail(format!("qualifier `{key}`: {e}")))?;
                if value.is_empty() {
                    continue;
                }
                if qualifiers.iter().any(|(k2, _)| *k2 == key) {
                    return Err(fail(format!("qualifier `{key}` given twice")));
                }
                qualifiers.push((key, value));
            }
        }
        qualifiers.sort();
        // Scheme.
        let Some((scheme, rest)) = rest.split_once(':') else {
            return Err(fail("no `pkg:` scheme".into()));
        };
        if !scheme.eq_ignore_ascii_case("pkg") {
            return Err(fail(format!(
                "scheme is `{}`, expected `pkg`",
                shown(scheme)
            )));
        }
        let rest = rest.trim_start_matches('/');
        // Type.
        let Some((ty, rest)) = rest.split_once('/') else {
            return Err(fail("no type: expected `pkg:TYPE/NAME`".into()));
        };
        let ty = ty.to_ascii_lowercase();
        if !valid_type(&ty) {
            return Err(fail(format!(
                "type `{}` is not [a-z0-9.+-] starting with a letter",
                shown(&ty)
            )));
        }
        // Version: after the first `@` of the last segment (an unencoded
        // `@` in the namespace, as in `pkg:npm/@babel/core`, is not one).
        let last_slash = rest.trim_end_matches('/').rfind('/').map_or(0, |i| i + 1);
        let (rest, version) = match rest[last_slash..].find('@') {
            Some(at) => {
                let at = last_slash + at;
                (
                    &rest[..at],
                    Some(decode(&rest[at + 1..]).map_err(|e| fail(format!("version: {e}")))?),
                )
            }
            None => (rest, None),
        };
        let version = version.filter(|v| !v.is_empty());
        // Name.
        let rest = rest.trim_end_matches('/');
        let (rest, name) = match rest.rsplit_once('/') {
            Some((l, r)) => (l, r),
            None => ("", rest),
        };
        let name = decode(name).map_err(|e| fail(format!("name: {e}")))?;
        if name.is_empty() {
            return Err(fail("the name is empty".into()));
        }
        // Namespace.
        let mut segs = Vec::new();
        for seg in rest.split('/').filter(|s| !s.is_empty()) {
            let d = decode(seg).map_err(|e| fail(format!("namespace: {e}")))?;
            if d.contains('/') {
                return Err(fail("namespace segment contains `/`".into()));
            }
            segs.push(d);
        }
        let namespace = Some(segs.join("/")).filter(|s| !s.is_empty());
        let mut p = Purl {
            ty,
            namespace,
            name,
            version,
            qualifiers,
            subpath,
        };
        p.normalise();
        Ok(p)
    }

    /// The value of a qualifier (key lower-case).
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Type-specific normalisation, as the registered type definitions
    /// ask.
    fn normalise(&mut self) {
        let lower_ns = matches!(
            self.ty.as_str(),
            "deb" | "rpm" | "apk" | "alpm" | "composer" | "github" | "bitbucket" | "hex" | "qpkg"
        );
        let lower_name = matches!(
            self.ty.as_str(),
            "deb" | "apk" | "alpm" | "composer" | "github" | "bitbucket" | "hex" | "oci" | "pypi"
        );
        if lower_ns {
            if let Some(ns) = &mut self.namespace {
                *ns = ns.to_lowercase();
            }
        }
        if lower_name {
            self.name = self.name.to_lowercase();
        }
        if self.ty == "pypi" {
            self.name = self.name.replace('_', "-");
        }
        if self.ty == "oci" {
            if let Some(v) = &mut self.version {
                *v = v.to_lowercase();
            }
        }
    }

    /// The canonical string form: lower-case type, percent-encoded
    /// components, qualifiers sorted by key.
    pub fn to_canonical(&self) -> String {
        let mut out = format!("pkg:{}/", self.ty);
        if let Some(ns) = &self.namespace {
            for seg in ns.split('/') {
                out.push_str(&encode(seg, false));
                out.push('/');
            }
        }
        out.push_str(&encode(&self.name, false));
        if let Some(v) = &self.version {
            out.push('@');
            out.push_str(&encode(v, true));
        }
        for (i, (k, v)) in self.qualifiers.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.push_str(k);
            out.push('=');
            out.push_str(&encode(v, true));
        }
        if let Some(sp) = &self.subpath {
            out.push('#');
            let segs: Vec<String> = sp.split('/').map(|s| encode(s, false)).collect();
            out.push_str(&segs.join("/"));
        }
        out
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_canonical())
    }
}

fn shown(s: &str) -> String {
    let cut: String = s.chars().take(200).collect();
    cut.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

fn valid_type(t: &str) -> bool {
    let mut bytes = t.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && bytes.all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'+' | b'-')
        })
}

fn valid_key(k: &str) -> bool {
    let mut bytes = k.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && bytes.all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        })
}

/// Percent-decodes `s` into UTF-8 text. A `%` not followed by two hex
/// digits, or decoded bytes that are not UTF-8, are errors.
pub fn decode(s: &str) -> Result<String, String> {
    if !s.contains('%') {
        return Ok(s.to_string());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |x: u8| (x as char).to_digit(16);
            match (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    // Both digits are below 16.
                    out.push(u8::try_from(h * 16 + l).unwrap_or(0));
                    i += 3;
                }
                _ => return Err(format!("bad percent escape at byte {i}")),
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "percent-decoded bytes are not UTF-8".to_string())
}

/// Percent-encodes for the canonical form: ASCII alphanumerics and
/// `.-_~` are kept, plus `:` in versions and qualifier values (as the
/// specification's examples keep `sha256:` and epochs).
fn encode(s: &str, keep_colon: bool) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'.' | b'-' | b'_' | b'~')
            || (keep_colon && b == b':')
        {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    out
}
