//! `palisade db update`: fetch each source (a local path, or an HTTP(S)
//! URL), verify it, and import it into a new generation of the store.
//!
//! Downloads are conditional (`If-None-Match` with the stored `ETag`, else
//! `If-Modified-Since` with the stored `Last-Modified`; a `304` means the
//! source is unchanged), resumable (a partial download is kept as
//! `downloads/<hash>.part` beside a note of its validator; the next update
//! asks for the rest with `Range` + `If-Range`, and starts over when the
//! server answers `200`), bounded in size and time, and optionally checked
//! against a SHA-256 given by the user. Plain `http://` is accepted only
//! for loopback hosts; anything else must be `https://`, and redirects from
//! HTTPS never go to plain HTTP. Nothing here runs unless an update is
//! asked for: opening and reading the database never touches the network.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use ureq::tls::{PemItem, RootCerts, TlsConfig, TlsProvider};

use crate::import::{ImportError, ImportLimits};
use crate::store::write::{hex, ImportOrDb, Writer};
use crate::store::{DbError, ImportOutcome, SourceInfo};

/// The sources used by `palisade db update` when none is given and the
/// database holds none yet: OSV's published `all.zip` per ecosystem, for
/// the ecosystems palisade inventories.
pub const DEFAULT_SOURCES: &[&str] = &[
    "https://osv-vulnerabilities.storage.googleapis.com/Alpine/all.zip",
    "https://osv-vulnerabilities.storage.googleapis.com/AlmaLinux/all.zip",
    "https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip",
    "https://osv-vulnerabilities.storage.googleapis.com/Ubuntu/all.zip",
    "https://osv-vulnerabilities.storage.googleapis.com/Rocky%20Linux/all.zip",
    "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip",
    "https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip",
    "https://osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip",
    "https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip",
    "https://osv-vulnerabilities.storage.googleapis.com/Maven/all.zip",
    "https://osv-vulnerabilities.storage.googleapis.com/RubyGems/all.zip",
    "https://osv-vulnerabilities.storage.googleapis.com/NuGet/all.zip",
    "https://osv-vulnerabilities.storage.googleapis.com/Packagist/all.zip",
];

/// Where a source comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// An `http://` or `https://` URL.
    Url(String),
    /// A local directory, JSON/YAML file or zip (a `file://` URL is a path).
    Path(PathBuf),
}

impl SourceSpec {
    /// Reads `--source` text: `http(s)://` is a URL, `file://` and
    /// anything else a path.
    pub fn parse(text: &str) -> SourceSpec {
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            SourceSpec::Url(text.to_string())
        } else if let Some(p) = text.strip_prefix("file://") {
            SourceSpec::Path(PathBuf::from(p))
        } else {
            SourceSpec::Path(PathBuf::from(text))
        }
    }

    /// The name the source is recorded under: the URL, or the absolute path.
    pub fn location(&self) -> String {
        match self {
            SourceSpec::Url(u) => u.clone(),
            SourceSpec::Path(p) => std::fs::canonicalize(p)
                .or_else(|_| std::path::absolute(p))
                .unwrap_or_else(|_| p.clone())
                .display()
                .to_string(),
        }
    }
}

/// Bounds of a download.
#[derive(Debug, Clone)]
pub struct DownloadOptions {
    /// Largest body accepted, in bytes.
    pub max_bytes: u64,
    /// Time to resolve and connect.
    pub connect_timeout: Duration,
    /// Longest wait for the response or for any read of the body (a stalled server).
    pub read_timeout: Duration,
    /// Longest a whole download may take.
    pub total_timeout: Duration,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        DownloadOptions {
            max_bytes: 4 << 30,
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
            total_timeout: Duration::from_secs(3600),
        }
    }
}

/// Settings of [`update`].
#[derive(Debug, Clone, Default)]
pub struct UpdateOptions {
    /// The expected SHA-256 (hex) of the source's file or zip; only with one source.
    pub sha256: Option<String>,
    /// Bounds on reading each source.
    pub limits: ImportLimits,
    /// Bounds on each download.
    pub download: DownloadOptions,
}

/// What happened to one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceResult {
    /// The server answered `304 Not Modified`.
    NotModified,
    /// The source was read; see the outcome (which says whether anything changed).
    Imported(ImportOutcome),
    /// The source failed; the database keeps what it held for it before.
    Failed(String),
}

/// What [`update`] did, source by source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateReport {
    /// `(location, result)` in the order given.
    pub sources: Vec<(String, SourceResult)>,
}

impl UpdateReport {
    /// Whether any source failed.
    pub fn failed(&self) -> bool {
        self.sources
            .iter()
            .any(|(_, r)| matches!(r, SourceResult::Failed(_)))
    }
}

/// Why a download failed.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// The URL is not acceptable.
    #[error("{url}: {message}")]
    Url {
        /// The URL.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// The transfer failed.
    #[error("{url}: {message}")]
    Transfer {
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// A local file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// Updates the database in `dir` from `sources`; with no sources, from the
/// sources it already holds, or [`DEFAULT_SOURCES`] when it holds none.
///
/// Each source is imported on its own: one that fails is reported and
/// keeps its previous records, the others are still updated. The new
/// database replaces the old one atomically at the end; readers that have
/// the old one open keep reading it. Errors returned here are about the
/// store itself (lock, disk); source errors are in the report.
pub fn update(
    dir: &Path,
    sources: &[SourceSpec],
    options: &UpdateOptions,
) -> Result<UpdateReport, DbError> {
    if options.sha256.is_some() && sources.len() != 1 {
        return Err(DbError::Store {
            path: dir.to_path_buf(),
            message: "--sha256 needs exactly one --source".into(),
        });
    }
    let mut writer = Writer::begin(dir)?;
    let sources: Vec<SourceSpec> = if sources.is_empty() {
        let known = writer.sources()?;
        if known.is_empty() {
            DEFAULT_SOURCES
                .iter()
                .map(|s| SourceSpec::parse(s))
                .collect()
        } else {
            known
                .iter()
                .map(|s| SourceSpec::parse(&s.location))
                .collect()
        }
    } else {
        sources.to_vec()
    };
    let downloads = dir.join("downloads");
    let mut report = UpdateReport::default();
    for spec in &sources {
        let location = spec.location();
        let result = update_one(&mut writer, spec, &location, &downloads, options);
        let result = match result {
            Ok(r) => r,
            Err(OneError::Db(e)) => return Err(e),
            Err(OneError::Source(m)) => SourceResult::Failed(m),
        };
        report.sources.push((location, result));
    }
    writer.commit()?;
    Ok(report)
}

enum OneError {
    Db(DbError),
    Source(String),
}

impl From<ImportOrDb> for OneError {
    fn from(e: ImportOrDb) -> Self {
        match e {
            ImportOrDb::Db(d) => OneError::Db(d),
            ImportOrDb::Import(i) => OneError::Source(i.to_string()),
        }
    }
}

fn update_one(
    writer: &mut Writer,
    spec: &SourceSpec,
    location: &str,
    downloads: &Path,
    options: &UpdateOptions,
) -> Result<SourceResult, OneError> {
    let previous = writer.source(location).map_err(OneError::Db)?;
    let (path, etag, last_modified, downloaded) = match spec {
        SourceSpec::Path(p) => (p.clone(), None, None, false),
        SourceSpec::Url(url) => {
            match download(url, downloads, previous.as_ref(), &options.download) {
                Ok(Fetched::NotModified) => {
                    writer.touch(location).map_err(OneError::Db)?;
                    return Ok(SourceResult::NotModified);
                }
                Ok(Fetched::File {
                    path,
                    etag,
                    last_modified,
                }) => (path, etag, last_modified, true),
                Err(e) => return Err(OneError::Source(e.to_string())),
            }
        }
    };
    let result = (|| {
        if let Some(want) = &options.sha256 {
            verify_sha256(&path, want, location)?;
        }
        writer
            .import_source(
                location,
                &path,
                &options.limits,
                (etag.as_deref(), last_modified.as_deref()),
            )
            .map_err(OneError::from)
    })();
    if downloaded {
        let _ = std::fs::remove_file(&path);
    }
    result.map(SourceResult::Imported)
}

fn verify_sha256(path: &Path, want: &str, location: &str) -> Result<(), OneError> {
    if path.is_dir() {
        return Err(OneError::Source(format!(
            "{location}: --sha256 checks a file or zip, not a directory"
        )));
    }
    let mut f = File::open(path).map_err(|e| {
        OneError::Source(
            ImportError::Io {
                path: path.display().to_string(),
                source: e,
            }
            .to_string(),
        )
    })?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| OneError::Source(format!("{}: {e}", path.display())))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    let got = hex(&h.finalize());
    if !got.eq_ignore_ascii_case(want.trim()) {
        return Err(OneError::Source(format!(
            "{location}: SHA-256 is {got}, expected {want} (nothing imported)"
        )));
    }
    Ok(())
}

/// What a download produced.
#[derive(Debug)]
pub enum Fetched {
    /// `304 Not Modified`.
    NotModified,
    /// The complete body, in a file the caller removes after use.
    File {
        /// The file.
        path: PathBuf,
        /// The response's `ETag`.
        etag: Option<String>,
        /// The response's `Last-Modified`.
        last_modified: Option<String>,
    },
}

/// Validator of a partial download, kept beside it.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct PartNote {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
}

fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost") || h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn agent(url_is_https: bool, o: &DownloadOptions) -> ureq::Agent {
    let mut tls = TlsConfig::builder().provider(TlsProvider::Rustls);
    let bundles = std::env::var_os("SSL_CERT_FILE")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            [
                "/etc/ssl/certs/ca-certificates.crt",
                "/etc/pki/tls/certs/ca-bundle.crt",
                "/etc/ssl/cert.pem",
            ]
            .map(PathBuf::from),
        );
    for b in bundles {
        let Ok(bytes) = std::fs::read(&b) else {
            continue;
        };
        let certs: Vec<_> = ureq::tls::parse_pem(&bytes)
            .filter_map(|i| match i {
                Ok(PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        if !certs.is_empty() {
            tls = tls.root_certs(RootCerts::Specific(Arc::new(certs)));
            break;
        }
    }
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .https_only(url_is_https)
        .max_redirects(5)
        .timeout_connect(Some(o.connect_timeout))
        .timeout_resolve(Some(o.connect_timeout))
        .timeout_recv_response(Some(o.read_timeout))
        .timeout_per_read(Some(o.read_timeout))
        .timeout_global(Some(o.total_timeout))
        .user_agent(concat!("palisade/", env!("CARGO_PKG_VERSION")))
        .tls_config(tls.build())
        .build()
        .new_agent()
}

/// Downloads `url` into `dir` (see the module documentation).
pub fn download(
    url: &str,
    dir: &Path,
    previous: Option<&SourceInfo>,
    o: &DownloadOptions,
) -> Result<Fetched, DownloadError> {
    let url_err = |m: &str| DownloadError::Url {
        url: url.to_string(),
        message: m.to_string(),
    };
    let tx = |m: String| DownloadError::Transfer {
        url: url.to_string(),
        message: m,
    };
    let uri: ureq::http::Uri = url
        .parse()
        .map_err(|e| url_err(&format!("invalid URL: {e}")))?;
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") if uri.host().is_some_and(is_loopback) => false,
        Some("http") => {
            return Err(url_err(
                "plain http:// is accepted only for loopback hosts; use https:// (or a local path for a mirror)",
            ))
        }
        _ => return Err(url_err("expected an http(s):// URL")),
    };
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DownloadError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let stem = hex(&Sha256::digest(url.as_bytes())[..8]);
    let part = dir.join(format!("{stem}.part"));
    let note_path = dir.join(format!("{stem}.part.json"));
    let agent = agent(https, o);

    let note: Option<PartNote> = std::fs::read(&note_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|n: &PartNote| n.url == url);
    let have = std::fs::metadata(&part).map_or(0, |m| m.len());
    let resume = note
        .as_ref()
        .and_then(|n| n.etag.clone().or_else(|| n.last_modified.clone()))
        .filter(|_| have > 0);

    let mut req = agent.get(url);
    if let Some(validator) = &resume {
        req = req
            .header("Range", format!("bytes={have}-"))
            .header("If-Range", validator.as_str());
    } else if let Some(p) = previous {
        if let Some(etag) = &p.etag {
            req = req.header("If-None-Match", etag.as_str());
        } else if let Some(lm) = &p.last_modified {
            req = req.header("If-Modified-Since", lm.as_str());
        }
    }
    let resp = req.call().map_err(|e| tx(describe(&e)))?;
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let etag = header("etag");
    let last_modified = header("last-modified");
    let length: Option<u64> = header("content-length").and_then(|v| v.trim().parse().ok());
    let offset = match status {
        304 => return Ok(Fetched::NotModified),
        200 => 0,
        206 => {
            // `Content-Range: bytes START-END/TOTAL` must start where we stopped.
            let start = header("content-range").and_then(|cr| {
                cr.strip_prefix("bytes ")
                    .and_then(|r| r.split('-').next())
                    .and_then(|s| s.trim().parse::<u64>().ok())
            });
            if start != Some(have) {
                let _ = std::fs::remove_file(&part);
                let _ = std::fs::remove_file(&note_path);
                return Err(tx(format!(
                    "the server resumed at {start:?}, not at byte {have}; the partial download was discarded, run the update again"
                )));
            }
            have
        }
        416 => {
            let _ = std::fs::remove_file(&part);
            let _ = std::fs::remove_file(&note_path);
            return Err(tx(
                "the server refused to resume the partial download (416); it was discarded, run the update again".into(),
            ));
        }
        s => return Err(tx(format!("HTTP status {s} (expected 200, 206 or 304)"))),
    };
    if let Some(len) = length {
        if offset + len > o.max_bytes {
            return Err(tx(format!(
                "the body is {} bytes, more than the limit of {} bytes",
                offset + len,
                o.max_bytes
            )));
        }
    }
    // Remember the validator so an interrupted download can resume.
    let note = PartNote {
        url: url.to_string(),
        etag: etag.clone(),
        last_modified: last_modified.clone(),
    };
    if let Ok(text) = serde_json::to_vec(&note) {
        std::fs::write(&note_path, text).map_err(io(&note_path))?;
    }
    let mut out = if offset == 0 {
        File::create(&part).map_err(io(&part))?
    } else {
        OpenOptions::new()
            .append(true)
            .open(&part)
            .map_err(io(&part))?
    };
    let mut body = resp.into_body().into_with_config().limit(u64::MAX).reader();
    let mut buf = vec![0u8; 1 << 16];
    let mut got = 0u64;
    loop {
        let n = match body.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                let _ = out.sync_all();
                return Err(tx(format!(
                    "download interrupted after {} bytes: {} (the part is kept; the next update resumes it where the server allows)",
                    offset + got,
                    describe_io(&e)
                )));
            }
        };
        got += n as u64;
        if offset + got > o.max_bytes {
            drop(out);
            let _ = std::fs::remove_file(&part);
            let _ = std::fs::remove_file(&note_path);
            return Err(tx(format!(
                "the body is larger than the limit of {} bytes",
                o.max_bytes
            )));
        }
        out.write_all(&buf[..n]).map_err(io(&part))?;
    }
    if let Some(len) = length {
        if got < len {
            return Err(tx(format!(
                "truncated: {got} of {len} bytes received (the part is kept for the next update)"
            )));
        }
    }
    out.sync_all().map_err(io(&part))?;
    drop(out);
    let done = dir.join(format!("{stem}.download"));
    std::fs::rename(&part, &done).map_err(io(&done))?;
    let _ = std::fs::remove_file(&note_path);
    Ok(Fetched::File {
        path: done,
        etag,
        last_modified,
    })
}

fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(t) => format!("timed out waiting for the server ({t})"),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::ConnectionFailed => "cannot connect".into(),
        ureq::Error::Io(io) => describe_io(io),
        other => other.to_string(),
    }
}

fn describe_io(e: &std::io::Error) -> String {
    if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>()) {
        return describe(inner);
    }
    match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
            format!("timed out waiting for data ({e})")
        }
        std::io::ErrorKind::UnexpectedEof => format!("connection closed early ({e})"),
        _ => e.to_string(),
    }
}
