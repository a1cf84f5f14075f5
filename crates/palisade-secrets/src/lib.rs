//! Credential detection and redaction shared by every palisade scanner.
//!
//! The crate knows nothing of where text came from: manifests, Dockerfiles,
//! ARM templates and image layers all hand it strings.
//!
//! - [`scan_text`] runs the value-based detectors over free text (a
//!   command-line argument, an annotation value, a ConfigMap value, a file
//!   line) and returns non-overlapping matches sorted by position.
//! - [`check_named_value`] judges a literal stored under a name (an env var, a
//!   ConfigMap key, a `--flag=value` pair): a known credential format, or a
//!   credential name ([`is_credential_name`]) holding a plausible secret.
//! - [`redact`] makes any secret safe to print.
//!
//! Every detector has a stable kebab-case id (see [`detectors`] and
//! `docs/secrets.md`). Input is never trusted: nothing here panics, and at
//! most [`MAX_SCAN_BYTES`] of a text are scanned.
#![warn(missing_docs)]

mod detectors;
mod names;
mod text;
mod value;

use std::ops::Range;

use regex::Regex;

pub use names::is_credential_name;
pub use text::{redact, shannon_entropy};

/// How sure a detector is that a match is a real credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// Plausible, but the format alone does not prove it (generic
    /// high-entropy strings, bearer tokens, short values under credential names).
    Medium,
    /// A known credential format or an unmistakable credential assignment.
    High,
}

impl Confidence {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl std::fmt::Display for Confidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One credential found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMatch {
    /// Stable kebab-case detector id, e.g. `aws-access-key-id`.
    pub detector: &'static str,
    /// Human description, e.g. `AWS access key ID`.
    pub description: &'static str,
    /// How sure the detector is.
    pub confidence: Confidence,
    /// Byte range of the secret inside the scanned text (always on char boundaries).
    pub range: Range<usize>,
    /// [`redact`] of the secret.
    pub redacted: String,
}

/// Bytes of a text that are scanned: [`scan_text`] ignores anything after the
/// first 1 MiB (cut on a char boundary), so work per string is bounded.
pub const MAX_SCAN_BYTES: usize = 1 << 20;

/// Id of the detector used when a credential name holds a plausible literal.
pub const NAMED_CREDENTIAL: &str = "named-credential";

/// Every detector as `(id, description)`, in priority order (an earlier
/// detector wins when two matches overlap).
pub fn detectors() -> impl Iterator<Item = (&'static str, &'static str)> {
    detectors::catalogue()
}

/// Value-based detectors over free text (a command-line argument, an
/// annotation value, a ConfigMap value, a file line). Matches sorted by
/// position, no overlaps; at most [`MAX_SCAN_BYTES`] are scanned.
pub fn scan_text(text: &str) -> Vec<SecretMatch> {
    let text = text
        .get(..text::floor_boundary(text, MAX_SCAN_BYTES))
        .unwrap_or_default();
    let mut cands = detectors::candidates(text);
    for c in &mut cands {
        if detectors::is_pem(c.detector) {
            c.range.end = detectors::pem_end(text, c.range.end);
        }
    }
    // Most specific detector first, then leftmost, then longest.
    cands.sort_by(|a, b| {
        (a.priority, a.range.start, std::cmp::Reverse(a.range.end)).cmp(&(
            b.priority,
            b.range.start,
            std::cmp::Reverse(b.range.end),
        ))
    });
    let mut taken: std::collections::BTreeMap<usize, detectors::Candidate> =
        std::collections::BTreeMap::new();
    for c in cands {
        if c.range.is_empty() {
            continue;
        }
        let clash_before = taken
            .range(..c.range.end)
            .next_back()
            .is_some_and(|(_, t)| t.range.end > c.range.start);
        if !clash_before {
            taken.insert(c.range.start, c);
        }
    }
    taken
        .into_values()
        .map(|c| {
            let secret = text.get(c.range.clone()).unwrap_or_default();
            SecretMatch {
                detector: c.detector,
                description: c.description,
                confidence: c.confidence,
                redacted: redact(secret),
                range: c.range,
            }
        })
        .collect()
}

/// A literal value stored under `name` (env var, ConfigMap key, annotation
/// key, `--flag=value` pair).
///
/// Returns a match when the value itself is a known credential format
/// ([`scan_text`]; the most confident, then leftmost, specific match), or
/// when the name is a credential name and the value is plausibly a real
/// secret (detector [`NAMED_CREDENTIAL`], range covering the trimmed value):
/// not empty, not a placeholder (`changeme`, `<password>`, `${VAR}`,
/// `$(VAR)`, `{{ .Values.x }}`, `REPLACE_ME`, `xxx`), not a file path, not a
/// URL without userinfo, not a switch or number, not a secret-store reference
/// (`@Microsoft.KeyVault(...)`, `vault:...`, `arn:...`), not the name of a
/// Kubernetes Secret (`db-credentials`). As a last resort a generic
/// high-entropy match counts, unless the name says the value is public or an
/// identifier (`SITE_KEY`, `*_ID`, `*_DIGEST`).
pub fn check_named_value(name: &str, value: &str) -> Option<SecretMatch> {
    let found = scan_text(value);
    let best = found
        .iter()
        .filter(|m| m.detector != detectors::GENERIC)
        .max_by(|a, b| {
            a.confidence
                .cmp(&b.confidence)
                .then(b.range.start.cmp(&a.range.start))
        });
    if let Some(m) = best {
        return Some(m.clone());
    }
    if is_credential_name(name) && value::not_secret_reason(value).is_none() {
        let start = value.len() - value.trim_start().len();
        let end = value.trim_end().len().max(start);
        let secret = value.get(start..end).unwrap_or_default();
        let aws = names::words(name).iter().any(|w| w == "aws")
            && secret.len() == 40
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
        let (detector, description) = if aws && name.to_ascii_lowercase().contains("secret") {
            ("aws-secret-access-key", "AWS secret access key")
        } else {
            (NAMED_CREDENTIAL, "hard-coded value under a credential name")
        };
        return Some(SecretMatch {
            detector,
            description,
            confidence: detectors::named_confidence(secret),
            range: start..end,
            redacted: redact(secret),
        });
    }
    if names::is_public_name(name) {
        return None;
    }
    found.into_iter().find(|m| m.detector == detectors::GENERIC)
}

/// Compiles a constant pattern.
///
/// Invariant: only called with the crate's own constant patterns, each of
/// which is exercised by the unit tests, so compilation cannot fail at run time.
pub(crate) fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("constant regex compiles")
}
