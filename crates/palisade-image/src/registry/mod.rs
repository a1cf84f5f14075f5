//! Images in a registry, over the OCI distribution API (`GET
//! /v2/<repo>/manifests/<ref>` and `/blobs/<digest>`).
//!
//! Manifests are asked for as OCI index/manifest and Docker manifest
//! list/v2; indexes are followed to the wanted platform with the same logic
//! as an OCI layout ([`crate::oci::resolve_candidates`]). Every document and
//! blob is verified against its digest (a manifest pulled by tag is
//! content-addressed once fetched); blobs stream through the
//! [`BlobCache`] when one is configured, so rescans read them from disk.
//!
//! Authentication follows the registry's `WWW-Authenticate` challenge:
//! anonymous first, then HTTP Basic, or the Bearer token flow (credentials,
//! when known, go to the token realm; tokens are cached per scope).

pub mod auth;
pub mod catalog;
pub mod transport;

use std::io::Read;
use std::sync::Mutex;
use std::time::Instant;

use palisade_model::ImageRef;
use sha2::{Digest as _, Sha256};

use crate::cache::BlobCache;
use crate::oci::{
    resolve_candidates, to_hex, BlobDigest, Descriptor, DocFetch, DocKind, ImageError, OciLimits,
    Platform, ResolvedImage, VerifiedBlob, MEDIA_DOCKER_LIST, MEDIA_DOCKER_MANIFEST,
    MEDIA_OCI_INDEX, MEDIA_OCI_MANIFEST,
};
use crate::reference::SourceOptions;
use crate::source::BlobSource;
use auth::{AuthState, CredLookup, TokenResponse};
use transport::{Http, HttpSettings};

pub use transport::is_loopback_host;

/// What a manifest request accepts.
const ACCEPT_MANIFESTS: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.docker.distribution.manifest.v2+json";

/// Largest token endpoint answer read.
const MAX_TOKEN_BYTES: u64 = 1 << 20;

/// Largest error body quoted from a registry.
const MAX_ERROR_BODY: u64 = 4096;

/// Docker Hub's API host.
const DOCKER_HUB_API: &str = "registry-1.docker.io";

/// An image in a registry: the `registry/repo:tag` and `@sha256:` source.
pub struct RegistrySource {
    reference: ImageRef,
    /// `https://host:port` or `http://host:port`.
    base: String,
    http: Http,
    creds: CredLookup,
    auth: Mutex<AuthState>,
    cache: Option<BlobCache>,
    limits: OciLimits,
}

impl std::fmt::Debug for RegistrySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistrySource")
            .field("reference", &self.reference.qualified())
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl RegistrySource {
    /// Prepares a source for `reference`. Nothing is sent yet; plain HTTP
    /// (`opts.insecure`) to a host that is not loopback is refused here.
    pub fn new(reference: ImageRef, opts: &SourceOptions) -> Result<Self, ImageError> {
        let host = reference.host();
        if opts.insecure && !is_loopback_host(&host) {
            return Err(ImageError::InsecureNotLoopback { host });
        }
        let api_host = if reference.is_docker_hub() {
            DOCKER_HUB_API.to_string()
        } else {
            reference.registry().to_string()
        };
        let scheme = if opts.insecure { "http" } else { "https" };
        let http = Http::new(&HttpSettings {
            ca_file: opts.ca_file.as_deref(),
            connect_timeout: opts.connect_timeout,
            read_timeout: opts.read_timeout,
            max_redirects: opts.max_redirects,
        })?;
        let env = |k: &str| {
            if opts.use_env {
                std::env::var(k).ok()
            } else {
                None
            }
        };
        let creds = auth::find_credentials(
            reference.registry(),
            opts.username.as_deref(),
            opts.password.as_deref(),
            opts.docker_config.as_deref(),
            &env,
        );
        Ok(Self {
            base: format!("{scheme}://{api_host}"),
            reference,
            http,
            creds,
            auth: Mutex::new(AuthState::default()),
            cache: BlobCache::from_setting(&opts.cache),
            limits: opts.limits,
        })
    }

    /// The reference this source reads.
    pub fn reference(&self) -> &ImageRef {
        &self.reference
    }

    fn repo(&self) -> &str {
        self.reference.path()
    }

    fn scope(&self) -> String {
        format!("repository:{}:pull", self.repo())
    }

    /// GETs a registry URL with authentication: anonymous (or what is
    /// known to work) first, answering one challenge.
    fn get(
        &self,
        url: &str,
        accept: Option<&str>,
    ) -> Result<ureq::http::Response<ureq::Body>, ImageError> {
        self.get_scoped(url, accept, &self.scope())
    }

    /// [`Self::get`] for a token `scope` other than this repository's pull
    /// (the catalog's `registry:catalog:*`).
    fn get_scoped(
        &self,
        url: &str,
        accept: Option<&str>,
        scope: &str,
    ) -> Result<ureq::http::Response<ureq::Body>, ImageError> {
        let scope = scope.to_string();
        let mut answered = false;
        loop {
            let header = self.auth_header(&scope)?;
            let (final_url, resp) = self.http.get(url, accept, header.as_deref())?;
            let status = resp.status().as_u16();
            if status != 401 {
                if status == 403 {
                    return Err(self.unauthorized(&final_url, status));
                }
                return Ok(resp);
            }
            if answered {
                return Err(self.unauthorized(&final_url, status));
            }
            let challenge = auth::pick_challenge(
                resp.headers()
                    .get_all("www-authenticate")
                    .iter()
                    .filter_map(|v| v.to_str().ok()),
            );
            let Some(challenge) = challenge else {
                return Err(self.unauthorized(&final_url, status));
            };
            if challenge.scheme == "basic" && self.creds.creds.is_none() {
                return Err(self.unauthorized(&final_url, status));
            }
            if let Ok(mut st) = self.auth.lock() {
                st.tokens.remove(&scope);
                st.scheme = Some(challenge);
            }
            answered = true;
        }
    }

    /// The `Authorization` header for `scope`, fetching a token when the
    /// registry wants Bearer and none is cached.
    fn auth_header(&self, scope: &str) -> Result<Option<String>, ImageError> {
        let mut st = self.auth.lock().map_err(|_| ImageError::Registry {
            registry: self.reference.registry().to_string(),
            detail: "authentication state poisoned by a panic".into(),
        })?;
        let Some(challenge) = st.scheme.clone() else {
            return Ok(None);
        };
        if challenge.scheme == "basic" {
            return Ok(self.creds.creds.as_ref().map(|c| c.basic_header()));
        }
        if let Some(t) = st.token(scope) {
            return Ok(Some(format!("Bearer {t}")));
        }
        let realm = challenge.params.get("realm").cloned().unwrap_or_default();
        let mut url = realm.clone();
        url.push(if realm.contains('?') { '&' } else { '?' });
        if let Some(service) = challenge.params.get("service") {
            url.push_str(&format!("service={}&", auth::url_encode(service)));
        }
        url.push_str(&format!("scope={}", auth::url_encode(scope)));
        let basic = self.creds.creds.as_ref().map(|c| c.basic_header());
        let (final_url, resp) = self.http.get(&url, None, basic.as_deref())?;
        let status = resp.status().as_u16();
        if status == 401 || status == 403 {
            return Err(self.unauthorized(&final_url, status));
        }
        if !(200..300).contains(&status) {
            return Err(self.http_error(&final_url, resp, "token request"));
        }
        let bytes = read_limited(resp, MAX_TOKEN_BYTES, &realm)?;
        let parsed: TokenResponse =
            serde_json::from_slice(&bytes).map_err(|e| ImageError::Registry {
                registry: self.reference.registry().to_string(),
                detail: format!("token endpoint {realm} answered with invalid JSON: {e}"),
            })?;
        let (token, life) = parsed.into_token().ok_or_else(|| ImageError::Registry {
            registry: self.reference.registry().to_string(),
            detail: format!("token endpoint {realm} gave neither `token` nor `access_token`"),
        })?;
        st.tokens
            .insert(scope.to_string(), (token.clone(), Instant::now() + life));
        Ok(Some(format!("Bearer {token}")))
    }

    fn unauthorized(&self, url: &str, status: u16) -> ImageError {
        let tried = match &self.creds.creds {
            Some(c) => c.describe(),
            None => "none (anonymous)".to_string(),
        };
        let config = match &self.creds.config_path {
            Some(p) => format!("an `auths` entry in {}", p.display()),
            None => "an `auths` entry in ~/.docker/config.json".to_string(),
        };
        let mut hint = format!(
            "Supply credentials for {} with --username/--password, \
             PALISADE_REGISTRY_USERNAME/PALISADE_REGISTRY_PASSWORD, or {config}",
            self.reference.registry()
        );
        for note in &self.creds.notes {
            hint.push_str("; note: ");
            hint.push_str(note);
        }
        ImageError::Unauthorized {
            url: url.to_string(),
            status,
            tried,
            hint,
        }
    }

    fn http_error(
        &self,
        url: &str,
        resp: ureq::http::Response<ureq::Body>,
        what: &str,
    ) -> ImageError {
        let status = resp.status().as_u16();
        let body = read_limited(resp, MAX_ERROR_BODY, url).unwrap_or_default();
        let text = registry_error_text(&body);
        ImageError::Registry {
            registry: self.reference.registry().to_string(),
            detail: format!("{what} {url} failed with HTTP {status}{text}"),
        }
    }

    fn not_found(&self, what: String) -> ImageError {
        ImageError::NotFound {
            registry: self.reference.registry().to_string(),
            repository: self.repo().to_string(),
            what,
        }
    }

    /// Fetches the top manifest by tag or digest: its descriptor and bytes.
    fn fetch_top(&self) -> Result<(Descriptor, Vec<u8>), ImageError> {
        let wanted = match self.reference.digest() {
            Some(d) => Some(BlobDigest::parse(d)?),
            None => None,
        };
        let reference = match (&wanted, self.reference.tag()) {
            (Some(d), _) => d.as_str().to_string(),
            (None, Some(t)) => t.to_string(),
            (None, None) => "latest".to_string(),
        };
        if let (Some(d), Some(cache)) = (&wanted, &self.cache) {
            if let Some(bytes) = read_cached_doc(cache, d, self.limits.max_json_bytes) {
                let media_type = sniff_media_type(&bytes, None);
                let desc = descriptor(media_type, d.as_str(), bytes.len() as u64);
                return Ok((desc, bytes));
            }
        }
        let url = format!("{}/v2/{}/manifests/{reference}", self.base, self.repo());
        let resp = self.get(&url, Some(ACCEPT_MANIFESTS))?;
        let status = resp.status().as_u16();
        if status == 404 {
            let what = match &wanted {
                Some(d) => format!("manifest {d}"),
                None => format!("tag {reference:?} (manifest {}:{reference})", self.repo()),
            };
            return Err(self.not_found(what));
        }
        if !(200..300).contains(&status) {
            return Err(self.http_error(&url, resp, "manifest request"));
        }
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_string());
        let header_digest = resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let limit = self.limits.max_json_bytes;
        let bytes = read_limited(resp, limit + 1, &url)?;
        if bytes.len() as u64 > limit {
            return Err(ImageError::JsonTooLarge {
                what: format!("manifest {}:{reference}", self.repo()),
                size: bytes.len() as u64,
                limit,
                limit_name: "max_json_bytes",
            });
        }
        let actual = format!("sha256:{}", to_hex(&Sha256::digest(&bytes)));
        if let Some(d) = &wanted {
            if d.as_str() != actual {
                return Err(ImageError::DigestMismatch {
                    expected: d.as_str().to_string(),
                    actual,
                });
            }
        } else if let Some(h) = header_digest.filter(|h| h.starts_with("sha256:")) {
            if h != actual {
                return Err(ImageError::DigestMismatch {
                    expected: h,
                    actual,
                });
            }
        }
        let digest = BlobDigest::parse(&actual)?;
        if let Some(cache) = &self.cache {
            cache.store(&digest, &bytes);
        }
        let media_type = sniff_media_type(&bytes, content_type.as_deref());
        Ok((descriptor(media_type, &actual, bytes.len() as u64), bytes))
    }

    /// GETs a blob or manifest by digest, checking the status.
    fn get_by_digest(
        &self,
        desc: &Descriptor,
        kind: Option<DocKind>,
    ) -> Result<ureq::http::Response<ureq::Body>, ImageError> {
        let (path, accept, what) = match kind {
            Some(DocKind::Index) | Some(DocKind::Manifest) => {
                ("manifests", Some(ACCEPT_MANIFESTS), "manifest")
            }
            _ => ("blobs", None, "blob"),
        };
        let url = format!("{}/v2/{}/{path}/{}", self.base, self.repo(), desc.digest);
        let resp = self.get(&url, accept)?;
        let status = resp.status().as_u16();
        if status == 404 {
            return Err(self.not_found(format!("{what} {}", desc.digest)));
        }
        if !(200..300).contains(&status) {
            return Err(self.http_error(&url, resp, &format!("{what} request")));
        }
        if let Some(len) = resp
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            if len != desc.size {
                return Err(ImageError::SizeMismatch {
                    digest: desc.digest.clone(),
                    expected: desc.size,
                    actual: len,
                });
            }
        }
        Ok(resp)
    }
}

fn descriptor(media_type: String, digest: &str, size: u64) -> Descriptor {
    Descriptor {
        media_type,
        digest: digest.to_string(),
        size,
        platform: None,
        annotations: Default::default(),
    }
}

/// The media type of a manifest: the `Content-Type` when it names a
/// manifest type, else the document's `mediaType`, else guessed from its
/// shape (`manifests` is an index, `layers` a manifest).
fn sniff_media_type(bytes: &[u8], content_type: Option<&str>) -> String {
    const KNOWN: &[&str] = &[
        MEDIA_OCI_INDEX,
        MEDIA_OCI_MANIFEST,
        MEDIA_DOCKER_LIST,
        MEDIA_DOCKER_MANIFEST,
    ];
    if let Some(ct) = content_type.filter(|ct| KNOWN.contains(ct)) {
        return ct.to_string();
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Shape {
        #[serde(default)]
        media_type: Option<String>,
        #[serde(default)]
        schema_version: Option<u64>,
        #[serde(default)]
        manifests: Option<serde::de::IgnoredAny>,
        #[serde(default)]
        layers: Option<serde::de::IgnoredAny>,
    }
    let Ok(shape) = serde_json::from_slice::<Shape>(bytes) else {
        return content_type.unwrap_or("application/json").to_string();
    };
    if let Some(mt) = shape.media_type.filter(|m| !m.is_empty()) {
        return mt;
    }
    if shape.schema_version == Some(1) {
        return "application/vnd.docker.distribution.manifest.v1+json".into();
    }
    if shape.manifests.is_some() {
        MEDIA_OCI_INDEX.into()
    } else if shape.layers.is_some() {
        MEDIA_OCI_MANIFEST.into()
    } else {
        content_type.unwrap_or("application/json").to_string()
    }
}

fn read_cached_doc(cache: &BlobCache, digest: &BlobDigest, limit: u64) -> Option<Vec<u8>> {
    let size = std::fs::metadata(cache.path(digest)).ok()?.len();
    if size > limit {
        return None;
    }
    cache.read_small(digest, size)
}

/// Reads a response body, at most `limit` bytes.
fn read_limited(
    resp: ureq::http::Response<ureq::Body>,
    limit: u64,
    url: &str,
) -> Result<Vec<u8>, ImageError> {
    let mut bytes = Vec::new();
    resp.into_body()
        .into_reader()
        .take(limit)
        .read_to_end(&mut bytes)
        .map_err(|e| ImageError::Registry {
            registry: url.chars().take(200).collect(),
            detail: format!("reading the response failed: {e}"),
        })?;
    Ok(bytes)
}

/// `: CODE message` from a distribution error body, else the body's
/// first line (clipped).
fn registry_error_text(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<ErrorItem>,
    }
    #[derive(serde::Deserialize)]
    struct ErrorItem {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    if let Ok(e) = serde_json::from_slice::<Errors>(body) {
        let parts: Vec<String> = e
            .errors
            .iter()
            .take(4)
            .map(|i| format!("{} {}", i.code, i.message).trim().to_string())
            .collect();
        if !parts.is_empty() {
            return format!(": {}", parts.join("; "));
        }
    }
    let text = String::from_utf8_lossy(body);
    let line: String = text
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    if line.trim().is_empty() {
        String::new()
    } else {
        format!(": {}", line.trim())
    }
}

/// The documents of one resolution: the top manifest is already in hand.
struct Docs<'a> {
    src: &'a RegistrySource,
    top: &'a (Descriptor, Vec<u8>),
}

impl DocFetch for Docs<'_> {
    fn fetch_doc(&self, desc: &Descriptor, kind: DocKind) -> Result<Vec<u8>, ImageError> {
        if desc.digest == self.top.0.digest {
            return Ok(self.top.1.clone());
        }
        let digest = BlobDigest::parse(&desc.digest)?;
        if let Some(cache) = &self.src.cache {
            if let Some(bytes) = cache.read_small(&digest, desc.size) {
                return Ok(bytes);
            }
        }
        let resp = self.src.get_by_digest(desc, Some(kind))?;
        let mut blob = VerifiedBlob::new(resp.into_body().into_reader(), digest.clone(), desc.size);
        let mut bytes = Vec::new();
        let read = blob.read_to_end(&mut bytes);
        blob.finish()?;
        read.map_err(|e| ImageError::Registry {
            registry: self.src.reference.registry().to_string(),
            detail: format!("reading {} {} failed: {e}", kind.what(), desc.digest),
        })?;
        if let Some(cache) = &self.src.cache {
            cache.store(&digest, &bytes);
        }
        Ok(bytes)
    }
}

impl BlobSource for RegistrySource {
    fn describe(&self) -> String {
        self.reference.familiar()
    }

    fn resolve(&self, platform: &Platform) -> Result<ResolvedImage, ImageError> {
        let top = self.fetch_top()?;
        let docs = Docs {
            src: self,
            top: &top,
        };
        let tag: Vec<String> = self
            .reference
            .tag()
            .map(str::to_string)
            .into_iter()
            .collect();
        resolve_candidates(&docs, vec![top.0.clone()], platform, &self.limits, &tag)
    }

    fn open_blob(
        &self,
        desc: &Descriptor,
    ) -> Result<VerifiedBlob<Box<dyn Read + Send + '_>>, ImageError> {
        let digest = BlobDigest::parse(&desc.digest)?;
        if let Some(cache) = &self.cache {
            if let Some(blob) = cache.open(&digest, desc.size) {
                return Ok(blob.boxed());
            }
        }
        let resp = self.get_by_digest(desc, None)?;
        let reader = resp.into_body().into_reader();
        Ok(match &self.cache {
            Some(cache) => cache.tee(reader, &digest, desc.size),
            None => VerifiedBlob::new(reader, digest, desc.size).boxed(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_are_sniffed() {
        assert_eq!(
            sniff_media_type(b"{}", Some(MEDIA_DOCKER_MANIFEST)),
            MEDIA_DOCKER_MANIFEST
        );
        assert_eq!(
            sniff_media_type(br#"{"manifests":[]}"#, Some("application/json")),
            MEDIA_OCI_INDEX
        );
        assert_eq!(
            sniff_media_type(br#"{"layers":[]}"#, None),
            MEDIA_OCI_MANIFEST
        );
        assert!(sniff_media_type(br#"{"schemaVersion":1}"#, None).contains("v1"));
        assert_eq!(
            sniff_media_type(br#"{"mediaType":"x/y"}"#, Some("text/plain")),
            "x/y"
        );
    }

    #[test]
    fn error_bodies() {
        assert_eq!(
            registry_error_text(br#"{"errors":[{"code":"DENIED","message":"no"}]}"#),
            ": DENIED no"
        );
        assert_eq!(registry_error_text(b"oops\nmore"), ": oops");
        assert_eq!(registry_error_text(b""), "");
    }
}
