//! HTTP(S) for the registry client: one `ureq` agent (rustls with the
//! `ring` provider), redirects followed by hand so that every hop obeys the
//! plain-HTTP-only-on-loopback rule and credentials never follow a
//! redirect to another host.

use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ureq::http::{Response, Uri};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};
use ureq::Body;

use crate::oci::ImageError;

/// Bundles of system CA certificates tried, in order (after
/// `$SSL_CERT_FILE`): the system store is trusted, as the issue of a private
/// CA installed with `update-ca-certificates` expects; the built-in Mozilla
/// roots are the fallback on a system without a bundle.
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// Largest PEM file read for `--ca-file`.
const MAX_CA_FILE_BYTES: u64 = 8 << 20;

/// Settings for [`Http::new`].
#[derive(Debug, Clone)]
pub(crate) struct HttpSettings<'a> {
    pub ca_file: Option<&'a Path>,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub max_redirects: u32,
}

/// The HTTP client, shared by all threads.
pub(crate) struct Http {
    agent: ureq::Agent,
    max_redirects: u32,
    ca_file_given: bool,
}

/// Whether `host` (no port; IPv6 without brackets) is a loopback name or
/// address: `localhost`, 127.0.0.0/8, `::1`.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if h.eq_ignore_ascii_case("localhost") {
        return true;
    }
    h.parse::<IpAddr>().is_ok_and(|ip| match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    })
}

impl Http {
    pub fn new(s: &HttpSettings<'_>) -> Result<Self, ImageError> {
        let mut tls = TlsConfig::builder().provider(TlsProvider::Rustls);
        let mut certs = match s.ca_file {
            Some(ca) => read_pem_certs(ca)?,
            None => Vec::new(),
        };
        let env_bundle = std::env::var_os("SSL_CERT_FILE").map(std::path::PathBuf::from);
        let bundles = env_bundle
            .iter()
            .map(|p| p.as_path())
            .chain(SYSTEM_BUNDLES.iter().map(Path::new));
        for bundle in bundles {
            if let Ok(found) = read_pem_certs(bundle) {
                certs.extend(found);
                break;
            }
        }
        if !certs.is_empty() {
            tls = tls.root_certs(RootCerts::Specific(Arc::new(certs)));
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(s.connect_timeout))
            .timeout_resolve(Some(s.connect_timeout))
            .timeout_recv_response(Some(s.read_timeout))
            .timeout_per_read(Some(s.read_timeout))
            .user_agent(concat!("palisade/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls.build())
            .build()
            .new_agent();
        Ok(Self {
            agent,
            max_redirects: s.max_redirects,
            ca_file_given: s.ca_file.is_some(),
        })
    }

    /// GETs `url` with `headers`, following redirects (at most
    /// `max_redirects`). `Authorization` is sent only to the first URL's
    /// host. Returns the final response whatever its status.
    pub fn get(
        &self,
        url: &str,
        accept: Option<&str>,
        authorization: Option<&str>,
    ) -> Result<(String, Response<Body>), ImageError> {
        let first = parse_url(url)?;
        let origin = first.authority().map(|a| a.as_str().to_ascii_lowercase());
        let mut current = first;
        for _hop in 0..=self.max_redirects {
            check_scheme(&current)?;
            let mut req = self.agent.get(current.clone());
            if let Some(a) = accept {
                req = req.header("Accept", a);
            }
            let same_host = current.authority().map(|a| a.as_str().to_ascii_lowercase()) == origin;
            if let (Some(auth), true) = (authorization, same_host) {
                req = req.header("Authorization", auth);
            }
            let resp = req.call().map_err(|e| self.map_error(&current, e))?;
            let status = resp.status().as_u16();
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let location = resp
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| ImageError::Registry {
                        registry: host_of(&current),
                        detail: format!("redirect {status} from {current} has no Location"),
                    })?;
                current = join_location(&current, location)?;
                continue;
            }
            return Ok((current.to_string(), resp));
        }
        Err(ImageError::Registry {
            registry: host_of(&current),
            detail: format!("more than {} redirects fetching {url}", self.max_redirects),
        })
    }

    fn map_error(&self, url: &Uri, e: ureq::Error) -> ImageError {
        let host = url
            .authority()
            .map_or_else(|| host_of(url), |a| a.as_str().to_string());
        let text = e.to_string();
        let tls = matches!(e, ureq::Error::Tls(_) | ureq::Error::Rustls(_))
            || is_tls_text(&text)
            || match &e {
                ureq::Error::Io(io) => io.get_ref().is_some_and(|i| is_tls_text(&i.to_string())),
                _ => false,
            };
        if tls {
            let detail = if self.ca_file_given {
                format!("{text} (the --ca-file given did not verify it)")
            } else {
                text
            };
            return ImageError::Tls { host, detail };
        }
        let detail = match &e {
            ureq::Error::Timeout(t) => format!("timed out ({t}) fetching {url}"),
            ureq::Error::HostNotFound => format!("host not found fetching {url}"),
            ureq::Error::ConnectionFailed => format!("cannot connect, fetching {url}"),
            _ => format!("{text}, fetching {url}"),
        };
        ImageError::Registry {
            registry: host,
            detail,
        }
    }
}

fn is_tls_text(t: &str) -> bool {
    let t = t.to_ascii_lowercase();
    t.contains("certificate") || t.contains("tls") || t.contains("handshake")
}

fn read_pem_certs(path: &Path) -> Result<Vec<Certificate<'static>>, ImageError> {
    use std::io::Read as _;
    let io_err = |source| ImageError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_err)?;
    let mut bytes = Vec::new();
    file.take(MAX_CA_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    if bytes.len() as u64 > MAX_CA_FILE_BYTES {
        return Err(ImageError::Tls {
            host: path.display().to_string(),
            detail: format!("CA file is larger than {MAX_CA_FILE_BYTES} bytes"),
        });
    }
    let mut certs = Vec::new();
    for (i, item) in ureq::tls::parse_pem(&bytes).enumerate() {
        match item {
            Ok(PemItem::Certificate(c)) => certs.push(c),
            Ok(_) => {}
            Err(e) => {
                return Err(ImageError::Tls {
                    host: path.display().to_string(),
                    detail: format!("PEM item {} of the CA file is unreadable: {e}", i + 1),
                })
            }
        }
    }
    if certs.is_empty() {
        return Err(ImageError::Tls {
            host: path.display().to_string(),
            detail: "the CA file holds no PEM CERTIFICATE".into(),
        });
    }
    Ok(certs)
}

pub(crate) fn parse_url(url: &str) -> Result<Uri, ImageError> {
    let uri: Uri = url.parse().map_err(|e| ImageError::Registry {
        registry: url.chars().take(200).collect(),
        detail: format!("invalid URL: {e}"),
    })?;
    if uri.authority().is_none() || uri.scheme_str().is_none() {
        return Err(ImageError::Registry {
            registry: url.chars().take(200).collect(),
            detail: "URL has no scheme or host".into(),
        });
    }
    Ok(uri)
}

/// `host` (no port) of a URL, for messages and the loopback rule.
pub(crate) fn host_of(uri: &Uri) -> String {
    uri.host().unwrap_or_default().to_string()
}

/// HTTPS anywhere; plain HTTP only to loopback hosts.
pub(crate) fn check_scheme(uri: &Uri) -> Result<(), ImageError> {
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if is_loopback_host(&host_of(uri)) => Ok(()),
        Some("http") => Err(ImageError::InsecureNotLoopback { host: host_of(uri) }),
        other => Err(ImageError::Registry {
            registry: host_of(uri),
            detail: format!("unsupported URL scheme {other:?} in {uri}"),
        }),
    }
}

fn join_location(base: &Uri, location: &str) -> Result<Uri, ImageError> {
    if location.contains("://") {
        return parse_url(location);
    }
    let scheme = base.scheme_str().unwrap_or("https");
    let authority = base.authority().map(|a| a.as_str()).unwrap_or_default();
    if let Some(rest) = location.strip_prefix("//") {
        return parse_url(&format!("{scheme}://{rest}"));
    }
    if location.starts_with('/') {
        return parse_url(&format!("{scheme}://{authority}{location}"));
    }
    let path = base.path();
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    parse_url(&format!("{scheme}://{authority}{dir}/{location}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.9.8.7",
            "::1",
            "[::1]",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in [
            "10.0.0.1",
            "example.com",
            "localhost.example.com",
            "128.0.0.1",
            "::2",
            "",
        ] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn schemes_and_locations() {
        assert!(check_scheme(&parse_url("http://127.0.0.1:5000/v2/").unwrap()).is_ok());
        assert!(matches!(
            check_scheme(&parse_url("http://registry.example/v2/").unwrap()),
            Err(ImageError::InsecureNotLoopback { .. })
        ));
        assert!(check_scheme(&parse_url("ftp://x/").unwrap()).is_err());
        let base = parse_url("https://r.example:5000/v2/a/blobs/sha256:1").unwrap();
        assert_eq!(
            join_location(&base, "/storage/x?y=1").unwrap().to_string(),
            "https://r.example:5000/storage/x?y=1"
        );
        assert_eq!(
            join_location(&base, "https://s3.example/b")
                .unwrap()
                .to_string(),
            "https://s3.example/b"
        );
        assert_eq!(
            join_location(&base, "other").unwrap().to_string(),
            "https://r.example:5000/v2/a/blobs/other"
        );
        assert!(join_location(&base, "http://[bad").is_err());
    }
}
