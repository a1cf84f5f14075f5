//! Listing what a registry holds: repositories (`GET /v2/_catalog`) and the
//! tags of a repository (`GET /v2/<repo>/tags/list`), page by page.
//!
//! Both lists are paginated the distribution-spec way: `?n=N` asks for a
//! page size, and a `Link: <...>; rel="next"` header names the next page.
//! Requests go through the same client as image pulls
//! ([`RegistrySource`]): TLS with the system roots plus `--ca-file`, plain
//! HTTP only on loopback, and authentication answering the registry's
//! challenge (the catalog's token scope is `registry:catalog:*`, a tag
//! list's `repository:<repo>:pull`).
//!
//! Everything a registry answers is bounded: page bytes, pages, entries
//! and name lengths; a `Link` that leaves the registry or repeats a page
//! is refused.

use std::collections::HashSet;

use palisade_model::ImageRef;

use super::{read_limited, RegistrySource};
use crate::oci::ImageError;
use crate::reference::SourceOptions;

/// Bounds on a listing.
#[derive(Debug, Clone, Copy)]
pub struct ListLimits {
    /// Entries asked for per page (`?n=`).
    pub page_size: u32,
    /// Most pages followed.
    pub max_pages: usize,
    /// Most entries returned in all.
    pub max_entries: usize,
    /// Largest page body read, in bytes.
    pub max_page_bytes: u64,
}

impl Default for ListLimits {
    fn default() -> Self {
        Self {
            page_size: 100,
            max_pages: 10_000,
            max_entries: 100_000,
            max_page_bytes: 8 << 20,
        }
    }
}

/// Longest repository name or tag accepted from a listing (the
/// distribution spec bounds names to 255 characters and tags to 128).
const MAX_NAME_LEN: usize = 512;

/// The listing API of one registry.
pub struct Catalog {
    src: RegistrySource,
    registry: String,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("registry", &self.registry)
            .finish_non_exhaustive()
    }
}

#[derive(serde::Deserialize)]
struct RepositoriesPage {
    #[serde(default)]
    repositories: Option<Vec<String>>,
}

#[derive(serde::Deserialize)]
struct TagsPage {
    #[serde(default)]
    tags: Option<Vec<String>>,
}

impl Catalog {
    /// Prepares listing `registry` (`host[:port]`, as in an image
    /// reference). Nothing is sent yet; plain HTTP (`opts.insecure`) to a
    /// host that is not loopback is refused here.
    pub fn new(registry: &str, opts: &SourceOptions) -> Result<Self, ImageError> {
        let bad = |detail: String| ImageError::BadReference {
            input: registry.chars().take(300).collect(),
            detail,
        };
        if registry.is_empty() || registry.contains('/') {
            return Err(bad("expected a registry host[:port]".into()));
        }
        // Any repository will do: only the registry part is used.
        let reference = ImageRef::parse(&format!("{registry}/palisade-catalog"))
            .map_err(|e| bad(e.to_string()))?;
        if !reference.registry_written() || reference.registry() != registry {
            return Err(bad(
                "not a registry host: write host[:port] (e.g. registry.example.com or localhost:5000)"
                    .into(),
            ));
        }
        Ok(Self {
            src: RegistrySource::new(reference, opts)?,
            registry: registry.to_string(),
        })
    }

    /// The registry listed.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// Every repository of the registry (`GET /v2/_catalog`), in the
    /// registry's order.
    pub fn repositories(&self, limits: &ListLimits) -> Result<Vec<String>, ImageError> {
        let first = format!(
            "{}/v2/_catalog?n={}",
            self.src.base,
            limits.page_size.max(1)
        );
        self.paginate(&first, "registry:catalog:*", "catalog", limits, |bytes| {
            serde_json::from_slice::<RepositoriesPage>(bytes)
                .map(|p| p.repositories.unwrap_or_default())
        })
    }

    /// Every tag of `repo` (`GET /v2/<repo>/tags/list`), in the registry's
    /// order. A repository without tags gives an empty list.
    pub fn tags(&self, repo: &str, limits: &ListLimits) -> Result<Vec<String>, ImageError> {
        check_repo(&self.registry, repo)?;
        let first = format!(
            "{}/v2/{repo}/tags/list?n={}",
            self.src.base,
            limits.page_size.max(1)
        );
        let scope = format!("repository:{repo}:pull");
        let what = format!("tag list of {repo}");
        self.paginate(&first, &scope, &what, limits, |bytes| {
            serde_json::from_slice::<TagsPage>(bytes).map(|p| p.tags.unwrap_or_default())
        })
    }

    /// GETs `first` and every page its `Link` headers name.
    fn paginate(
        &self,
        first: &str,
        scope: &str,
        what: &str,
        limits: &ListLimits,
        parse: impl Fn(&[u8]) -> Result<Vec<String>, serde_json::Error>,
    ) -> Result<Vec<String>, ImageError> {
        let err = |detail: String| ImageError::Registry {
            registry: self.registry.clone(),
            detail,
        };
        let mut out = Vec::new();
        let mut seen_urls = HashSet::new();
        let mut next = Some(first.to_string());
        let mut pages = 0usize;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > limits.max_pages {
                return Err(err(format!(
                    "{what}: more than {} pages (limit max_pages)",
                    limits.max_pages
                )));
            }
            if !seen_urls.insert(url.clone()) {
                return Err(err(format!(
                    "{what}: the Link header names page {url} a second time (a pagination loop)"
                )));
            }
            let resp = self.src.get_scoped(&url, Some("application/json"), scope)?;
            let status = resp.status().as_u16();
            if status == 404 {
                return Err(ImageError::NotFound {
                    registry: self.registry.clone(),
                    repository: what.to_string(),
                    what: format!("{what} ({url})"),
                });
            }
            if !(200..300).contains(&status) {
                return Err(self.src.http_error(&url, resp, &format!("{what} request")));
            }
            let link = resp
                .headers()
                .get_all("link")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(next_link)
                .map(str::to_string);
            let bytes = read_limited(resp, limits.max_page_bytes + 1, &url)?;
            if bytes.len() as u64 > limits.max_page_bytes {
                return Err(err(format!(
                    "{what}: page {url} is larger than {} bytes (limit max_page_bytes)",
                    limits.max_page_bytes
                )));
            }
            let names = parse(&bytes).map_err(|e| {
                err(format!(
                    "{what}: page {url} is not the expected JSON at line {} column {}: {e}",
                    e.line(),
                    e.column()
                ))
            })?;
            for (i, name) in names.into_iter().enumerate() {
                if name.is_empty() || name.len() > MAX_NAME_LEN {
                    return Err(err(format!(
                        "{what}: page {url}, entry {i}: expected a name of 1 to {MAX_NAME_LEN} characters, got {} characters",
                        name.len()
                    )));
                }
                if out.len() >= limits.max_entries {
                    return Err(err(format!(
                        "{what}: more than {} entries (limit max_entries)",
                        limits.max_entries
                    )));
                }
                out.push(name);
            }
            if let Some(link) = link {
                next = Some(self.resolve_link(&link, what)?);
            }
        }
        Ok(out)
    }

    /// The absolute URL of a `Link` target: a path on this registry, or a
    /// URL on this registry's origin.
    fn resolve_link(&self, link: &str, what: &str) -> Result<String, ImageError> {
        if link.starts_with("/v2/") {
            return Ok(format!("{}{link}", self.src.base));
        }
        let origin = format!("{}/", self.src.base);
        if link.starts_with(&origin) {
            return Ok(link.to_string());
        }
        Err(ImageError::Registry {
            registry: self.registry.clone(),
            detail: format!(
                "{what}: the next-page Link {:?} leaves the registry (expected /v2/... or {origin}...)",
                link.chars().take(200).collect::<String>()
            ),
        })
    }
}

/// Checks that `repo` is a repository path (no tag, no digest).
fn check_repo(registry: &str, repo: &str) -> Result<(), ImageError> {
    let parsed = ImageRef::parse(&format!("{registry}/{repo}"));
    match parsed {
        Ok(r) if r.path() == repo && r.tag().is_none() && r.digest().is_none() => Ok(()),
        Ok(_) => Err(ImageError::BadReference {
            input: repo.chars().take(300).collect(),
            detail: "expected a repository path without tag or digest".into(),
        }),
        Err(e) => Err(ImageError::BadReference {
            input: repo.chars().take(300).collect(),
            detail: e.to_string(),
        }),
    }
}

/// The target of the `rel="next"` entry of a `Link` header value
/// (`<url>; rel="next"`, entries separated by commas).
fn next_link(value: &str) -> Option<&str> {
    for entry in value.split(',') {
        let entry = entry.trim();
        let Some(rest) = entry.strip_prefix('<') else {
            continue;
        };
        let Some((target, params)) = rest.split_once('>') else {
            continue;
        };
        let is_next = params.split(';').any(|p| {
            let p = p.trim();
            p.split_once('=').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("rel")
                    && v.trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("next"))
            })
        });
        if is_next {
            return Some(target.trim());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers() {
        assert_eq!(
            next_link(r#"</v2/_catalog?last=b&n=2>; rel="next""#),
            Some("/v2/_catalog?last=b&n=2")
        );
        assert_eq!(
            next_link(r#"<https://a/x>; rel="prev", <https://a/y>; rel=next"#),
            Some("https://a/y")
        );
        assert_eq!(next_link(r#"<https://a/x>; rel="prev""#), None);
        assert_eq!(next_link("garbage"), None);
        assert_eq!(next_link("<unterminated; rel=next"), None);
    }

    #[test]
    fn registries_and_repos_are_checked() {
        let opts = SourceOptions {
            use_env: false,
            cache: crate::CacheSetting::Disabled,
            ..SourceOptions::default()
        };
        assert!(Catalog::new("localhost:5000", &opts).is_ok());
        for bad in ["", "a/b", "bad host:5000", "nginx"] {
            assert!(Catalog::new(bad, &opts).is_err(), "{bad}");
        }
        let insecure = SourceOptions {
            insecure: true,
            ..opts.clone()
        };
        assert!(matches!(
            Catalog::new("registry.example.com", &insecure),
            Err(ImageError::InsecureNotLoopback { .. })
        ));
        assert!(check_repo("localhost:5000", "team/app").is_ok());
        assert!(check_repo("localhost:5000", "team/app:1").is_err());
        assert!(check_repo("localhost:5000", "Team").is_err());
        assert!(check_repo("localhost:5000", "a@sha256:00").is_err());

        let cat = Catalog::new("localhost:5000", &insecure).unwrap();
        assert_eq!(
            cat.resolve_link("/v2/_catalog?n=1&last=a", "catalog")
                .unwrap(),
            "http://localhost:5000/v2/_catalog?n=1&last=a"
        );
        assert!(cat
            .resolve_link("http://localhost:5000/v2/x", "catalog")
            .is_ok());
        assert!(cat.resolve_link("http://evil/v2/x", "catalog").is_err());
        assert!(cat
            .resolve_link("http://localhost:50000/v2/x", "catalog")
            .is_err());
    }
}
