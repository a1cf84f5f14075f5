//! `PAL-K8S-024`: a Secret manifest carries real secret data.
//!
//! `data` values are base64-decoded and then judged by key and value like
//! any other credential; `stringData` values are judged as written. Empty
//! values, placeholders (`changeme`, `${VAR}`, `{{ .Values.x }}`, ...) and
//! values that fail to decode are not findings. A value that decodes to
//! binary (a keystore, a DER key) is reported at medium severity, since no
//! detector can read it. Private keys and certificates are recognised by
//! the detectors of `palisade-secrets`.

use palisade_model::{Finding, FixAvailability, Node, Resource, RuleMeta, RuleStatus, Severity};

use super::common;
use crate::{Context, Rule};

/// The rule.
pub struct SecretWithCommittedData;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-024",
    title: "Secret manifest contains real secret data",
    severity: Severity::High,
    kinds: &["Secret"],
    practice: "Never commit Secret values; let a secret store provide them",
    rationale: "The values of a Secret manifest are only base64-encoded, not encrypted: anyone \
        who can read the repository, a fork, a CI log or a backup of it can decode them, and \
        they remain in git history after the file is changed. Secrets belong in a secret store \
        that controls access, audits reads and rotates values, with the cluster fetching them \
        at run time.",
    remediation: "Delete the committed values and rotate the credentials; keep them in Azure \
        Key Vault and mount them with the Secrets Store CSI driver and workload identity \
        (optionally synced into a Kubernetes Secret for secretKeyRef), or commit only an \
        encrypted form such as a SealedSecret or SOPS file.",
    example: common::CREDENTIAL_EXAMPLE,
    references: &[
        common::AKS_CSI_SECRETS,
        common::AKS_WORKLOAD_IDENTITY,
        "https://kubernetes.io/docs/concepts/configuration/secret/",
        common::K8S_SECRETS_PRACTICES,
        common::CIS_EXTERNAL_SECRETS,
        common::CWE_798,
        "CWE-312: Cleartext Storage of Sensitive Information",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a committed secret value; `field` is `data` or `stringData`.
pub fn message(object: &str, field: &str, key: &str, description: &str, redacted: &str) -> String {
    format!("{object} commits a credential ({description}) in {field} key \"{key}\": {redacted}")
}

/// Description used for values that decode to binary data.
pub const BINARY_DESCRIPTION: &str = "binary secret value";

/// Decodes standard or URL-safe base64, padded or not, ignoring
/// whitespace (as a folded YAML scalar may carry). `None` when invalid.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut padding = false;
    for b in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => {
                padding = true;
                continue;
            }
            _ => return None,
        };
        if padding {
            return None;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    (bits < 6).then_some(out)
}

impl SecretWithCommittedData {
    fn judge(
        resource: &Resource,
        field: &str,
        key: &str,
        value: &Node,
        text: &str,
        out: &mut Vec<Finding>,
    ) {
        if let Some(m) = palisade_secrets::check_named_value(key, text) {
            out.push(common::finding_with(
                &META,
                common::credential_severity(m.confidence),
                resource,
                value.span,
                None,
                message(
                    &common::object(resource),
                    field,
                    key,
                    m.description,
                    &m.redacted,
                ),
            ));
        }
    }
}

impl Rule for SecretWithCommittedData {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        if let Some(data) = resource.node.get("data").and_then(Node::as_map) {
            for entry in data.iter() {
                let Some(encoded) = entry.value.as_str() else {
                    continue;
                };
                let Some(bytes) = decode_base64(encoded) else {
                    continue;
                };
                if bytes.iter().all(|b| b.is_ascii_whitespace()) {
                    continue;
                }
                match String::from_utf8(bytes) {
                    Ok(text) => Self::judge(resource, "data", &entry.key, &entry.value, &text, out),
                    Err(_) => out.push(common::finding_with(
                        &META,
                        Severity::Medium,
                        resource,
                        entry.value.span,
                        None,
                        message(
                            &common::object(resource),
                            "data",
                            &entry.key,
                            BINARY_DESCRIPTION,
                            &palisade_secrets::redact(encoded.trim()),
                        ),
                    )),
                }
            }
        }
        if let Some(data) = resource.node.get("stringData").and_then(Node::as_map) {
            for entry in data.iter() {
                let Some(text) = entry.value.scalar_text() else {
                    continue;
                };
                Self::judge(resource, "stringData", &entry.key, &entry.value, &text, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::*;

    #[test]
    fn base64_decodes_leniently_and_rejects_garbage() {
        assert_eq!(decode_base64("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("aGVsbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("aGVs\n bG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("").as_deref(), Some(&b""[..]));
        assert_eq!(decode_base64("a"), None);
        assert_eq!(decode_base64("aGVsbG8=x"), None);
        assert_eq!(decode_base64("not base64!"), None);
    }

    #[test]
    fn decoded_credentials_fire_placeholders_and_empty_pass() {
        let secret = "Xk9mQ2vL7pW4zRt8";
        let encoded = "WGs5bVEydkw3cFc0elJ0OA=="; // base64 of the secret
        assert_eq!(decode_base64(encoded).as_deref(), Some(secret.as_bytes()));
        let s = object(
            "Secret",
            map(vec![
                ("metadata", map(vec![("name", s("db", 3))])),
                (
                    "data",
                    map(vec![
                        ("password", s(encoded, 5)),
                        ("username", s("YXBw", 6)),
                        ("empty", s("", 7)),
                        ("placeholder-password", s("Y2hhbmdlbWU=", 8)),
                    ]),
                ),
                ("stringData", map(vec![("api-token", s(secret, 10))])),
            ]),
        );
        let found = run(&SecretWithCommittedData, &[s]);
        let lines: Vec<u32> = found.iter().map(|f| f.location.span.line()).collect();
        assert_eq!(lines, vec![5, 10], "{found:#?}");
        assert!(found
            .iter()
            .all(|f| !f.message.contains(secret) && !f.message.contains(encoded)));
    }
}
