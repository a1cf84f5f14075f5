//! CVSS vectors: parsing, validation and scoring for CVSS v3.0, v3.1 and v4.0.
//!
//! ```
//! use palisade_vuln::cvss::{Cvss, Rating};
//!
//! let cvss = Cvss::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
//! assert_eq!(cvss.base_score().to_string(), "9.8");
//! assert_eq!(cvss.rating(), Rating::Critical);
//!
//! let cvss = Cvss::parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N").unwrap();
//! assert_eq!(cvss.score().tenths(), 93);
//! ```
//!
//! Scores are fixed point ([`Score`], tenths of a point), so `9.8` is exactly
//! 98 and comparisons never meet floating-point surprises. The arithmetic
//! follows each specification: v3.1 uses the `Roundup` of its Appendix A, v3.0
//! the mathematical "round up to one decimal" of its section 7.4, and v4.0 is
//! computed in exact integer arithmetic (the MacroVector table of
//! [`v4_table`] and the severity-distance interpolation of its section 8.2),
//! then rounded half up.
//!
//! Parsing is bounded ([`MAX_VECTOR_LEN`]), allocates nothing on success, and
//! every error names the metric (or the offset) and what is allowed there.

use std::fmt;

pub mod v3;
pub mod v4;
mod v4_table;

pub use v3::{CvssV3, V3Version};
pub use v4::{CvssV4, Nomenclature};

/// Longest vector string accepted, in bytes. A CVSS v4.0 vector with every
/// metric spelled out is about 200 bytes; v3.1 is about 130.
pub const MAX_VECTOR_LEN: usize = 512;

/// A parsed CVSS vector of any supported version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cvss {
    /// CVSS v3.0 or v3.1 (`CVSS:3.0/...`, `CVSS:3.1/...`).
    V3(CvssV3),
    /// CVSS v4.0 (`CVSS:4.0/...`).
    V4(CvssV4),
}

impl Cvss {
    /// Parses a vector string, choosing the version by its prefix.
    ///
    /// Leading and trailing ASCII whitespace is ignored; nothing else is
    /// forgiven (the prefix and metric names are case sensitive, as the
    /// specifications write them).
    pub fn parse(text: &str) -> Result<Cvss, CvssError> {
        let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
        check_len(text)?;
        if text.starts_with("CVSS:3.") {
            CvssV3::parse(text).map(Cvss::V3)
        } else if text.starts_with("CVSS:4.") {
            CvssV4::parse(text).map(Cvss::V4)
        } else {
            Err(CvssError::Prefix {
                found: Snippet::new(text.split('/').next().unwrap_or(text)),
                allowed: "CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/",
            })
        }
    }

    /// The base score: v3 Base Score; v4 score of the base metrics alone
    /// (CVSS-B, threat and environmental metrics taken as Not Defined).
    pub fn base_score(&self) -> Score {
        match self {
            Cvss::V3(v) => v.base_score(),
            Cvss::V4(v) => v.base_score(),
        }
    }

    /// The score the whole vector denotes: for v3 the environmental score when
    /// an environmental metric is defined, else the temporal score when a
    /// temporal metric is defined, else the base score; for v4 the score of
    /// every metric given (CVSS-B, -BT, -BE or -BTE, see
    /// [`CvssV4::nomenclature`]).
    pub fn score(&self) -> Score {
        match self {
            Cvss::V3(v) => v.overall_score(),
            Cvss::V4(v) => v.score(),
        }
    }

    /// The qualitative rating of [`Cvss::score`].
    pub fn rating(&self) -> Rating {
        Rating::from_score(self.score())
    }

    /// The qualitative rating of [`Cvss::base_score`].
    pub fn base_rating(&self) -> Rating {
        Rating::from_score(self.base_score())
    }

    /// The version as written in the prefix: `"3.0"`, `"3.1"` or `"4.0"`.
    pub fn version(&self) -> &'static str {
        match self {
            Cvss::V3(v) => v.version().as_str(),
            Cvss::V4(_) => "4.0",
        }
    }
}

impl fmt::Display for Cvss {
    /// The vector in the specification's canonical order, Not Defined
    /// metrics left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cvss::V3(v) => v.fmt(f),
            Cvss::V4(v) => v.fmt(f),
        }
    }
}

impl std::str::FromStr for Cvss {
    type Err = CvssError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cvss::parse(s)
    }
}

/// A CVSS score in fixed point: tenths of a point, `0..=100`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Score(u8);

impl Score {
    /// The highest score, 10.0.
    pub const MAX: Score = Score(100);

    /// A score from tenths of a point; `None` above 100.
    pub fn from_tenths(tenths: u8) -> Option<Score> {
        (tenths <= 100).then_some(Score(tenths))
    }

    /// Clamps to `0..=100` tenths.
    pub(crate) fn clamp_tenths(tenths: i64) -> Score {
        Score(tenths.clamp(0, 100) as u8)
    }

    /// The score in tenths of a point (`98` for 9.8).
    pub fn tenths(self) -> u8 {
        self.0
    }

    /// The score as a float (`9.8`), exactly the nearest `f64` to the decimal.
    pub fn value(self) -> f64 {
        f64::from(self.0) / 10.0
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

/// The qualitative severity rating scale shared by CVSS v3.x and v4.0
/// (v3.1 section 5, v4.0 section 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rating {
    /// 0.0
    None,
    /// 0.1 to 3.9
    Low,
    /// 4.0 to 6.9
    Medium,
    /// 7.0 to 8.9
    High,
    /// 9.0 to 10.0
    Critical,
}

impl Rating {
    /// The rating of a score.
    pub fn from_score(score: Score) -> Rating {
        match score.tenths() {
            0 => Rating::None,
            1..=39 => Rating::Low,
            40..=69 => Rating::Medium,
            70..=89 => Rating::High,
            _ => Rating::Critical,
        }
    }

    /// The name as the specifications write it (`"None"`, `"Low"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::None => "None",
            Rating::Low => "Low",
            Rating::Medium => "Medium",
            Rating::High => "High",
            Rating::Critical => "Critical",
        }
    }

    /// The finding severity for this rating. `None` (a 0.0 score, no
    /// impact) has no finding severity and maps to `None`; a caller that
    /// must report it anyway should use [`palisade_model::Severity::Low`].
    pub fn to_severity(self) -> Option<palisade_model::Severity> {
        use palisade_model::Severity;
        match self {
            Rating::None => None,
            Rating::Low => Some(Severity::Low),
            Rating::Medium => Some(Severity::Medium),
            Rating::High => Some(Severity::High),
            Rating::Critical => Some(Severity::Critical),
        }
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A short, bounded copy of input text for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet(String);

impl Snippet {
    const MAX: usize = 40;

    fn new(text: &str) -> Snippet {
        let mut end = text.len().min(Self::MAX);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut s = String::with_capacity(end + 3);
        s.push_str(&text[..end]);
        if end < text.len() {
            s.push_str("...");
        }
        Snippet(s)
    }

    /// The (possibly shortened) text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// Why a vector string was rejected. Offsets are byte offsets into the
/// vector string (after leading whitespace was trimmed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CvssError {
    /// Longer than [`MAX_VECTOR_LEN`].
    #[error("CVSS vector is {len} bytes long, more than the {max} allowed")]
    TooLong {
        /// Length of the input.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Empty input.
    #[error("CVSS vector is empty; expected e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")]
    Empty,
    /// Missing or unsupported `CVSS:x.y/` prefix.
    #[error("CVSS vector starts with {found}; expected the prefix {allowed}")]
    Prefix {
        /// What the vector starts with.
        found: Snippet,
        /// The prefixes accepted here.
        allowed: &'static str,
    },
    /// A field that is not `METRIC:VALUE` (empty, no colon, several colons).
    #[error("CVSS {version} vector: field {field} at offset {offset} is not METRIC:VALUE")]
    Malformed {
        /// `"3.0"`, `"3.1"` or `"4.0"`.
        version: &'static str,
        /// The field.
        field: Snippet,
        /// Byte offset of the field.
        offset: usize,
    },
    /// A metric name the version does not define.
    #[error(
        "CVSS {version} vector: unknown metric {metric} at offset {offset}; metrics are {allowed}"
    )]
    UnknownMetric {
        /// `"3.0"`, `"3.1"` or `"4.0"`.
        version: &'static str,
        /// The name found.
        metric: Snippet,
        /// Byte offset of the field.
        offset: usize,
        /// Every metric of the version, in order.
        allowed: &'static str,
    },
    /// A value the metric does not define.
    #[error("CVSS {version} vector: {metric}:{value} at offset {offset} is not allowed; {metric} takes {allowed}")]
    InvalidValue {
        /// `"3.0"`, `"3.1"` or `"4.0"`.
        version: &'static str,
        /// The metric.
        metric: &'static str,
        /// The value found.
        value: Snippet,
        /// Byte offset of the field.
        offset: usize,
        /// The values the metric takes.
        allowed: &'static str,
    },
    /// A metric given twice.
    #[error("CVSS {version} vector: metric {metric} appears twice (again at offset {offset})")]
    Duplicate {
        /// `"3.0"`, `"3.1"` or `"4.0"`.
        version: &'static str,
        /// The metric.
        metric: &'static str,
        /// Byte offset of the second occurrence.
        offset: usize,
    },
    /// A mandatory (base) metric missing.
    #[error(
        "CVSS {version} vector: mandatory metric {metric} is missing; base metrics are {mandatory}"
    )]
    Missing {
        /// `"3.0"`, `"3.1"` or `"4.0"`.
        version: &'static str,
        /// The first missing metric.
        metric: &'static str,
        /// All mandatory metrics, in order.
        mandatory: &'static str,
    },
    /// A metric out of the order the specification requires (v4.0).
    #[error("CVSS {version} vector: metric {metric} at offset {offset} comes after {after}; metrics must be in the order {allowed}")]
    OutOfOrder {
        /// `"4.0"`.
        version: &'static str,
        /// The metric out of place.
        metric: &'static str,
        /// The metric before it that should come after it.
        after: &'static str,
        /// Byte offset of the field.
        offset: usize,
        /// Every metric of the version, in order.
        allowed: &'static str,
    },
}

fn check_len(text: &str) -> Result<(), CvssError> {
    if text.is_empty() {
        return Err(CvssError::Empty);
    }
    if text.len() > MAX_VECTOR_LEN {
        return Err(CvssError::TooLong {
            len: text.len(),
            max: MAX_VECTOR_LEN,
        });
    }
    Ok(())
}

/// One metric of a version's vector grammar.
pub(crate) struct MetricDef {
    /// Abbreviated name (`AV`).
    pub name: &'static str,
    /// Abbreviated values; the index into this list is what is stored.
    pub values: &'static [&'static str],
    /// The values for error messages (`"N, A, L or P"`).
    pub allowed: &'static str,
    /// Part of the base group (must appear).
    pub mandatory: bool,
}

/// The grammar of one version.
pub(crate) struct Grammar<const N: usize> {
    pub version: &'static str,
    pub metrics: [MetricDef; N],
    /// Every metric name, in order, for error messages.
    pub all: &'static str,
    /// The mandatory metric names, in order, for error messages.
    pub mandatory: &'static str,
    /// Whether the specification requires its metric order.
    pub ordered: bool,
}

/// Sentinel for "metric not given".
pub(crate) const ABSENT: u8 = u8::MAX;

impl<const N: usize> Grammar<N> {
    /// Parses the metrics after the prefix (`body` starts at byte `base` of
    /// the whole vector). Returns value indices, [`ABSENT`] where missing.
    pub fn parse(&self, body: &str, base: usize) -> Result<[u8; N], CvssError> {
        let version = self.version;
        let mut out = [ABSENT; N];
        let mut last: Option<usize> = None;
        let mut offset = base;
        for field in body.split('/') {
            let here = offset;
            offset += field.len() + 1;
            let malformed = || CvssError::Malformed {
                version,
                field: Snippet::new(field),
                offset: here,
            };
            let (name, value) = field.split_once(':').ok_or_else(malformed)?;
            if name.is_empty() || value.is_empty() || value.contains(':') {
                return Err(malformed());
            }
            let Some(index) = self.metrics.iter().position(|m| m.name == name) else {
                return Err(CvssError::UnknownMetric {
                    version,
                    metric: Snippet::new(name),
                    offset: here,
                    allowed: self.all,
                });
            };
            let def = &self.metrics[index];
            if out[index] != ABSENT {
                return Err(CvssError::Duplicate {
                    version,
                    metric: def.name,
                    offset: here,
                });
            }
            if self.ordered {
                if let Some(prev) = last {
                    if prev > index {
                        return Err(CvssError::OutOfOrder {
                            version,
                            metric: def.name,
                            after: self.metrics[prev].name,
                            offset: here,
                            allowed: self.all,
                        });
                    }
                }
            }
            let Some(v) = def.values.iter().position(|v| *v == value) else {
                return Err(CvssError::InvalidValue {
                    version,
                    metric: def.name,
                    value: Snippet::new(value),
                    offset: here,
                    allowed: def.allowed,
                });
            };
            out[index] = v as u8;
            last = Some(index);
        }
        if let Some(missing) = self
            .metrics
            .iter()
            .zip(out.iter())
            .find(|(m, v)| m.mandatory && **v == ABSENT)
        {
            return Err(CvssError::Missing {
                version,
                metric: missing.0.name,
                mandatory: self.mandatory,
            });
        }
        Ok(out)
    }

    /// Writes `NAME:VALUE` for every metric given and not `X`, in order.
    pub fn write(&self, values: &[u8; N], f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (def, &v) in self.metrics.iter().zip(values.iter()) {
            if v == ABSENT {
                continue;
            }
            let value = def.values.get(usize::from(v)).copied().unwrap_or("X");
            if value == "X" {
                continue;
            }
            write!(f, "/{}:{}", def.name, value)?;
        }
        Ok(())
    }
}
