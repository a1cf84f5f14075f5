//! Stable finding fingerprints.
//!
//! A fingerprint identifies "the same problem" across scans so code
//! scanning keeps one alert open (or dismissed) while the file changes
//! around it. It hashes what the problem is and where it is logically,
//! never line or column: rule id, file, resource kind/namespace/name,
//! container and the message with whitespace and case normalised.

use std::collections::HashMap;
use std::path::Path;

use palisade_model::Finding;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::paths::Artifact;

/// The fingerprint of every finding, in order: 32 hex digits of a SHA-256
/// over the finding's logical identity, then `:n` where `n` counts equal
/// identities in this list from 1 (two identical problems in one file stay
/// two alerts). File paths are taken relative to `base_dir` like SARIF uris.
pub fn fingerprints(findings: &[Finding], base_dir: Option<&Path>) -> Vec<String> {
    // Hashing is independent per finding and runs in parallel; numbering
    // equal identities needs the order and runs after.
    let hashes: Vec<String> = findings
        .par_iter()
        .map(|f| identity_hash(f, base_dir))
        .collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    hashes
        .iter()
        .map(|hash| {
            let n = seen.entry(hash.as_str()).or_insert(0);
            *n += 1;
            format!("{hash}:{n}")
        })
        .collect()
}

fn identity_hash(f: &Finding, base_dir: Option<&Path>) -> String {
    let artifact = Artifact::of(&f.location.file, base_dir);
    let message = normalize_message(&f.message);
    let mut h = Sha256::new();
    let mut field = |s: Option<&str>| {
        // Length-prefixed so no two field lists hash the same bytes.
        match s {
            Some(s) => {
                h.update(b"s");
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
            None => h.update(b"n"),
        }
    };
    field(Some("palisade-fingerprint-v1"));
    field(Some(f.rule_id));
    field(Some(artifact.text()));
    field(Some(&f.resource.kind));
    field(f.resource.namespace.as_deref());
    field(Some(&f.resource.name));
    field(f.container.as_deref());
    field(Some(&message));
    let digest = h.finalize();
    let mut hex = String::with_capacity(32);
    for b in digest.iter().take(16) {
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    hex
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lower-case, whitespace runs folded to one space, trimmed.
fn normalize_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for word in message.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        if word.is_ascii() {
            out.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            out.push_str(&word.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_normalise_case_and_whitespace() {
        assert_eq!(
            normalize_message("  Container  \"App\"\n is\tprivileged "),
            "container \"app\" is privileged"
        );
    }
}
