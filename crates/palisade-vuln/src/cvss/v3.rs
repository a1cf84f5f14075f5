//! CVSS v3.0 and v3.1: vector grammar (specification section 6, Table 15)
//! and the base, temporal and environmental equations (section 7), with each
//! version's rounding: v3.1 `Roundup` as its Appendix A defines it (round to
//! five decimals first, so floating-point error cannot push a score up a
//! tenth), v3.0 the "smallest number, to one decimal place, equal to or
//! higher than its input" of its section 7.4, taken on the mathematical value.
//!
//! The specifications recommend, but do not require, the order of Table 15,
//! so metrics may come in any order here; each at most once, and all eight
//! base metrics must be present.

use std::fmt;

use super::{CvssError, Grammar, MetricDef, Score, ABSENT};

/// Which v3 minor version a vector declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum V3Version {
    /// `CVSS:3.0/`
    V3_0,
    /// `CVSS:3.1/`
    V3_1,
}

impl V3Version {
    /// `"3.0"` or `"3.1"`.
    pub fn as_str(self) -> &'static str {
        match self {
            V3Version::V3_0 => "3.0",
            V3Version::V3_1 => "3.1",
        }
    }
}

// Indices into the metric array, Table 15 order.
const AV: usize = 0;
const AC: usize = 1;
const PR: usize = 2;
const UI: usize = 3;
const S: usize = 4;
const C: usize = 5;
const I: usize = 6;
const A: usize = 7;
const E: usize = 8;
const RL: usize = 9;
const RC: usize = 10;
const CR: usize = 11;
const IR: usize = 12;
const AR: usize = 13;
const MAV: usize = 14;
const MAC: usize = 15;
const MPR: usize = 16;
const MUI: usize = 17;
const MS: usize = 18;
const MC: usize = 19;
const MI: usize = 20;
const MA: usize = 21;
const COUNT: usize = 22;

const fn metric(
    name: &'static str,
    values: &'static [&'static str],
    allowed: &'static str,
    mandatory: bool,
) -> MetricDef {
    MetricDef {
        name,
        values,
        allowed,
        mandatory,
    }
}

// Value lists. For a modified metric the list is "X" followed by the base
// metric's list, so index - 1 is the base metric's index.
const AV_V: &[&str] = &["N", "A", "L", "P"];
const AC_V: &[&str] = &["L", "H"];
const PR_V: &[&str] = &["N", "L", "H"];
const UI_V: &[&str] = &["N", "R"];
const S_V: &[&str] = &["U", "C"];
const CIA_V: &[&str] = &["H", "L", "N"];
const E_V: &[&str] = &["X", "H", "F", "P", "U"];
const RL_V: &[&str] = &["X", "U", "W", "T", "O"];
const RC_V: &[&str] = &["X", "C", "R", "U"];
const REQ_V: &[&str] = &["X", "H", "M", "L"];
const MAV_V: &[&str] = &["X", "N", "A", "L", "P"];
const MAC_V: &[&str] = &["X", "L", "H"];
const MPR_V: &[&str] = &["X", "N", "L", "H"];
const MUI_V: &[&str] = &["X", "N", "R"];
const MS_V: &[&str] = &["X", "U", "C"];
const MCIA_V: &[&str] = &["X", "H", "L", "N"];

const fn grammar(version: &'static str) -> Grammar<COUNT> {
    Grammar {
        version,
        metrics: [
            metric("AV", AV_V, "N, A, L or P", true),
            metric("AC", AC_V, "L or H", true),
            metric("PR", PR_V, "N, L or H", true),
            metric("UI", UI_V, "N or R", true),
            metric("S", S_V, "U or C", true),
            metric("C", CIA_V, "H, L or N", true),
            metric("I", CIA_V, "H, L or N", true),
            metric("A", CIA_V, "H, L or N", true),
            metric("E", E_V, "X, H, F, P or U", false),
            metric("RL", RL_V, "X, U, W, T or O", false),
            metric("RC", RC_V, "X, C, R or U", false),
            metric("CR", REQ_V, "X, H, M or L", false),
            metric("IR", REQ_V, "X, H, M or L", false),
            metric("AR", REQ_V, "X, H, M or L", false),
            metric("MAV", MAV_V, "X, N, A, L or P", false),
            metric("MAC", MAC_V, "X, L or H", false),
            metric("MPR", MPR_V, "X, N, L or H", false),
            metric("MUI", MUI_V, "X, N or R", false),
            metric("MS", MS_V, "X, U or C", false),
            metric("MC", MCIA_V, "X, H, L or N", false),
            metric("MI", MCIA_V, "X, H, L or N", false),
            metric("MA", MCIA_V, "X, H, L or N", false),
        ],
        all:
            "AV, AC, PR, UI, S, C, I, A, E, RL, RC, CR, IR, AR, MAV, MAC, MPR, MUI, MS, MC, MI, MA",
        mandatory: "AV, AC, PR, UI, S, C, I, A",
        ordered: false,
    }
}

static GRAMMAR_3_0: Grammar<COUNT> = grammar("3.0");
static GRAMMAR_3_1: Grammar<COUNT> = grammar("3.1");

/// A parsed CVSS v3.0 or v3.1 vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CvssV3 {
    version: V3Version,
    /// Value index per metric (Table 15 order), `ABSENT` when not given.
    m: [u8; COUNT],
}

impl CvssV3 {
    /// Parses a `CVSS:3.0/` or `CVSS:3.1/` vector.
    pub fn parse(text: &str) -> Result<CvssV3, CvssError> {
        super::check_len(text)?;
        let (version, grammar, body) = if let Some(body) = text.strip_prefix("CVSS:3.1/") {
            (V3Version::V3_1, &GRAMMAR_3_1, body)
        } else if let Some(body) = text.strip_prefix("CVSS:3.0/") {
            (V3Version::V3_0, &GRAMMAR_3_0, body)
        } else {
            return Err(CvssError::Prefix {
                found: super::Snippet::new(text.split('/').next().unwrap_or(text)),
                allowed: "CVSS:3.0/ or CVSS:3.1/",
            });
        };
        let m = grammar.parse(body, "CVSS:3.x/".len())?;
        Ok(CvssV3 { version, m })
    }

    /// The declared minor version.
    pub fn version(&self) -> V3Version {
        self.version
    }

    /// The value given for a metric (`"AV"` → `Some("N")`), `None` when the
    /// metric is not in the vector or not a v3 metric.
    pub fn metric(&self, name: &str) -> Option<&'static str> {
        let g = self.grammar();
        let i = g.metrics.iter().position(|d| d.name == name)?;
        let v = self.m[i];
        g.metrics[i].values.get(usize::from(v)).copied()
    }

    fn grammar(&self) -> &'static Grammar<COUNT> {
        match self.version {
            V3Version::V3_0 => &GRAMMAR_3_0,
            V3Version::V3_1 => &GRAMMAR_3_1,
        }
    }

    /// Value index of an optional metric, 0 (`X`) when absent.
    fn opt(&self, i: usize) -> u8 {
        match self.m[i] {
            ABSENT => 0,
            v => v,
        }
    }

    /// Effective value index of a base metric under its modified metric:
    /// the modified value when given and not `X`, else the base value.
    fn modified(&self, base: usize, modified: usize) -> u8 {
        match self.opt(modified) {
            0 => self.m[base],
            v => v - 1,
        }
    }

    /// Whether any temporal metric is defined (given and not `X`).
    pub fn has_temporal(&self) -> bool {
        (E..=RC).any(|i| self.opt(i) != 0)
    }

    /// Whether any environmental metric is defined (given and not `X`).
    pub fn has_environmental(&self) -> bool {
        (CR..=MA).any(|i| self.opt(i) != 0)
    }

    /// The Base Score (section 7.1).
    pub fn base_score(&self) -> Score {
        Score::clamp_tenths(self.base_tenths())
    }

    /// The Temporal Score (section 7.2); equal to the base score when no
    /// temporal metric is defined.
    pub fn temporal_score(&self) -> Score {
        let base = self.base_tenths() as f64 / 10.0;
        Score::clamp_tenths(self.roundup(base * self.temporal_multiplier()))
    }

    /// The Environmental Score (section 7.3), computed with Not Defined
    /// environmental metrics taken from the base metrics. Note that in v3.1
    /// this can differ from the base score even when no environmental metric
    /// is given (the modified impact equation for a changed scope differs);
    /// [`CvssV3::overall_score`] only uses it when one is defined.
    pub fn environmental_score(&self) -> Score {
        Score::clamp_tenths(self.environmental_tenths())
    }

    /// Environmental score if an environmental metric is defined, else the
    /// temporal score if a temporal metric is defined, else the base score.
    pub fn overall_score(&self) -> Score {
        if self.has_environmental() {
            self.environmental_score()
        } else if self.has_temporal() {
            self.temporal_score()
        } else {
            self.base_score()
        }
    }

    fn base_tenths(&self) -> i64 {
        let changed = self.m[S] == 1;
        let iss = 1.0 - (1.0 - cia(self.m[C])) * (1.0 - cia(self.m[I])) * (1.0 - cia(self.m[A]));
        let impact = if changed {
            7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
        } else {
            6.42 * iss
        };
        if impact <= 0.0 {
            return 0;
        }
        let exploitability =
            8.22 * av(self.m[AV]) * ac(self.m[AC]) * pr(self.m[PR], changed) * ui(self.m[UI]);
        if changed {
            self.roundup((1.08 * (impact + exploitability)).min(10.0))
        } else {
            self.roundup((impact + exploitability).min(10.0))
        }
    }

    fn temporal_multiplier(&self) -> f64 {
        let e = [1.0, 1.0, 0.97, 0.94, 0.91][usize::from(self.opt(E)).min(4)];
        let rl = [1.0, 1.0, 0.97, 0.96, 0.95][usize::from(self.opt(RL)).min(4)];
        let rc = [1.0, 1.0, 0.96, 0.92][usize::from(self.opt(RC)).min(3)];
        e * rl * rc
    }

    fn environmental_tenths(&self) -> i64 {
        let changed = self.modified(S, MS) == 1;
        let miss = (1.0
            - (1.0 - requirement(self.opt(CR)) * cia(self.modified(C, MC)))
                * (1.0 - requirement(self.opt(IR)) * cia(self.modified(I, MI)))
                * (1.0 - requirement(self.opt(AR)) * cia(self.modified(A, MA))))
        .min(0.915);
        let impact = if !changed {
            6.42 * miss
        } else if self.version == V3Version::V3_1 {
            7.52 * (miss - 0.029) - 3.25 * (miss * 0.9731 - 0.02).powi(13)
        } else {
            7.52 * (miss - 0.029) - 3.25 * (miss - 0.02).powi(15)
        };
        if impact <= 0.0 {
            return 0;
        }
        let exploitability = 8.22
            * av(self.modified(AV, MAV))
            * ac(self.modified(AC, MAC))
            * pr(self.modified(PR, MPR), changed)
            * ui(self.modified(UI, MUI));
        let inner = if changed {
            self.roundup((1.08 * (impact + exploitability)).min(10.0))
        } else {
            self.roundup((impact + exploitability).min(10.0))
        };
        self.roundup(inner as f64 / 10.0 * self.temporal_multiplier())
    }

    /// Rounds a non-negative score up to tenths, per version.
    fn roundup(&self, x: f64) -> i64 {
        match self.version {
            V3Version::V3_1 => roundup_3_1(x),
            V3Version::V3_0 => roundup_3_0(x),
        }
    }
}

/// v3.1 Appendix A: round to an integer of hundred-thousandths, then up to
/// the next tenth unless already on one. Returns tenths.
fn roundup_3_1(x: f64) -> i64 {
    let int = (x * 100_000.0).round() as i64;
    if int.rem_euclid(10_000) == 0 {
        int.div_euclid(10_000)
    } else {
        int.div_euclid(10_000) + 1
    }
}

/// v3.0 section 7.4: the smallest one-decimal number at or above the value.
/// The value is the mathematical result of decimal weights; `f64` noise
/// (about 1e-15 here) is absorbed by a 1e-9 tolerance far below any real
/// difference the equations can make. Returns tenths.
fn roundup_3_0(x: f64) -> i64 {
    (x * 10.0 - 1e-9).ceil() as i64
}

fn av(v: u8) -> f64 {
    [0.85, 0.62, 0.55, 0.2][usize::from(v).min(3)]
}

fn ac(v: u8) -> f64 {
    [0.77, 0.44][usize::from(v).min(1)]
}

fn pr(v: u8, changed: bool) -> f64 {
    match (v, changed) {
        (0, _) => 0.85,
        (1, false) => 0.62,
        (1, true) => 0.68,
        (_, false) => 0.27,
        (_, true) => 0.5,
    }
}

fn ui(v: u8) -> f64 {
    [0.85, 0.62][usize::from(v).min(1)]
}

fn cia(v: u8) -> f64 {
    [0.56, 0.22, 0.0][usize::from(v).min(2)]
}

fn requirement(v: u8) -> f64 {
    [1.0, 1.5, 1.0, 0.5][usize::from(v).min(3)]
}

impl fmt::Display for CvssV3 {
    /// `CVSS:3.x/` then the metrics in Table 15 order, `X` values left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CVSS:{}", self.version.as_str())?;
        self.grammar().write(&self.m, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appendix_a_roundup() {
        // The examples of v3.1 Appendix A: 4.000002 rounds to 4.0 (float
        // noise), 4.02 up to 4.1, 4.0 stays.
        assert_eq!(roundup_3_1(4.000_002), 40);
        assert_eq!(roundup_3_1(4.02), 41);
        assert_eq!(roundup_3_1(4.0), 40);
        assert_eq!(roundup_3_1(0.0), 0);
        assert_eq!(roundup_3_0(4.02), 41);
        assert_eq!(roundup_3_0(4.0), 40);
        assert_eq!(roundup_3_0(4.000_002), 41);
    }
}
