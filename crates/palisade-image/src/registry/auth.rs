//! Registry authentication: where credentials come from, the
//! `WWW-Authenticate` challenge, and bearer tokens cached per scope.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde::Deserialize;

/// Largest `config.json` read.
const MAX_DOCKER_CONFIG_BYTES: u64 = 4 << 20;

/// A user name and password, and where they were found (for messages).
#[derive(Clone)]
pub(crate) struct Credentials {
    pub username: String,
    pub password: String,
    pub source: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// `Basic base64(user:password)`.
    pub fn basic_header(&self) -> String {
        let raw = format!("{}:{}", self.username, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }

    /// How the credentials are named in messages (never the password).
    pub fn describe(&self) -> String {
        format!("user {:?} from {}", self.username, self.source)
    }
}

/// The outcome of looking for credentials: what was found, and notes for
/// the user (a credential helper that is not supported, an unreadable
/// `config.json`).
#[derive(Debug, Default, Clone)]
pub(crate) struct CredLookup {
    pub creds: Option<Credentials>,
    pub notes: Vec<String>,
    /// The `config.json` consulted, if any.
    pub config_path: Option<PathBuf>,
}

/// Where credentials are taken from, first match wins: explicit options,
/// then the environment (`PALISADE_REGISTRY_USERNAME` and
/// `PALISADE_REGISTRY_PASSWORD`), then Docker's `config.json`.
pub(crate) fn find_credentials(
    registry: &str,
    username: Option<&str>,
    password: Option<&str>,
    docker_config: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> CredLookup {
    let path = match docker_config {
        Some(p) => Some(p.to_path_buf()),
        None => docker_config_path(env),
    };
    let mut out = CredLookup {
        config_path: path.clone(),
        ..CredLookup::default()
    };
    if let Some(u) = username {
        out.creds = Some(Credentials {
            username: u.to_string(),
            password: password.unwrap_or_default().to_string(),
            source: "the --username/--password options".into(),
        });
        return out;
    }
    if let Some(u) = env("PALISADE_REGISTRY_USERNAME").filter(|u| !u.is_empty()) {
        out.creds = Some(Credentials {
            username: u,
            password: env("PALISADE_REGISTRY_PASSWORD").unwrap_or_default(),
            source: "PALISADE_REGISTRY_USERNAME/PALISADE_REGISTRY_PASSWORD".into(),
        });
        return out;
    }
    let Some(path) = path else {
        return out;
    };
    match read_docker_config(&path) {
        Ok(None) => {}
        Ok(Some(cfg)) => lookup_in_config(&cfg, &path, registry, &mut out),
        Err(e) => out.notes.push(e),
    }
    out
}

/// `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`.
pub(crate) fn docker_config_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(d) = env("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("config.json"));
    }
    env("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".docker").join("config.json"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DockerConfig {
    #[serde(default)]
    auths: HashMap<String, AuthEntry>,
    #[serde(default)]
    creds_store: Option<String>,
    #[serde(default)]
    cred_helpers: HashMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

/// `Ok(None)` when the file does not exist; an error is a note for the
/// user naming the file and the place.
fn read_docker_config(path: &Path) -> Result<Option<DockerConfig>, String> {
    use std::io::Read as _;
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("could not read {}: {e}", path.display())),
    };
    let mut bytes = Vec::new();
    file.take(MAX_DOCKER_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("could not read {}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_DOCKER_CONFIG_BYTES {
        return Err(format!(
            "{} is larger than {MAX_DOCKER_CONFIG_BYTES} bytes; ignored",
            path.display()
        ));
    }
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        format!(
            "{}: line {} column {}: not a Docker config ({}); ignored",
            path.display(),
            e.line(),
            e.column(),
            e
        )
    })
}

/// The registry key Docker would file credentials under: no scheme, no
/// path, lower-case; Docker Hub's names all become `docker.io`.
pub(crate) fn normalize_registry_key(key: &str) -> String {
    let k = key
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let k = k.split('/').next().unwrap_or_default().to_ascii_lowercase();
    match k.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            "docker.io".into()
        }
        _ => k,
    }
}

fn lookup_in_config(cfg: &DockerConfig, path: &Path, registry: &str, out: &mut CredLookup) {
    let want = normalize_registry_key(registry);
    let mut keys: Vec<&String> = cfg.auths.keys().collect();
    keys.sort();
    for key in keys {
        if normalize_registry_key(key) != want {
            continue;
        }
        let Some(entry) = cfg.auths.get(key) else {
            continue;
        };
        let place = format!("{} (auths.{key:?})", path.display());
        if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
            match decode_auth(auth) {
                Ok((u, p)) => {
                    out.creds = Some(Credentials {
                        username: u,
                        password: p,
                        source: place,
                    });
                    return;
                }
                Err(e) => out.notes.push(format!("{place}: auth {e}; ignored")),
            }
        } else if let Some(u) = entry.username.as_deref().filter(|u| !u.is_empty()) {
            out.creds = Some(Credentials {
                username: u.to_string(),
                password: entry.password.clone().unwrap_or_default(),
                source: place,
            });
            return;
        } else if entry.identitytoken.is_some() {
            out.notes.push(format!(
                "{place} holds an identity token, which palisade does not use"
            ));
        }
    }
    if let Some(helper) = cfg
        .cred_helpers
        .iter()
        .find(|(k, _)| normalize_registry_key(k) == want)
        .map(|(_, v)| v)
    {
        out.notes.push(format!(
            "{} names credential helper {helper:?} for this registry; palisade does not run \
             credential helpers",
            path.display()
        ));
    } else if let Some(store) = &cfg.creds_store {
        out.notes.push(format!(
            "{} names credential store {store:?}; palisade does not run credential helpers",
            path.display()
        ));
    }
}

fn decode_auth(auth: &str) -> Result<(String, String), String> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(auth.trim())
        .map_err(|e| format!("is not base64 ({e})"))?;
    let text = String::from_utf8(raw).map_err(|_| "is not UTF-8 once decoded".to_string())?;
    let (u, p) = text
        .split_once(':')
        .ok_or_else(|| "does not decode to user:password".to_string())?;
    Ok((u.to_string(), p.to_string()))
}

/// One `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    /// `bearer` or `basic`, lower-case.
    pub scheme: String,
    pub params: HashMap<String, String>,
}

/// Parses a `WWW-Authenticate` value: `Bearer realm="...",service="...",
/// scope="..."` or `Basic realm="..."`. Parameter names are
/// case-insensitive; values may be quoted (with `\` escapes) or bare
/// tokens. Returns `None` when nothing usable is there.
pub(crate) fn parse_challenge(value: &str) -> Option<Challenge> {
    let value = value.trim();
    let (scheme, rest) = match value.find(|c: char| c.is_ascii_whitespace()) {
        Some(i) => (value.get(..i)?, value.get(i..)?),
        None => (value, ""),
    };
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return None;
    }
    let mut params = HashMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars
            .peek()
            .is_some_and(|c| c.is_ascii_whitespace() || *c == ',')
        {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ',' || c.is_ascii_whitespace() {
                break;
            }
            name.push(c);
            chars.next();
        }
        if name.is_empty() {
            break;
        }
        while chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            chars.next();
        }
        if chars.peek() != Some(&'=') {
            // A token68 or a stray word: skip it.
            continue;
        }
        chars.next();
        while chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            chars.next();
        }
        let mut val = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            val.push(n);
                        }
                    }
                    '"' => break,
                    c => val.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' || c.is_ascii_whitespace() {
                    break;
                }
                val.push(c);
                chars.next();
            }
        }
        params.insert(name.to_ascii_lowercase(), val);
    }
    Some(Challenge {
        scheme: scheme.to_ascii_lowercase(),
        params,
    })
}

/// Picks the challenge to answer from all `WWW-Authenticate` values:
/// Bearer first, then Basic.
pub(crate) fn pick_challenge<'a>(values: impl Iterator<Item = &'a str>) -> Option<Challenge> {
    let all: Vec<Challenge> = values.filter_map(parse_challenge).collect();
    all.iter()
        .find(|c| c.scheme == "bearer" && c.params.contains_key("realm"))
        .or_else(|| all.iter().find(|c| c.scheme == "basic"))
        .cloned()
}

/// A token endpoint's answer.
#[derive(Debug, Deserialize)]
pub(crate) struct TokenResponse {
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub access_token: Option<String>,
    #[serde(default)]
    pub expires_in: Option<u64>,
}

impl TokenResponse {
    /// The token (`token`, else `access_token`) and how long to use it.
    pub fn into_token(self) -> Option<(String, Duration)> {
        let t = self
            .token
            .filter(|t| !t.is_empty())
            .or(self.access_token.filter(|t| !t.is_empty()))?;
        // The distribution spec's default lifetime is 60 s; keep a margin.
        let secs = self.expires_in.unwrap_or(60).clamp(10, 24 * 3600);
        Some((t, Duration::from_secs(secs.saturating_sub(5))))
    }
}

/// What the registry asked for, and the tokens obtained per scope.
#[derive(Debug, Default)]
pub(crate) struct AuthState {
    /// The scheme the registry challenged with, once known.
    pub scheme: Option<Challenge>,
    pub tokens: HashMap<String, (String, Instant)>,
}

impl AuthState {
    /// A cached, unexpired token for `scope`.
    pub fn token(&self, scope: &str) -> Option<&str> {
        self.tokens
            .get(scope)
            .filter(|(_, until)| Instant::now() < *until)
            .map(|(t, _)| t.as_str())
    }
}

/// `application/x-www-form-urlencoded` value encoding.
pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_parse_robustly() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#,
        )
        .unwrap();
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.params["realm"], "https://auth.example/token");
        assert_eq!(c.params["service"], "registry.example");
        assert_eq!(c.params["scope"], "repository:a/b:pull,push");

        let c = parse_challenge(
            r#"bearer  Realm = "http://127.0.0.1:1/t" , service=bare, error="insufficient_scope", x="a\"b""#,
        )
        .unwrap();
        assert_eq!(c.params["realm"], "http://127.0.0.1:1/t");
        assert_eq!(c.params["service"], "bare");
        assert_eq!(c.params["x"], "a\"b");

        let c = parse_challenge(r#"Basic realm="Registry Realm""#).unwrap();
        assert_eq!(c.scheme, "basic");
        assert!(parse_challenge("").is_none());
        assert!(parse_challenge("\"bad scheme\"").is_none());
        // Unterminated quote and junk: no panic, best effort.
        let c = parse_challenge(r#"Bearer realm="unterminated, ,,= ,service"#).unwrap();
        assert_eq!(c.params["realm"], "unterminated, ,,= ,service");
        let c = parse_challenge("Bearer token68== , realm=x").unwrap();
        assert_eq!(c.params["realm"], "x");

        let picked = pick_challenge(
            ["Basic realm=\"r\"", "Bearer realm=\"https://a/t\""]
                .iter()
                .copied(),
        )
        .unwrap();
        assert_eq!(picked.scheme, "bearer");
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn docker_config_auths() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let auth = base64::engine::general_purpose::STANDARD.encode("alice:s3cret:x");
        std::fs::write(
            &path,
            format!(
                r#"{{"auths": {{"https://127.0.0.1:5000/v2/": {{"auth": "{auth}"}},
                   "https://index.docker.io/v1/": {{"username": "bob", "password": "pw"}},
                   "bad.example": {{"auth": "%%%"}}}},
                   "credHelpers": {{"gcr.io": "gcloud"}}, "credsStore": "desktop"}}"#
            ),
        )
        .unwrap();
        let l = find_credentials("127.0.0.1:5000", None, None, Some(&path), &no_env);
        let c = l.creds.unwrap();
        assert_eq!(
            (c.username.as_str(), c.password.as_str()),
            ("alice", "s3cret:x")
        );
        assert!(c.source.contains("auths"), "{}", c.source);
        let l = find_credentials("docker.io", None, None, Some(&path), &no_env);
        assert_eq!(l.creds.unwrap().username, "bob");
        let l = find_credentials("gcr.io", None, None, Some(&path), &no_env);
        assert!(l.creds.is_none());
        assert!(l.notes[0].contains("gcloud"), "{:?}", l.notes);
        let l = find_credentials("bad.example", None, None, Some(&path), &no_env);
        assert!(l.creds.is_none());
        assert!(l.notes[0].contains("not base64"), "{:?}", l.notes);
        let l = find_credentials("other.example", None, None, Some(&path), &no_env);
        assert!(l.notes[0].contains("desktop"), "{:?}", l.notes);

        // Options win over the environment, which wins over the file.
        let env = |k: &str| match k {
            "PALISADE_REGISTRY_USERNAME" => Some("envuser".to_string()),
            "PALISADE_REGISTRY_PASSWORD" => Some("envpw".to_string()),
            _ => None,
        };
        let l = find_credentials("127.0.0.1:5000", None, None, Some(&path), &env);
        assert_eq!(l.creds.unwrap().username, "envuser");
        let l = find_credentials("127.0.0.1:5000", Some("opt"), Some("p"), Some(&path), &env);
        assert_eq!(l.creds.unwrap().username, "opt");
    }

    #[test]
    fn docker_config_location_and_bad_files() {
        let env = |k: &str| match k {
            "DOCKER_CONFIG" => Some("/cfg".to_string()),
            "HOME" => Some("/home/u".to_string()),
            _ => None,
        };
        assert_eq!(
            docker_config_path(&env),
            Some(PathBuf::from("/cfg/config.json"))
        );
        let home = |k: &str| (k == "HOME").then(|| "/home/u".to_string());
        assert_eq!(
            docker_config_path(&home),
            Some(PathBuf::from("/home/u/.docker/config.json"))
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, "{\n \"auths\": [1,2]\n}").unwrap();
        let l = find_credentials("x.example", None, None, Some(&path), &no_env);
        assert!(l.creds.is_none());
        assert!(l.notes[0].contains("line 2"), "{:?}", l.notes);
        let missing = dir.path().join("nope.json");
        let l = find_credentials("x.example", None, None, Some(&missing), &no_env);
        assert!(l.creds.is_none() && l.notes.is_empty());
    }

    #[test]
    fn tokens_and_encoding() {
        let t: TokenResponse = serde_json::from_str(r#"{"access_token":"abc"}"#).unwrap();
        assert_eq!(t.into_token().unwrap().0, "abc");
        let t: TokenResponse =
            serde_json::from_str(r#"{"token":"","access_token":"x","expires_in":300}"#).unwrap();
        let (tok, d) = t.into_token().unwrap();
        assert_eq!(tok, "x");
        assert_eq!(d, Duration::from_secs(295));
        let t: TokenResponse = serde_json::from_str("{}").unwrap();
        assert!(t.into_token().is_none());
        assert_eq!(
            url_encode("repository:a/b:pull"),
            "repository%3Aa%2Fb%3Apull"
        );
    }
}
