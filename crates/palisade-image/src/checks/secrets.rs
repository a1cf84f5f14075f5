//! The layer secret scan: credentials in files of any layer, including
//! files a later layer deleted (their bytes are still in the image).
//!
//! Candidate files are chosen by name and path alone: private key files
//! (`id_rsa`, `*.pem`, `*.key`, `*.ppk`), `.env` files, `.npmrc`,
//! `.pypirc`, `.netrc`, `.pgpass`, `.git-credentials`, `.aws/credentials`,
//! `.docker/config.json`, `.kube/config`, shell and REPL histories. Nothing
//! else is read, so the cost of the check does not grow with the image.
//! Selected files larger than the check's size limit (default
//! [`MAX_SECRET_FILE`]) and binary files (a NUL byte in the first 8 KiB)
//! are skipped.
//!
//! Each file is scanned with the `palisade-secrets` value detectors (which
//! find PEM private keys across lines, cloud keys, tokens, Docker config
//! `auth` values, credentials in URLs and flags) and, for lines without
//! such a match that read as an assignment (`NAME=value`, `name = value`,
//! `name: value`, `export NAME=value`), with the name-and-value judgement
//! the manifest credential rules use. Secrets are only ever carried
//! redacted.

use palisade_secrets::{check_named_value, scan_text, Confidence, SecretMatch};

use crate::analyzers::FileRef;
use crate::layer::{Entry, EntryKind};
use crate::scan::{FileCheck, FileHit};

/// Id of the check, copied into its [`FileHit`]s.
pub const SECRET_FILES_ID: &str = "secret-files";

/// Largest candidate file read, in bytes (1 MiB): credential files are
/// small; anything larger under such a name is skipped, not read.
pub const MAX_SECRET_FILE: u64 = 1 << 20;

/// Most hits reported for one file.
pub const MAX_HITS_PER_FILE: usize = 20;

/// The secret scan with the default size limit.
pub static SECRET_FILES: SecretFiles = SecretFiles {
    max_size: MAX_SECRET_FILE,
};

/// The layer secret scan (see the module docs).
#[derive(Debug, Clone, Copy)]
pub struct SecretFiles {
    max_size: u64,
}

impl SecretFiles {
    /// A scan reading candidate files of at most `max_size` bytes (keep it
    /// at or below the layer limit `max_file_size`, which a wanted file
    /// must not exceed).
    pub fn new(max_size: u64) -> Self {
        Self { max_size }
    }
}

/// What the secret scan found, decoded from a [`FileHit`] message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretHit {
    /// Detector id (`private-key`, `named-credential`...).
    pub detector: String,
    /// The detector's description.
    pub description: String,
    /// Whether the detector is highly confident.
    pub high_confidence: bool,
    /// The redacted secret.
    pub redacted: String,
}

/// Separates the fields of a hit message (ASCII unit separator; never in a
/// description, and control characters never survive redaction).
const SEP: char = '\u{1f}';

fn encode(m: &SecretMatch) -> String {
    let conf = if m.confidence == Confidence::High {
        "high"
    } else {
        "medium"
    };
    format!(
        "{}{SEP}{conf}{SEP}{}{SEP}{}",
        m.detector, m.description, m.redacted
    )
}

/// Decodes the message of a hit made by this check; `None` for other
/// checks' hits or a malformed message.
pub fn decode(hit: &FileHit) -> Option<SecretHit> {
    if hit.check != SECRET_FILES_ID {
        return None;
    }
    let mut parts = hit.message.splitn(4, SEP);
    let detector = parts.next()?.to_string();
    let conf = parts.next()?;
    let description = parts.next()?.to_string();
    let redacted = parts.next()?.to_string();
    Some(SecretHit {
        detector,
        description,
        high_confidence: conf == "high",
        redacted,
    })
}

/// File names that hold credentials when they exist at all.
const CREDENTIAL_FILES: &[&str] = &[
    ".env",
    ".npmrc",
    ".pypirc",
    ".netrc",
    "_netrc",
    ".pgpass",
    ".git-credentials",
    ".s3cfg",
    ".boto",
    ".my.cnf",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "id_ecdsa_sk",
    "id_ed25519_sk",
    ".bash_history",
    ".zsh_history",
    ".sh_history",
    ".ash_history",
    ".history",
    ".python_history",
    ".mysql_history",
    ".psql_history",
    ".node_repl_history",
    ".rediscli_history",
    "application_default_credentials.json",
];

/// Extensions of key files.
const KEY_EXTENSIONS: &[&str] = &[".pem", ".key", ".ppk", ".p8"];

/// Directories of public certificates only: `*.pem` there is never a key,
/// and there are hundreds of them.
const CERT_DIRS: &[&str] = &[
    "etc/ssl/certs/",
    "usr/share/ca-certificates/",
    "usr/local/share/ca-certificates/",
    "etc/pki/ca-trust/",
    "etc/pki/tls/certs/",
    "usr/share/pki/",
    "etc/ca-certificates/",
];

/// Whether `path` (normalised, relative to the root) names a file the
/// secret scan reads. Cheap: no allocation.
pub fn is_candidate(path: &str) -> bool {
    let (parent, name) = match path.rsplit_once('/') {
        Some((p, n)) => (p, n),
        None => ("", path),
    };
    if CREDENTIAL_FILES.contains(&name) {
        return true;
    }
    if name.starts_with(".env.") || (name.ends_with(".env") && name.len() > 4) {
        return true;
    }
    let parent_name = parent.rsplit('/').next().unwrap_or(parent);
    match (parent_name, name) {
        (".aws", "credentials" | "config")
        | (".docker", "config.json")
        | (".kube", "config")
        | ("gcloud", "credentials.json") => return true,
        _ => {}
    }
    if KEY_EXTENSIONS.iter().any(|e| name.ends_with(e)) {
        return !CERT_DIRS.iter().any(|d| path.starts_with(d));
    }
    false
}

impl FileCheck for SecretFiles {
    fn id(&self) -> &'static str {
        SECRET_FILES_ID
    }

    fn wants(&self, entry: &Entry) -> bool {
        entry.kind == EntryKind::File
            && entry.size > 0
            && entry.size <= self.max_size
            && is_candidate(&entry.path)
    }

    fn check(&self, file: &FileRef<'_>, out: &mut Vec<FileHit>) {
        let bytes = file.contents;
        let head = bytes.get(..8192).unwrap_or(bytes);
        if head.contains(&0) {
            return;
        }
        let text = String::from_utf8_lossy(bytes);
        for (line, m) in scan(&text) {
            out.push(FileHit {
                check: SECRET_FILES_ID,
                message: encode(&m),
                path: file.path().to_string(),
                line: Some(line),
                layer: 0,
                hidden: false,
            });
        }
    }
}

/// Credentials in `text`, each with its 1-based line, at most
/// [`MAX_HITS_PER_FILE`].
pub fn scan(text: &str) -> Vec<(usize, SecretMatch)> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| match line_starts.binary_search(&offset) {
        Ok(i) => i + 1,
        Err(i) => i,
    };
    let mut hits: Vec<(usize, SecretMatch)> = scan_text(text)
        .into_iter()
        .map(|m| (line_of(m.range.start), m))
        .collect();
    let mut lines_hit: Vec<usize> = hits.iter().map(|(l, _)| *l).collect();
    // A PEM block covers several lines; none of them is an assignment.
    for (_, m) in &hits {
        let last = line_of(m.range.end.saturating_sub(1));
        lines_hit.extend(line_of(m.range.start)..=last);
    }
    lines_hit.sort_unstable();
    for (i, line) in text.lines().enumerate() {
        if hits.len() >= MAX_HITS_PER_FILE {
            break;
        }
        let number = i + 1;
        if lines_hit.binary_search(&number).is_ok() {
            continue;
        }
        if let Some((name, value)) = assignment(line) {
            if let Some(m) = check_named_value(name, value) {
                hits.push((number, m));
            }
        }
    }
    hits.sort_by_key(|(l, m)| (*l, m.range.start));
    hits.truncate(MAX_HITS_PER_FILE);
    hits
}

/// `NAME=value`, `name = value`, `name: value`, `export NAME=value`,
/// `//registry/:_authToken=value` (the name is what precedes the value,
/// after the last `:` for npm's scoped keys); quotes around the value are
/// dropped. `None` for comments and other lines.
fn assignment(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
        return None;
    }
    let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
    let (key, value) = if line.starts_with("//") {
        // npm: `//registry.npmjs.org/:_authToken=...`.
        let (lhs, rhs) = line.split_once('=')?;
        (lhs.rsplit(':').next()?, rhs)
    } else {
        let at = line.find(['=', ':'])?;
        (line.get(..at)?, line.get(at + 1..)?)
    };
    let (key, value) = (key.trim(), value.trim());
    if key.is_empty()
        || key.len() > 128
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return None;
    }
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value);
    if value.is_empty() {
        return None;
    }
    Some((key, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_by_name_and_path_with_near_misses() {
        for yes in [
            "root/.ssh/id_rsa",
            "app/.env",
            "app/.env.production",
            "app/prod.env",
            "root/.npmrc",
            "home/u/.pypirc",
            "root/.aws/credentials",
            "root/.docker/config.json",
            "root/.bash_history",
            "root/.git-credentials",
            "etc/ssl/private/server.key",
            "srv/tls.pem",
            ".env",
        ] {
            assert!(is_candidate(yes), "{yes}");
        }
        for no in [
            "etc/ssl/certs/ca-certificates.pem",
            "usr/share/ca-certificates/mozilla/x.pem",
            "root/.ssh/id_rsa.pub",
            "app/.envrc",
            "app/env",
            "app/config.json",
            "root/.aws/credentials.bak",
            "usr/bin/keyring",
            "app/.env.d/",
            "app/x.keys",
        ] {
            assert!(!is_candidate(no), "{no}");
        }
    }

    #[test]
    fn assignments_of_the_usual_files() {
        assert_eq!(assignment("DB_PASSWORD=abc"), Some(("DB_PASSWORD", "abc")));
        assert_eq!(
            assignment("export API_TOKEN=\"x y\""),
            Some(("API_TOKEN", "x y"))
        );
        assert_eq!(
            assignment("aws_secret_access_key = abc"),
            Some(("aws_secret_access_key", "abc"))
        );
        assert_eq!(
            assignment("password: hunter22"),
            Some(("password", "hunter22"))
        );
        assert_eq!(
            assignment("//registry.npmjs.org/:_authToken=tok"),
            Some(("_authToken", "tok"))
        );
        assert_eq!(assignment("# PASSWORD=x"), None);
        assert_eq!(assignment("ls -la /tmp"), None);
        assert_eq!(assignment("KEY="), None);
    }

    #[test]
    fn finds_keys_env_values_and_redacts() {
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";
        let hits = scan(key);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].0, 1);
        assert_eq!(hits[0].1.detector, "private-key");

        let env = "# settings\nLOG_LEVEL=debug\nDB_PASSWORD=Xk9#mQ2$vL7pW4zR\n";
        let hits = scan(env);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].0, 3);
        assert!(!hits[0].1.redacted.contains("Xk9#mQ2$vL7pW4zR"));

        let many: String = (0..50)
            .map(|i| format!("PASSWORD_{i}=Xk9#mQ2$vL7pW4z{i}\n"))
            .collect();
        assert_eq!(scan(&many).len(), MAX_HITS_PER_FILE);
    }

    #[test]
    fn hits_round_trip_through_the_message() {
        let m = check_named_value("DB_PASSWORD", "Xk9#mQ2$vL7pW4zR").unwrap();
        let hit = FileHit {
            check: SECRET_FILES_ID,
            message: encode(&m),
            path: "app/.env".into(),
            line: Some(1),
            layer: 0,
            hidden: false,
        };
        let d = decode(&hit).unwrap();
        assert_eq!(d.detector, m.detector);
        assert_eq!(d.redacted, m.redacted);
        assert!(decode(&FileHit {
            check: "other",
            ..hit.clone()
        })
        .is_none());
        assert!(decode(&FileHit {
            message: "garbage".into(),
            ..hit
        })
        .is_none());
    }

    #[test]
    fn binary_and_oversized_files_are_not_read() {
        let entry = |size| Entry {
            path: "root/.ssh/id_rsa".into(),
            kind: EntryKind::File,
            mode: 0o600,
            uid: 0,
            gid: 0,
            size,
            link_target: None,
            contents: None,
            layer: 0,
        };
        assert!(SECRET_FILES.wants(&entry(100)));
        assert!(!SECRET_FILES.wants(&entry(MAX_SECRET_FILE + 1)));
        assert!(!SECRET_FILES.wants(&entry(0)));
        let e = entry(10);
        let mut out = Vec::new();
        let bin = b"-----BEGIN RSA PRIVATE KEY-----\0\0\0";
        SECRET_FILES.check(
            &FileRef {
                entry: &e,
                contents: bin,
            },
            &mut out,
        );
        assert!(out.is_empty());
    }
}
