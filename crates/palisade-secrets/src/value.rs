//! Is a literal value plausibly a real secret, or a placeholder, reference,
//! path, switch or number?

use std::sync::LazyLock;

use regex::Regex;

use crate::re;
use crate::text::class_switch_ratio;

/// Words that, when a value is made only of them, mark a placeholder
/// (`your-secret-key-here`, `CHANGE_ME`, `<password>`).
const PLACEHOLDER_WORDS: &[&str] = &[
    "change",
    "changeme",
    "changeit",
    "replace",
    "replaceme",
    "me",
    "your",
    "my",
    "the",
    "a",
    "an",
    "here",
    "insert",
    "enter",
    "put",
    "set",
    "fill",
    "in",
    "todo",
    "tbd",
    "fixme",
    "password",
    "passwd",
    "pwd",
    "pass",
    "secret",
    "token",
    "key",
    "api",
    "apikey",
    "value",
    "example",
    "sample",
    "test",
    "testing",
    "dummy",
    "fake",
    "placeholder",
    "default",
    "none",
    "null",
    "nil",
    "undefined",
    "empty",
    "unset",
    "redacted",
    "masked",
    "hidden",
    "notset",
    "not",
    "used",
    "unused",
    "na",
    "n",
    "client",
    "access",
    "private",
    "auth",
    "xxx",
    "foo",
    "bar",
    "baz",
    "string",
    "str",
    "abc",
    "tbc",
    "admin",
    "user",
    "username",
    "of",
    "for",
    "generated",
    "random",
    "new",
    "real",
    "actual",
    "required",
    "s3cr3t",
    "credentials",
    "creds",
    "connection",
    // `placeholder-from-pipeline`, `set-at-deploy-time`, `injected-by-ci`
    "from",
    "by",
    "at",
    "pipeline",
    "deploy",
    "deployment",
    "time",
    "runtime",
    "injected",
    "supplied",
    "provided",
    "ci",
];

/// Words that, inside a DNS-name-like value, say it names a Kubernetes
/// Secret or a key inside one (`db-credentials`, `redis-password`).
const REFERENCE_WORDS: &[&str] = &[
    "secret",
    "secrets",
    "password",
    "passwd",
    "pass",
    "pwd",
    "token",
    "tokens",
    "key",
    "keys",
    "auth",
    "creds",
    "credentials",
    "credential",
    "tls",
    "cert",
    "certs",
    "apikey",
    "conn",
    "connection",
];

/// Prefixes of references to secret stores and injectors.
const STORE_PREFIXES: &[&str] = &[
    "@microsoft.keyvault(",
    "vault:",
    "ref+",
    "arn:",
    "secretref:",
    "secret:",
    "secrets:",
    "sm://",
    "gcpsm://",
    "awssm://",
    "awssecretsmanager://",
    "azurekeyvault://",
    "akv://",
    "keyvault:",
    "op://",
    "doppler://",
    "bws://",
    "file:",
    "env:",
    "k8s:",
    "secret://",
    "valuefrom:",
];

static SHELL_VAR: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\$[A-Za-z_][A-Za-z0-9_]*$|^%[A-Za-z_][A-Za-z0-9_]*%$"));
static DNS_NAME: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-z0-9]+(?:[-._][a-z0-9]+)+$"));
static ABS_PATH: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:~|\.{1,2})?/[A-Za-z0-9._@/-]*$"));
static REL_PATH: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-z0-9._-]+(?:/[a-z0-9._-]+)+/?$"));
static WIN_PATH: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z]:\\|^\\\\[A-Za-z0-9]"));
static NUMBER_OR_DURATION: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[+-]?[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h|d|w|y|k|K|M|G|Ki|Mi|Gi|Ti|%)?$"));

fn matches(re: &LazyLock<Regex>, s: &str) -> bool {
    re.is_match(s)
}

/// Why a value under a credential name is not a finding, or `None` when it
/// plausibly is a real secret.
pub(crate) fn not_secret_reason(value: &str) -> Option<&'static str> {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if v.is_empty() {
        return Some("empty");
    }
    let lower = v.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | "enabled"
            | "disabled"
            | "enable"
            | "disable"
            | "required"
            | "optional"
            | "none"
            | "null"
            | "nil"
            | "undefined"
            | "latest"
            | "bearer"
            | "basic"
    ) {
        return Some("switch or keyword");
    }
    if matches(&NUMBER_OR_DURATION, v) {
        return Some("number");
    }
    if v.chars().count() < 4 {
        return Some("too short");
    }
    if is_placeholder(v, &lower) {
        return Some("placeholder");
    }
    if STORE_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return Some("secret store reference");
    }
    if lower.starts_with("ssh-")
        || lower.starts_with("ecdsa-sha2-")
        || v.starts_with("-----BEGIN PUBLIC KEY")
        || v.starts_with("-----BEGIN CERTIFICATE")
        || v.starts_with("-----BEGIN RSA PUBLIC KEY")
    {
        return Some("public key or certificate");
    }
    if (matches(&ABS_PATH, v) || matches(&REL_PATH, v) || matches(&WIN_PATH, v))
        && !v.contains('+')
        && !v.contains('=')
        && !has_random_segment(v)
    {
        return Some("file path");
    }
    if is_plain_url(v) {
        return Some("URL without credentials");
    }
    if matches(&DNS_NAME, v)
        && v.split(['-', '.', '_'])
            .any(|w| REFERENCE_WORDS.contains(&w))
    {
        return Some("name of a secret");
    }
    if v.split_whitespace().count() > 5 {
        return Some("prose");
    }
    None
}

fn is_placeholder(v: &str, lower: &str) -> bool {
    // Templates and interpolation resolved elsewhere at deploy or run time.
    if (v.contains("{{") && v.contains("}}"))
        || v.contains("${")
        || v.contains("$(")
        || (v.contains("#{") && v.contains('}'))
        || (v.starts_with("__") && v.ends_with("__"))
        || (v.starts_with("@@") && v.ends_with("@@"))
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with('[') && v.ends_with(']') && !v.contains(','))
        || (v.starts_with('{') && v.ends_with('}'))
        || matches(&SHELL_VAR, v)
    {
        return true;
    }
    // Documentation examples (AWS style) and masks.
    if v.contains("EXAMPLE") {
        return true;
    }
    let mut distinct = v
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<Vec<_>>();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() <= 1 {
        return true; // "xxxxxxxx", "********", "...", "00000000"
    }
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| {
            PLACEHOLDER_WORDS.contains(&w.trim_end_matches(|c: char| c.is_ascii_digit()))
                || w.chars().all(|c| c == 'x')
        })
}

/// A path-like value with a long segment that looks like key material
/// (`/9PNldsWhXK64VtGHZA2PQLUD/W1n…`): base64 secrets may start with `/`.
fn has_random_segment(v: &str) -> bool {
    v.split(['/', '\\']).any(|seg| {
        seg.len() >= 16
            && seg.chars().any(|c| c.is_ascii_uppercase())
            && seg.chars().any(|c| c.is_ascii_lowercase())
            && seg.chars().any(|c| c.is_ascii_digit())
            && class_switch_ratio(seg) >= 0.3
    })
}

fn is_plain_url(v: &str) -> bool {
    let Some((scheme, rest)) = v.split_once("://") else {
        return false;
    };
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
        || v.chars().any(char::is_whitespace)
    {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !authority.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_references() {
        for v in [
            "",
            "  ",
            "changeme",
            "CHANGE_ME",
            "REPLACE_ME",
            "<password>",
            "${DB_PASSWORD}",
            "$(DB_PASSWORD)",
            "{{ .Values.db.password }}",
            "$DB_PASSWORD",
            "%DB_PASSWORD%",
            "#{DbPassword}#",
            "__DB_PASSWORD__",
            "xxx",
            "xxxxxxxxxxxx",
            "********",
            "your-api-key-here",
            "placeholder-from-pipeline",
            "set-at-deploy-time",
            "my_secret_password",
            "password123",
            "true",
            "False",
            "3600",
            "30s",
            "512Mi",
            "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/x/)",
            "vault:secret/data/app#password",
            "ref+awssm://prod/db",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db",
            "/run/secrets/db_password",
            "./secrets/token",
            "C:\\secrets\\token.txt",
            "secret/data/app/config",
            "https://login.example.com/oauth/token",
            "db-credentials",
            "redis-password",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG ci@build",
            "AKIAIOSFODNN7EXAMPLE",
            "Please set this to the password of the admin user",
        ] {
            assert!(not_secret_reason(v).is_some(), "{v:?} should be rejected");
        }
    }

    #[test]
    fn plausible_secrets() {
        let tail = "Zq7";
        for v in [
            format!("Tr0ub4dor&3{tail}"),
            format!("hunter2-{tail}x"),
            format!("keyboard cat {tail}"),
            format!("postgres://u:p{tail}@db/x"),
            format!("/{tail}+abcDEF0123/xyz="),
            format!("s3cr3tP4ss{tail}"),
            format!("grafana-{tail}9Kp"),
        ] {
            assert_eq!(not_secret_reason(&v), None, "{v:?} should be plausible");
        }
    }
}
