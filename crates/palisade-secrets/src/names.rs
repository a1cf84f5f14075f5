//! Credential names: does a key, variable or flag name say it holds a secret?

/// Words that name a credential on their own.
const CREDENTIAL_WORDS: &[&str] = &[
    "password",
    "passwords",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "tokens",
    "credential",
    "credentials",
    "creds",
    "auth",
    "authorization",
    "apikey",
    "apikeys",
    "accesskey",
    "secretkey",
    "privatekey",
    "clientsecret",
    "connectionstring",
    "connstr",
    "connstring",
    "sas",
    "pat",
];

/// Stems that make a glued lower-case word a credential word when it ends
/// with them (`dbpassword`, `accesstoken`).
const GLUED_STEMS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "secretkey",
    "privatekey",
    "credentials",
    "connectionstring",
];

/// Words that make a following `key` a credential (`API_KEY`, `SIGNING_KEY`).
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "private",
    "secret",
    "account",
    "master",
    "signing",
    "sign",
    "encryption",
    "encrypt",
    "decryption",
    "crypto",
    "cipher",
    "aes",
    "hmac",
    "session",
    "shared",
    "subscription",
    "app",
    "license",
    "licence",
    "auth",
    "client",
    "storage",
    "ssh",
    "gpg",
    "pgp",
    "deploy",
    "primary",
    "secondary",
    "service",
    "jwt",
    "admin",
    "root",
];

/// Words that make a following `string`/`str` a connection string.
const CONN_QUALIFIERS: &[&str] = &["connection", "conn", "connect"];

/// Words after the credential word that turn the name into metadata about a
/// credential rather than the credential itself (`TOKEN_URL`, `PASSWORD_FILE`).
const HARMLESS_AFTER: &[&str] = &[
    "url",
    "urls",
    "uri",
    "endpoint",
    "endpoints",
    "host",
    "hostname",
    "port",
    "addr",
    "address",
    "file",
    "files",
    "filename",
    "path",
    "paths",
    "dir",
    "directory",
    "folder",
    "location",
    "mount",
    "name",
    "names",
    "id",
    "ids",
    "arn",
    "ref",
    "reference",
    "refs",
    "key",
    "keys",
    "enabled",
    "enable",
    "disabled",
    "disable",
    "required",
    "optional",
    "expiry",
    "expires",
    "expiration",
    "expire",
    "ttl",
    "timeout",
    "lifetime",
    "age",
    "duration",
    "interval",
    "period",
    "rotation",
    "length",
    "len",
    "size",
    "count",
    "min",
    "max",
    "limit",
    "type",
    "kind",
    "mode",
    "method",
    "header",
    "prefix",
    "suffix",
    "policy",
    "version",
    "format",
    "algorithm",
    "alg",
    "hash",
    "field",
    "provider",
    "providers",
    "store",
    "vault",
    "issuer",
    "audience",
    "scope",
    "scopes",
    "regex",
    "pattern",
    "env",
    "var",
    "selector",
    "template",
    "namespace",
    "label",
    "annotation",
    "volume",
    "class",
    "hint",
    "description",
    "message",
    "help",
    "prompt",
    "text",
    "realm",
    "signin",
    "signout",
    "login",
    "logout",
    "callback",
    "redirect",
    "authentication",
    "required",
    "strength",
    "reset",
    "source",
    "server",
    "service",
    "generator",
    "command",
    "cmd",
    "script",
    "exists",
    "set",
    "check",
    "validation",
    "verify",
    "verification",
];

/// Words before the credential word that say the value is public, a
/// pointer, or a switch (`PUBLIC_KEY`, `existingSecret`, `REQUIRE_PASSWORD`).
const HARMLESS_BEFORE: &[&str] = &[
    "public",
    "publishable",
    "pub",
    "existing",
    "require",
    "requires",
    "enable",
    "disable",
    "use",
    "skip",
    "allow",
    "no",
    "is",
    "has",
    "next",
    "page",
    "continuation",
    "continue",
    "max",
    "min",
    "num",
    "forgot",
    "checksum",
    "hash",
    "hashed",
    "digest",
    "sha",
    "sha256",
    "md5",
];

/// Splits a name into lower-case words: separators are anything not
/// alphanumeric; camel case splits at `aB` and `ABc`.
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in name.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut cur = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) => {
                    (p.is_lowercase() && c.is_uppercase())
                        || (p.is_uppercase()
                            && c.is_uppercase()
                            && next.is_some_and(char::is_lowercase))
                }
                None => false,
            };
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.extend(c.to_lowercase());
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

/// What a single word contributes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Credential,
    Harmless,
    Other,
}

fn word_role(word: &str) -> Role {
    if CREDENTIAL_WORDS.contains(&word) {
        return Role::Credential;
    }
    for stem in GLUED_STEMS {
        if word.len() > stem.len() {
            if word.ends_with(stem) || word.strip_suffix('s').is_some_and(|w| w.ends_with(stem)) {
                return Role::Credential;
            }
            if let Some(rest) = word.strip_prefix(stem) {
                if HARMLESS_AFTER.contains(&rest) {
                    return Role::Harmless;
                }
            }
        }
    }
    Role::Other
}

/// Whether a key/variable/flag name says it holds a credential.
///
/// The name is split into words (snake, kebab, dotted, camel and glued
/// lower-case forms); it is a credential name when it contains a credential
/// word (`password`, `secret`, `token`, `api key`, `connection string`, …) and
/// no word after the last credential word turns it into metadata (`_URL`,
/// `_FILE`, `_NAME`, `_PATH`, `_ENABLED`, `_EXPIRY`, …), and no word before it
/// says public, existing or a switch (`PUBLIC_`, `existing`, `REQUIRE_`).
pub fn is_credential_name(name: &str) -> bool {
    // Fast path: every credential word contains one of these.
    const HINTS: &[&str] = &[
        "pass", "pwd", "secret", "token", "cred", "auth", "key", "conn", "sas", "pat",
    ];
    let lower = name.to_lowercase();
    if !HINTS.iter().any(|h| lower.contains(h)) {
        return false;
    }
    let words = words(name);
    let mut roles: Vec<Role> = words.iter().map(|w| word_role(w)).collect();
    for i in 1..words.len() {
        let (Some(prev), Some(cur)) = (words.get(i - 1), words.get(i)) else {
            continue;
        };
        let compound = match cur.as_str() {
            "key" | "keys" => KEY_QUALIFIERS.contains(&prev.as_str()),
            "string" | "str" => CONN_QUALIFIERS.contains(&prev.as_str()),
            _ => false,
        };
        if compound {
            if let Some(r) = roles.get_mut(i) {
                *r = Role::Credential;
            }
        }
    }
    let Some(last) = roles.iter().rposition(|r| *r == Role::Credential) else {
        return false;
    };
    let Some(first) = roles.iter().position(|r| *r == Role::Credential) else {
        return false;
    };
    let after_harmless = words
        .iter()
        .zip(&roles)
        .skip(last + 1)
        .any(|(w, r)| *r == Role::Harmless || HARMLESS_AFTER.contains(&w.as_str()));
    let before_harmless = words
        .iter()
        .take(first)
        .any(|w| HARMLESS_BEFORE.contains(&w.as_str()));
    !after_harmless && !before_harmless
}

/// Whether a name says the value is public or an identifier/digest, which
/// vetoes the low-confidence generic detector (`RECAPTCHA_SITE_KEY`,
/// `IMAGE_DIGEST`, `GIT_SHA`).
pub(crate) fn is_public_name(name: &str) -> bool {
    const PUBLIC: &[&str] = &[
        "public",
        "publishable",
        "pub",
        "site",
        "id",
        "ids",
        "uid",
        "uuid",
        "guid",
        "hash",
        "hashes",
        "checksum",
        "digest",
        "sha",
        "sha1",
        "sha256",
        "sha384",
        "sha512",
        "md5",
        "integrity",
        "fingerprint",
        "thumbprint",
        "etag",
        "version",
        "revision",
        "commit",
        "image",
    ];
    words(name).iter().any(|w| PUBLIC.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words() {
        assert_eq!(words("dbPassword"), ["db", "password"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("--db-password"), ["db", "password"]);
        assert_eq!(
            words("spring.datasource.password"),
            ["spring", "datasource", "password"]
        );
        assert_eq!(
            words("AWS_SECRET_ACCESS_KEY"),
            ["aws", "secret", "access", "key"]
        );
        assert_eq!(words("x-api-key"), ["x", "api", "key"]);
        assert_eq!(words(""), Vec::<String>::new());
    }

    #[test]
    fn credential_names() {
        for n in [
            "PASSWORD",
            "DB_PASSWORD",
            "db-password",
            "dbPassword",
            "spring.datasource.password",
            "mysqlrootpassword",
            "PASSWD",
            "PGPASSWORD",
            "PWD",
            "ADMIN_PASS",
            "SECRET",
            "JWT_SECRET",
            "clientSecret",
            "CLIENT_SECRET",
            "TOKEN",
            "GITHUB_TOKEN",
            "accessToken",
            "API_KEY",
            "apiKey",
            "APIKEY",
            "x-api-key",
            "Ocp-Apim-Subscription-Key",
            "ACCESS_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "PRIVATE_KEY",
            "privateKey",
            "SIGNING_KEY",
            "CONNECTION_STRING",
            "ConnectionString",
            "CONN_STR",
            "CREDENTIALS",
            "REGISTRY_CREDENTIALS",
            "AUTH",
            "--auth",
            "AZDO_PAT",
            "DB_PASSWORD_PROD",
            "SECRET_VALUE",
        ] {
            assert!(is_credential_name(n), "{n} should be a credential name");
        }
    }

    #[test]
    fn harmless_names() {
        for n in [
            "",
            "HOST",
            "TOKEN_URL",
            "PASSWORD_FILE",
            "passwordFile",
            "passwordfile",
            "SECRET_NAME",
            "secretName",
            "secretname",
            "PRIVATE_KEY_PATH",
            "TOKEN_ENDPOINT",
            "AUTH_ENABLED",
            "KEY_VAULT_NAME",
            "PUBLIC_KEY",
            "SSH_PUBLIC_KEY",
            "TOKEN_EXPIRY",
            "ACCESS_KEY_ID",
            "existingSecret",
            "existingSecretPasswordKey",
            "passwordKey",
            "REQUIRE_PASSWORD",
            "PASSWORD_MIN_LENGTH",
            "AUTHOR",
            "AUTHORITY",
            "PASSTHROUGH",
            "TOKENIZER",
            "SECRETARY",
            "KEY",
            "CLIENT_ID",
            "BYPASS",
            "MAX_TOKENS",
            "STRIPE_PUBLISHABLE_KEY",
            "nextPageToken",
        ] {
            assert!(
                !is_credential_name(n),
                "{n} should not be a credential name"
            );
        }
    }
}
