//! Value-based detectors: each finds candidate secrets in a text.

use std::ops::Range;
use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use crate::names::is_credential_name;
use crate::text::{decode_base64, is_texty, shannon_entropy, word_fraction};
use crate::value::not_secret_reason;
use crate::{re, Confidence};

/// One detector hit before overlap resolution.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub(crate) detector: &'static str,
    pub(crate) description: &'static str,
    pub(crate) confidence: Confidence,
    pub(crate) range: Range<usize>,
    /// Index of the detector in [`DETECTORS`]: lower wins an overlap.
    pub(crate) priority: usize,
}

/// How a detector checks its regex hits.
#[derive(Clone, Copy)]
enum Check {
    /// Capture group 1 (or the whole match) is the secret; the characters
    /// around it must not continue the token.
    Token,
    /// Custom validation of capture group 1; returns the confidence.
    Custom(fn(&str, Range<usize>, &regex::Captures<'_>) -> Option<Confidence>),
}

/// A regex-driven detector.
struct Detector {
    id: &'static str,
    description: &'static str,
    confidence: Confidence,
    /// Cheap pattern (mostly literals) that every match contains; one
    /// `RegexSet` pass over all triggers decides which detectors run.
    trigger: &'static str,
    /// Pattern; the last participating capture group, when present, is the secret.
    pattern: &'static str,
    check: Check,
}

/// Every regex detector in priority order (earlier wins an overlap). The
/// generic high-entropy detector is not regex driven and always runs last.
const DETECTORS: &[Detector] = &[
    Detector {
        id: "private-key",
        description: "PEM private key",
        confidence: Confidence::High,
        trigger: "PRIVATE KEY",
        pattern: r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----",
        check: Check::Custom(check_pem),
    },
    Detector {
        id: "aws-access-key-id",
        description: "AWS access key ID",
        confidence: Confidence::High,
        trigger: "AKIA|ASIA|ABIA|ACCA",
        pattern: r"((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})",
        check: Check::Custom(check_aws_key_id),
    },
    Detector {
        id: "aws-secret-access-key",
        description: "AWS secret access key",
        confidence: Confidence::High,
        trigger: "AKIA|ASIA|(?i-u:aws)",
        pattern: r"(?:^|[^A-Za-z0-9+/=])([A-Za-z0-9+/]{40})(?:[^A-Za-z0-9+/=]|$)",
        check: Check::Custom(check_aws_secret),
    },
    Detector {
        id: "azure-storage-account-key",
        description: "Azure storage account key",
        confidence: Confidence::High,
        trigger: "==",
        pattern: r"(?:^|[^A-Za-z0-9+/_-])([A-Za-z0-9+/]{86}==)(?:[^A-Za-z0-9+/=]|$)",
        check: Check::Custom(check_azure_storage_key),
    },
    Detector {
        id: "azure-sas-token",
        description: "Azure shared access signature (SAS) token",
        confidence: Confidence::High,
        trigger: "sig=",
        pattern: r"(?:^|[?&\s;])sig=([A-Za-z0-9%+/=]{20,})",
        check: Check::Custom(check_sas),
    },
    Detector {
        id: "jwt",
        description: "JSON Web Token",
        confidence: Confidence::High,
        trigger: "eyJ|eyA|ewo",
        pattern: r"((?:eyJ|eyA|ewo)[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})",
        check: Check::Custom(check_jwt),
    },
    Detector {
        id: "github-token",
        description: "GitHub token",
        confidence: Confidence::High,
        trigger: "gh[pousr]_|github_pat_",
        pattern: r"(gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{50,255})",
        check: Check::Token,
    },
    Detector {
        id: "gitlab-token",
        description: "GitLab personal access token",
        confidence: Confidence::High,
        trigger: "glpat-",
        pattern: r"(glpat-[A-Za-z0-9_-]{20,})",
        check: Check::Token,
    },
    Detector {
        id: "slack-webhook",
        description: "Slack incoming webhook URL",
        confidence: Confidence::High,
        trigger: "hooks\\.slack\\.com",
        pattern: r"(https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+/[A-Za-z0-9_-]{16,})",
        check: Check::Token,
    },
    Detector {
        id: "slack-token",
        description: "Slack token",
        confidence: Confidence::High,
        trigger: "xox[abposre]-",
        pattern: r"(xox[abposre]-[0-9]{6,}-[0-9A-Za-z-]{10,})",
        check: Check::Token,
    },
    Detector {
        id: "google-api-key",
        description: "Google API key",
        confidence: Confidence::High,
        trigger: "AIza",
        pattern: r"(AIza[0-9A-Za-z_-]{35})",
        check: Check::Token,
    },
    Detector {
        id: "stripe-secret-key",
        description: "Stripe live secret or restricted key",
        confidence: Confidence::High,
        trigger: "_live_",
        pattern: r"((?:sk|rk)_live_[0-9A-Za-z]{20,247})",
        check: Check::Token,
    },
    Detector {
        id: "stripe-test-key",
        description: "Stripe test-mode secret key",
        confidence: Confidence::Medium,
        trigger: "_test_",
        pattern: r"((?:sk|rk)_test_[0-9A-Za-z]{20,247})",
        check: Check::Token,
    },
    Detector {
        id: "npm-token",
        description: "npm access token",
        confidence: Confidence::High,
        trigger: "npm_",
        pattern: r"(npm_[A-Za-z0-9]{36})",
        check: Check::Token,
    },
    Detector {
        id: "openai-api-key",
        description: "OpenAI API key",
        confidence: Confidence::High,
        trigger: "sk-",
        pattern: r"(sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})",
        check: Check::Token,
    },
    Detector {
        id: "anthropic-api-key",
        description: "Anthropic API key",
        confidence: Confidence::High,
        trigger: "sk-ant-",
        pattern: r"(sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,})",
        check: Check::Token,
    },
    Detector {
        id: "huggingface-token",
        description: "Hugging Face access token",
        confidence: Confidence::High,
        trigger: "hf_",
        pattern: r"(hf_[A-Za-z0-9]{34})",
        check: Check::Token,
    },
    Detector {
        id: "sendgrid-api-key",
        description: "SendGrid API key",
        confidence: Confidence::High,
        trigger: "SG\\.",
        pattern: r"(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})",
        check: Check::Token,
    },
    Detector {
        id: "vault-token",
        description: "HashiCorp Vault token",
        confidence: Confidence::High,
        trigger: "hv[sb]\\.",
        pattern: r"(hv[sb]\.[A-Za-z0-9_-]{24,})",
        check: Check::Token,
    },
    Detector {
        id: "azure-ad-client-secret",
        description: "Microsoft Entra ID (Azure AD) client secret",
        confidence: Confidence::High,
        trigger: "Q~",
        pattern: r"([A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})",
        check: Check::Token,
    },
    Detector {
        id: "docker-config-auth",
        description: "registry credentials in a Docker config `auth` field",
        confidence: Confidence::High,
        trigger: "\"auth\"",
        pattern: r#""auth"\s*:\s*"([A-Za-z0-9+/]{6,}={0,2})""#,
        check: Check::Custom(check_user_pass_b64),
    },
    Detector {
        id: "http-basic-auth",
        description: "HTTP basic authentication credentials",
        confidence: Confidence::High,
        trigger: "(?i-u:basic)",
        pattern: r"\b(?i-u:basic)\s+([A-Za-z0-9+/]{6,}={0,2})",
        check: Check::Custom(check_user_pass_b64),
    },
    Detector {
        id: "url-password",
        description: "password in a URL",
        confidence: Confidence::High,
        trigger: "://",
        pattern: r#"://([^\s:/?#@"'<>\[\]{}]*):([^\s/?#@"'<>\[\]{}]+)@[A-Za-z0-9\[_]"#,
        check: Check::Custom(check_plausible),
    },
    Detector {
        id: "connection-string-password",
        description: "password or key in a connection string",
        confidence: Confidence::High,
        trigger: "(?i-u:password|pwd|accountkey|sharedaccesskey|sharedsecretvalue)",
        pattern: r#"(?:^|[;,\s"'{(])(?i-u:password|pwd|accountkey|sharedaccesskey|sharedsecretvalue)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^;,\s"']+))"#,
        check: Check::Custom(check_connection_string),
    },
    Detector {
        id: "bearer-token",
        description: "HTTP bearer token",
        confidence: Confidence::Medium,
        trigger: "(?i-u:bearer)",
        pattern: r"\b(?i-u:bearer)\s+([A-Za-z0-9._~+/-]{20,}=*)",
        check: Check::Custom(check_bearer),
    },
    Detector {
        id: "credential-flag",
        description: "credential passed as a command-line flag",
        confidence: Confidence::High,
        trigger: "(?:^|\\s)-",
        pattern: r#"(?:^|\s)--?([A-Za-z][A-Za-z0-9_.-]*)(=|\s+)(?:"([^"]*)"|'([^']*)'|([^\s"']+))"#,
        check: Check::Custom(check_flag),
    },
    Detector {
        id: "named-credential",
        description: "hard-coded value under a credential name",
        confidence: Confidence::High,
        trigger: "(?i-u:pass|pwd|secret|token|key|auth|cred|conn|sas|pat)",
        pattern: r#"(?:^|[\s{,;(\[?&])["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*(?::=|=>|=|:)[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|((?:[^\s"',;}\]/]|/[^/\s])[^\s"',;}\]]*))"#,
        check: Check::Custom(check_assignment),
    },
];

/// Id of the generic detector.
pub(crate) const GENERIC: &str = "generic-high-entropy";

static REGEXES: LazyLock<Vec<Regex>> =
    LazyLock::new(|| DETECTORS.iter().map(|d| re(d.pattern)).collect());

/// One pass over the text tells which detectors can match at all.
static PREFILTER: LazyLock<RegexSet> = LazyLock::new(|| {
    // Invariant: every pattern compiles (tested by `all_patterns_compile`).
    RegexSet::new(DETECTORS.iter().map(|d| d.trigger)).expect("detector triggers compile")
});

/// Largest number of candidates collected from one text.
const MAX_CANDIDATES: usize = 10_000;

/// Runs every detector over `text` and returns the candidates (overlapping).
pub(crate) fn candidates(text: &str) -> Vec<Candidate> {
    let mut out = Vec::new();
    for idx in PREFILTER.matches(text).iter() {
        let (Some(det), Some(regex)) = (DETECTORS.get(idx), REGEXES.get(idx)) else {
            continue;
        };
        for caps in regex.captures_iter(text) {
            if out.len() >= MAX_CANDIDATES {
                return out;
            }
            let Some(m) = secret_group(&caps) else {
                continue;
            };
            let range = m.range();
            let confidence = match det.check {
                Check::Token => token_bounded(text, &range).then_some(det.confidence),
                Check::Custom(f) => f(text, range.clone(), &caps),
            };
            if let Some(confidence) = confidence {
                out.push(Candidate {
                    detector: det.id,
                    description: det.description,
                    confidence,
                    range,
                    priority: idx,
                });
            }
        }
    }
    generic(text, &mut out);
    out
}

/// The last participating capture group, or the whole match. Detectors put
/// the secret in the last group (alternatives for quoted and bare values).
fn secret_group<'t>(caps: &regex::Captures<'t>) -> Option<regex::Match<'t>> {
    (1..caps.len())
        .rev()
        .find_map(|i| caps.get(i))
        .or_else(|| caps.get(0))
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The secret is not part of a longer token.
fn token_bounded(text: &str, range: &Range<usize>) -> bool {
    let before = text.get(..range.start).and_then(|s| s.chars().next_back());
    let after = text.get(range.end..).and_then(|s| s.chars().next());
    !before.is_some_and(is_token_char) && !after.is_some_and(is_token_char)
}

fn slice(text: &str, range: Range<usize>) -> &str {
    text.get(range).unwrap_or_default()
}

fn check_pem(text: &str, range: Range<usize>, _: &regex::Captures<'_>) -> Option<Confidence> {
    let body = pem_body(text, range.end);
    let mut count = 0usize;
    for line in body.replace("\\n", "\n").replace("\\r", "\n").lines() {
        let line = line.trim();
        if line.contains(':') {
            continue; // Proc-Type / DEK-Info / Comment headers
        }
        if line
            .chars()
            .any(|c| !(c.is_ascii_alphanumeric() || "+/=".contains(c)))
        {
            if count > 0 {
                break;
            }
            continue;
        }
        count += line.len();
    }
    (count >= 64).then_some(Confidence::High)
}

/// Longest PEM body considered (large PGP keys stay well under this).
const MAX_PEM_BODY: usize = 64 * 1024;

/// The body after a PEM header: up to the next `-----` (the END line), at
/// most [`MAX_PEM_BODY`] bytes. Linear in the body, so repeated headers stay cheap.
fn pem_body(text: &str, header_end: usize) -> &str {
    let rest = text.get(header_end..).unwrap_or_default();
    let rest = rest
        .get(..crate::text::floor_boundary(rest, MAX_PEM_BODY))
        .unwrap_or(rest);
    rest.find("-----")
        .map_or(rest, |i| rest.get(..i).unwrap_or(rest))
}

/// The end of a PEM block whose header ends at `header_end`: after the END
/// line when it follows the body, else the end of the body without
/// trailing whitespace.
pub(crate) fn pem_end(text: &str, header_end: usize) -> usize {
    static END: LazyLock<Regex> =
        LazyLock::new(|| re(r"^-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----"));
    let body = pem_body(text, header_end);
    let after = header_end + body.len();
    if let Some(m) = text.get(after..).and_then(|rest| END.find(rest)) {
        return after + m.end();
    }
    let kept = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || "+/=\\\r\n \t:,-".contains(c)))
        .unwrap_or(body.len());
    let kept = body.get(..kept).unwrap_or_default().trim_end().len();
    header_end + kept
}

/// Up to `radius` bytes on each side of `range` (cut on char boundaries).
fn window<'t>(text: &'t str, range: &Range<usize>, radius: usize) -> &'t str {
    let lo = crate::text::floor_boundary(text, range.start.saturating_sub(radius));
    let hi = crate::text::floor_boundary(text, range.end.saturating_add(radius));
    text.get(lo..hi).unwrap_or_default()
}

fn check_aws_key_id(
    text: &str,
    range: Range<usize>,
    _: &regex::Captures<'_>,
) -> Option<Confidence> {
    let s = slice(text, range.clone());
    (token_bounded(text, &range) && !s.contains("EXAMPLE")).then_some(Confidence::High)
}

fn check_aws_secret(
    text: &str,
    range: Range<usize>,
    _: &regex::Captures<'_>,
) -> Option<Confidence> {
    static KEY_ID: LazyLock<Regex> = LazyLock::new(|| re(r"(?:AKIA|ASIA)[A-Z2-7]{16}"));
    let s = slice(text, range.clone());
    let mixed = s.chars().any(|c| c.is_ascii_uppercase())
        && s.chars().any(|c| c.is_ascii_lowercase())
        && s.chars()
            .any(|c| c.is_ascii_digit() || c == '+' || c == '/');
    if !mixed || s.contains("EXAMPLE") || shannon_entropy(s) < 4.0 || looks_like_path(s) {
        return None;
    }
    let near = window(text, &range, 512);
    let pre_lo = crate::text::floor_boundary(text, range.start.saturating_sub(80));
    let before = text
        .get(pre_lo..range.start)
        .unwrap_or_default()
        .to_ascii_lowercase();
    (KEY_ID.is_match(near) || (before.contains("aws") && before.contains("secret")))
        .then_some(Confidence::High)
}

/// Whether the value starting at `start` is a digest: `sha512-…`,
/// `sha256:…`, or a digest algorithm named just before it
/// (`"algorithm":"SHA2_256","value":"…"`).
fn digest_prefixed(text: &str, start: usize) -> bool {
    static PREFIX: LazyLock<Regex> = LazyLock::new(|| re(r"(?i-u:sha)-?[0-9]{1,3}[-:=]$"));
    static NAMED: LazyLock<Regex> = LazyLock::new(|| re(r"(?i-u:sha|md5|blake|digest|hash)"));
    let lo = crate::text::floor_boundary(text, start.saturating_sub(10));
    if PREFIX.is_match(text.get(lo..start).unwrap_or_default()) {
        return true;
    }
    let lo = crate::text::floor_boundary(text, start.saturating_sub(48));
    NAMED.is_match(text.get(lo..start).unwrap_or_default())
}

fn check_azure_storage_key(
    text: &str,
    range: Range<usize>,
    _: &regex::Captures<'_>,
) -> Option<Confidence> {
    let s = slice(text, range.clone());
    let bytes = decode_base64(s)?;
    (bytes.len() == 64 && !is_texty(&bytes) && !digest_prefixed(text, range.start))
        .then_some(Confidence::High)
}

fn check_sas(text: &str, range: Range<usize>, _: &regex::Captures<'_>) -> Option<Confidence> {
    static VERSION: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?:^|[?&])sv=[0-9]{4}-[0-9]{2}-[0-9]{2}"));
    let sig = slice(text, range.clone());
    if not_secret_reason(sig).is_some() {
        return None;
    }
    // The query the signature belongs to: the surrounding run without
    // whitespace or quotes, looked for within 4 KiB.
    let stop = |c: char| c.is_whitespace() || c == '"' || c == '\'';
    let near = window(text, &range, 4096);
    let offset = near.as_ptr() as usize - text.as_ptr() as usize;
    let (at, to) = (range.start - offset, range.end - offset);
    let start = near.get(..at)?.rfind(stop).map_or(0, |i| i + 1);
    let end = near.get(to..)?.find(stop).map_or(near.len(), |i| to + i);
    let query = near.get(start..end)?;
    let query = query.split_once('?').map_or(query, |(_, q)| q);
    VERSION.is_match(query).then_some(Confidence::High)
}

fn check_jwt(text: &str, range: Range<usize>, _: &regex::Captures<'_>) -> Option<Confidence> {
    if !token_bounded(text, &range) {
        return None;
    }
    let mut parts = slice(text, range).split('.');
    let header = decode_base64(parts.next()?)?;
    let payload = decode_base64(parts.next()?)?;
    let header = std::str::from_utf8(&header).ok()?;
    let payload = std::str::from_utf8(&payload).ok()?;
    let compact: String = header.chars().filter(|c| !c.is_whitespace()).collect();
    let ok = compact.starts_with('{')
        && compact.contains("\"alg\"")
        && !compact.to_ascii_lowercase().contains("\"alg\":\"none\"")
        && payload.trim_start().starts_with('{');
    ok.then_some(Confidence::High)
}

fn check_user_pass_b64(
    text: &str,
    range: Range<usize>,
    _: &regex::Captures<'_>,
) -> Option<Confidence> {
    let bytes = decode_base64(slice(text, range))?;
    let decoded = std::str::from_utf8(&bytes).ok()?;
    let (user, pass) = decoded.split_once(':')?;
    (!user.is_empty() && !user.contains(char::is_control) && not_secret_reason(pass).is_none())
        .then_some(Confidence::High)
}

fn check_plausible(text: &str, range: Range<usize>, _: &regex::Captures<'_>) -> Option<Confidence> {
    not_secret_reason(slice(text, range))
        .is_none()
        .then_some(Confidence::High)
}

fn check_connection_string(
    text: &str,
    range: Range<usize>,
    _: &regex::Captures<'_>,
) -> Option<Confidence> {
    static CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?:^|[;,\s])(?i-u:server|data source|host|hostname|address|addr|user id|uid|user|username|database|dbname|initial catalog|accountname|endpoint|defaultendpointsprotocol|sharedaccesskeyname|deviceid|port|ssl|sslmode|provider|driver|dsn|service name)\s*=",
        )
    });
    let near = window(text, &range, 512);
    let value = slice(text, range);
    (CONTEXT.is_match(near) && not_secret_reason(value).is_none()).then_some(Confidence::High)
}

fn check_bearer(text: &str, range: Range<usize>, _: &regex::Captures<'_>) -> Option<Confidence> {
    let s = slice(text, range);
    let digits = s.chars().any(|c| c.is_ascii_digit());
    let letters = s.chars().any(|c| c.is_ascii_alphabetic());
    (digits && letters && shannon_entropy(s) >= 3.5 && not_secret_reason(s).is_none())
        .then_some(Confidence::Medium)
}

fn check_flag(text: &str, range: Range<usize>, caps: &regex::Captures<'_>) -> Option<Confidence> {
    let name = caps.get(1)?.as_str();
    let value = slice(text, range);
    if !is_credential_name(name) || value.starts_with('-') || not_secret_reason(value).is_some() {
        return None;
    }
    let with_equals = caps.get(2).is_some_and(|m| m.as_str() == "=");
    Some(if with_equals {
        Confidence::High
    } else {
        Confidence::Medium
    })
}

fn check_assignment(
    text: &str,
    range: Range<usize>,
    caps: &regex::Captures<'_>,
) -> Option<Confidence> {
    let name = caps.get(1)?.as_str();
    let value = slice(text, range);
    if !is_credential_name(name) || not_secret_reason(value).is_some() {
        return None;
    }
    Some(named_confidence(value))
}

/// Confidence for a plausible value under a credential name.
pub(crate) fn named_confidence(value: &str) -> Confidence {
    if value.chars().count() >= 8 && shannon_entropy(value) >= 2.5 {
        Confidence::High
    } else {
        Confidence::Medium
    }
}

/// A `/`-separated token whose pieces are all short: a path, not key material.
fn looks_like_path(s: &str) -> bool {
    s.contains('/') && s.split('/').all(|seg| seg.len() < 20)
}

/// Generic detector: long, random-looking tokens.
fn generic(text: &str, out: &mut Vec<Candidate>) {
    let public_blocks = public_pem_blocks(text);
    let in_public_block = |at: usize| public_blocks.iter().any(|r| r.contains(&at));
    let bytes = text.as_bytes();
    let is_b64 = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-');
    let mut i = 0;
    while i < bytes.len() {
        if out.len() >= MAX_CANDIDATES {
            return;
        }
        if !bytes.get(i).copied().is_some_and(is_b64) {
            i += 1;
            continue;
        }
        let start = i;
        while bytes.get(i).copied().is_some_and(is_b64) {
            i += 1;
        }
        // ASCII-only run, so these are char boundaries.
        let mut s = start;
        let mut e = i;
        while s < e && matches!(bytes.get(s), Some(b'-' | b'_' | b'/')) {
            s += 1;
        }
        while e > s && matches!(bytes.get(e - 1), Some(b'-' | b'_' | b'/' | b'=')) {
            e -= 1;
        }
        if let Some(token) = text.get(s..e) {
            if is_random_token(token)
                && !digest_prefixed(text, start)
                && !in_public_block(s)
                && !public_key_before(text, start)
                && !in_url_path(text, start)
            {
                out.push(Candidate {
                    detector: GENERIC,
                    description: "high-entropy string",
                    confidence: Confidence::Medium,
                    range: s..e,
                    priority: DETECTORS.len(),
                });
            }
        }
    }
}

/// Whether the token at `start` is the value of a key whose name says public
/// or identifier (`"keyId": "…"`, `checksum: …`, `IMAGE_DIGEST=…`), the same
/// veto `check_named_value` applies to generic matches.
fn public_key_before(text: &str, start: usize) -> bool {
    static KEY: LazyLock<Regex> =
        LazyLock::new(|| re(r#"([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*(?::=|=>|=|:)[ \t]*["']?$"#));
    let lo = crate::text::floor_boundary(text, start.saturating_sub(64));
    KEY.captures(text.get(lo..start).unwrap_or_default())
        .and_then(|c| c.get(1))
        .is_some_and(|k| crate::names::is_public_name(k.as_str()))
}

/// Whether `start` lies in the host or path of a URL (after `://`, before any
/// `?`, in the same whitespace-delimited word): document ids, commit hashes
/// and message ids live there; query values stay eligible.
fn in_url_path(text: &str, start: usize) -> bool {
    let lo = crate::text::floor_boundary(text, start.saturating_sub(2048));
    let before = text.get(lo..start).unwrap_or_default();
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '(' || c == '<')
        .next()
        .unwrap_or_default();
    word.find("://")
        .is_some_and(|i| !word.get(i..).unwrap_or_default().contains(['?', '#']))
}

/// Byte ranges of PEM blocks that hold public material (certificates, public
/// keys, CSRs): their base64 bodies are random-looking but not secret.
fn public_pem_blocks(text: &str) -> Vec<Range<usize>> {
    static BEGIN: LazyLock<Regex> = LazyLock::new(|| re(r"-----BEGIN ([A-Z0-9 ]{1,40})-----"));
    let mut out = Vec::new();
    for caps in BEGIN.captures_iter(text) {
        let (Some(all), Some(label)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        if label.as_str().contains("PRIVATE") {
            continue;
        }
        let end_marker = format!("-----END {}-----", label.as_str());
        let end = text
            .get(all.end()..)
            .and_then(|rest| rest.find(&end_marker))
            .map_or(text.len(), |i| all.end() + i + end_marker.len());
        out.push(all.start()..end);
        if out.len() >= 1000 {
            break;
        }
    }
    out
}

/// Shortest token the generic detector considers.
pub(crate) const GENERIC_MIN_LEN: usize = 32;
/// Longest token the generic detector considers (longer runs are data blobs).
pub(crate) const GENERIC_MAX_LEN: usize = 512;

fn is_random_token(t: &str) -> bool {
    let n = t.len();
    if !(GENERIC_MIN_LEN..=GENERIC_MAX_LEN).contains(&n) {
        return false;
    }
    if t.starts_with("pk_live_") || t.starts_with("pk_test_") {
        return false; // Stripe publishable keys are public by design
    }
    if digest_prefixed(t, t.find(['-', ':']).map_or(0, |i| i + 1)) && t.starts_with("sha") {
        return false; // Subresource Integrity and similar `sha512-<base64>` digests
    }
    if t.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return false; // digests, UUIDs, trace ids
    }
    let upper = t.chars().any(|c| c.is_ascii_uppercase());
    let lower = t.chars().any(|c| c.is_ascii_lowercase());
    let digit = t.chars().any(|c| c.is_ascii_digit());
    if !(upper && lower && digit) || looks_like_path(t) {
        return false;
    }
    // Paths, URLs and slugs: the longest piece between separators must look
    // random on its own (`com/owner/repo/commit/<sha>` and
    // `GHSL-2023-186_benbusby_whoogle-search` do not, `ab+/Cd9…` does).
    let longest = t
        .split(['/', '-', '_'])
        .max_by_key(|s| s.len())
        .unwrap_or_default();
    let random_piece = longest.len() >= 16
        && longest.chars().any(|c| c.is_ascii_uppercase())
        && longest.chars().any(|c| c.is_ascii_lowercase())
        && longest.chars().any(|c| c.is_ascii_digit())
        && !longest.chars().all(|c| c.is_ascii_hexdigit());
    if !random_piece {
        return false;
    }
    let min_entropy = match n {
        0..40 => 4.0,
        40..64 => 4.2,
        _ => 4.5,
    };
    if shannon_entropy(t) < min_entropy || word_fraction(t) >= 0.7 {
        return false;
    }
    // Base64 of text (config blobs) is not a secret on its own, nor is DER
    // public material (public keys, certificates, signatures).
    match decode_base64(t) {
        Some(bytes) => !is_texty(&bytes) && !is_public_der(&bytes),
        None => true,
    }
}

/// Whether `bytes` are one complete DER SEQUENCE that is not shaped like a
/// private key. Private keys (PKCS#1, PKCS#8, SEC1) start with a version
/// INTEGER 0 or 1; public keys (SubjectPublicKeyInfo), certificates and
/// ECDSA signatures do not.
fn is_public_der(bytes: &[u8]) -> bool {
    let (Some(&0x30), Some(&len0)) = (bytes.first(), bytes.get(1)) else {
        return false;
    };
    let (header, len) = match len0 {
        0..=0x7f => (2, usize::from(len0)),
        0x81 => (3, usize::from(*bytes.get(2).unwrap_or(&0))),
        0x82 => (
            4,
            usize::from(*bytes.get(2).unwrap_or(&0)) << 8
                | usize::from(*bytes.get(3).unwrap_or(&0)),
        ),
        _ => return false,
    };
    if header + len != bytes.len() {
        return false;
    }
    let version_int = bytes.get(header..header + 3);
    !matches!(version_int, Some([0x02, 0x01, 0x00 | 0x01]))
}

/// Whether a detector id is the PEM detector (its range is widened to the block).
pub(crate) fn is_pem(id: &str) -> bool {
    id == "private-key"
}

/// Every detector id with its description, in priority order.
pub(crate) fn catalogue() -> impl Iterator<Item = (&'static str, &'static str)> {
    DETECTORS
        .iter()
        .map(|d| (d.id, d.description))
        .chain(std::iter::once((GENERIC, "high-entropy string")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_patterns_compile() {
        assert_eq!(REGEXES.len(), DETECTORS.len());
        assert_eq!(PREFILTER.len(), DETECTORS.len());
    }

    #[test]
    fn ids_are_unique_kebab_case() {
        let ids: Vec<_> = catalogue().map(|(id, _)| id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len());
        for id in ids {
            assert!(id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
        }
    }
}

#[cfg(test)]
mod timing {
    #[test]
    #[ignore = "manual profiling"]
    fn per_detector_time() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/corpus/negatives.txt"
        ))
        .unwrap_or_default()
        .repeat(4);
        let t = std::time::Instant::now();
        let _ = super::PREFILTER.matches(&text);
        println!("prefilter {:?}", t.elapsed());
        for (d, r) in super::DETECTORS.iter().zip(super::REGEXES.iter()) {
            let t = std::time::Instant::now();
            let n = r.captures_iter(&text).count();
            println!("{:28} {n:5} {:?}", d.id, t.elapsed());
        }
        let t = std::time::Instant::now();
        let mut v = Vec::new();
        super::generic(&text, &mut v);
        println!("generic {:?}", t.elapsed());
        let lines: Vec<&str> = text.lines().collect();
        let t = std::time::Instant::now();
        let n: usize = lines
            .iter()
            .map(|l| super::PREFILTER.matches(l).iter().count())
            .sum();
        println!(
            "prefilter on {} lines: {:?} ({n} triggers)",
            lines.len(),
            t.elapsed()
        );
        let t = std::time::Instant::now();
        let n: usize = lines.iter().map(|l| super::candidates(l).len()).sum();
        println!(
            "candidates on {} lines: {:?} ({n})",
            lines.len(),
            t.elapsed()
        );
        let t = std::time::Instant::now();
        let n: usize = lines
            .iter()
            .filter(|l| crate::is_credential_name(l))
            .count();
        println!("names on {} lines: {:?} ({n})", lines.len(), t.elapsed());
    }
}
