//! Reads software bills of materials into palisade's package inventory, so
//! an SBOM made by palisade, Trivy, Syft or any other tool can be matched
//! against the vulnerability database like an image.
//!
//! Formats: CycloneDX 1.4 to 1.7 in JSON and XML, SPDX 2.2 and 2.3 in
//! JSON and tag-value. [`read`] detects the format from the content (the
//! file name is only a tie-breaker) and returns an [`Sbom`]: the packages
//! as [`palisade_model::Package`]s, the operating system when the SBOM
//! names one, the subject (the image or directory the SBOM describes) and
//! notes about what was skipped.
//!
//! Each package's ecosystem, name and version come from its package URL
//! ([`purl::Purl`]); components without one are kept only when their
//! ecosystem is recorded otherwise (palisade's and Trivy's properties).
//!
//! ```
//! let text = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6",
//!   "components": [{"type": "library", "name": "six", "version": "1.16.0",
//!                   "purl": "pkg:pypi/six@1.16.0"}]}"#;
//! let sbom = palisade_sbom::read(text, "app.cdx.json").unwrap();
//! assert_eq!(sbom.packages[0].name, "six");
//! assert_eq!(sbom.packages[0].ecosystem, palisade_model::Ecosystem::PyPI);
//! ```
#![forbid(unsafe_code)]

mod cyclonedx;
mod model;
pub mod purl;
mod spdx;

use std::fmt;

use palisade_model::{OsInfo, Package};

pub use purl::{Purl, PurlError};

/// The SBOM formats palisade reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SbomFormat {
    /// CycloneDX, JSON.
    CycloneDxJson,
    /// CycloneDX, XML.
    CycloneDxXml,
    /// SPDX 2.x, JSON.
    SpdxJson,
    /// SPDX 2.x, tag-value.
    SpdxTagValue,
}

impl fmt::Display for SbomFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SbomFormat::CycloneDxJson => "CycloneDX JSON",
            SbomFormat::CycloneDxXml => "CycloneDX XML",
            SbomFormat::SpdxJson => "SPDX JSON",
            SbomFormat::SpdxTagValue => "SPDX tag-value",
        })
    }
}

/// What the SBOM describes: an image, a directory, an application.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    /// Its name (`registry.example/app:1`, `rootfs`).
    pub name: String,
    /// Its digest (`sha256:...`) where the SBOM records one (as the
    /// version or in a `pkg:oci` purl).
    pub digest: Option<String>,
    /// Its package URL, if any.
    pub purl: Option<String>,
}

/// An SBOM, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sbom {
    /// The format it was written in.
    pub format: SbomFormat,
    /// The specification version it declares (`1.6`, `SPDX-2.3`).
    pub spec_version: String,
    /// What it describes, where it says.
    pub subject: Option<Subject>,
    /// The operating system: a CycloneDX `operating-system` component, an
    /// SPDX package whose purpose is `OPERATING-SYSTEM`, or failing those
    /// the `distro` qualifier the OS packages' purls share.
    pub os: Option<OsInfo>,
    /// The packages, in document order.
    pub packages: Vec<Package>,
    /// What was skipped or assumed, for people: one line each.
    pub notes: Vec<String>,
}

/// Bounds on what [`read_with`] accepts.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest document, in bytes.
    pub max_bytes: usize,
    /// Deepest element nesting (XML; JSON is bounded at 128 by the parser).
    pub max_depth: usize,
    /// Most components or packages, counting nested ones.
    pub max_components: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 256 * 1024 * 1024,
            max_depth: 64,
            max_components: 1_000_000,
        }
    }
}

/// Why an SBOM could not be read. Every variant names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SbomError {
    /// Larger than [`Limits::max_bytes`].
    #[error("{file}: {size} bytes is more than the {limit}-byte limit for an SBOM")]
    TooLarge {
        /// The file.
        file: String,
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not CycloneDX or SPDX in a form palisade reads.
    #[error("{file}: not an SBOM palisade reads: {detail} (expected CycloneDX JSON or XML, or SPDX 2 JSON or tag-value)")]
    UnknownFormat {
        /// The file.
        file: String,
        /// What was seen.
        detail: String,
    },
    /// A specification version outside what palisade reads.
    #[error("{file}: {format} version `{version}` is not supported (expected {supported})")]
    UnsupportedVersion {
        /// The file.
        file: String,
        /// The format.
        format: SbomFormat,
        /// The declared version.
        version: String,
        /// The versions read.
        supported: &'static str,
    },
    /// Malformed JSON, or JSON of the wrong shape.
    #[error("{file}: line {line}, column {column}: {message}")]
    Json {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What went wrong and what was expected.
        message: String,
    },
    /// Malformed or refused XML.
    #[error("{file}: byte {offset}: {message}")]
    Xml {
        /// The file.
        file: String,
        /// Byte offset of the problem.
        offset: u64,
        /// What went wrong and what was expected.
        message: String,
    },
    /// Malformed SPDX tag-value.
    #[error("{file}: line {line}: {message}")]
    TagValue {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// What went wrong and what was expected.
        message: String,
    },
    /// Well-formed, but breaks the format's rules or palisade's bounds.
    #[error("{file}: {place}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// Where (`components[3].purl`, `packages[0]`).
        place: String,
        /// What went wrong and what was expected.
        message: String,
    },
}

/// Reads an SBOM with the default [`Limits`]. `hint_path` names the file
/// in errors, and its extension breaks ties when the content alone does
/// not say which format it is.
pub fn read(bytes: &[u8], hint_path: &str) -> Result<Sbom, SbomError> {
    read_with(bytes, hint_path, &Limits::default())
}

/// Reads an SBOM within `limits`.
pub fn read_with(bytes: &[u8], hint_path: &str, limits: &Limits) -> Result<Sbom, SbomError> {
    let file = hint_path.to_string();
    if bytes.len() > limits.max_bytes {
        return Err(SbomError::TooLarge {
            file,
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match detect(bytes, hint_path)? {
        Detected::Json => {
            let probe = model::probe_json(bytes, &file)?;
            if probe.is_cyclonedx {
                cyclonedx::read_json(bytes, &file, limits)
            } else if probe.is_spdx {
                spdx::read_json(bytes, &file, limits)
            } else if probe.is_spdx3 {
                Err(SbomError::UnknownFormat {
                    file,
                    detail: "SPDX 3 (JSON-LD) is not supported yet".into(),
                })
            } else {
                Err(SbomError::UnknownFormat {
                    file,
                    detail: "a JSON document with neither `bomFormat: CycloneDX` nor `spdxVersion`"
                        .into(),
                })
            }
        }
        Detected::Xml => cyclonedx::read_xml(bytes, &file, limits),
        Detected::TagValue => spdx::read_tag_value(bytes, &file, limits),
    }
}

enum Detected {
    Json,
    Xml,
    TagValue,
}

/// Decides the syntax from the first meaningful byte: `{` JSON, `<` XML,
/// a `Tag: value` line SPDX tag-value.
fn detect(bytes: &[u8], hint_path: &str) -> Result<Detected, SbomError> {
    let first = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let unknown = |detail: String| SbomError::UnknownFormat {
        file: hint_path.to_string(),
        detail,
    };
    let Some(first) = first else {
        return Err(unknown("the file is empty".into()));
    };
    match bytes[first] {
        b'{' => Ok(Detected::Json),
        b'<' => Ok(Detected::Xml),
        b'[' => Err(unknown("a JSON array, not an SBOM document".into())),
        _ => {
            let head = &bytes[first..bytes.len().min(first + 64 * 1024)];
            let text = String::from_utf8_lossy(head);
            let looks_tv = text.lines().any(|l| {
                let l = l.trim_start();
                l.starts_with("SPDXVersion:") || l.starts_with("DocumentName:")
            });
            let lower = hint_path.to_ascii_lowercase();
            if looks_tv || lower.ends_with(".spdx") || lower.ends_with(".tv") {
                Ok(Detected::TagValue)
            } else {
                Err(unknown(
                    "the content starts with neither `{`, `<` nor an SPDX `SPDXVersion:` line"
                        .into(),
                ))
            }
        }
    }
}
