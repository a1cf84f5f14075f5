//! CVSS v4.0: vector grammar (specification section 7, Table 23, metrics in
//! that order) and scoring (section 8.2).
//!
//! Scoring, as the specification defines it:
//! 1. Each metric takes its effective value: a Modified metric overrides its
//!    base metric unless Not Defined; Exploit Maturity X counts as Attacked;
//!    the security requirements CR, IR, AR X count as High.
//! 2. The vector falls in one MacroVector: a level of each equivalence set
//!    EQ1..EQ6 (Tables 24-29). The MacroVector's score comes from the table
//!    the CVSS SIG published (see [`super::v4_table`]).
//! 3. Inside its MacroVector the vector sits some severity distance below the
//!    MacroVector's highest-severity vectors (Tables 24-29 list them). For
//!    each equivalence set that has a next-lower MacroVector, the score gap to
//!    it is scaled by the proportion distance / depth of the set; the mean of
//!    those (sets without a lower MacroVector are left out of the mean, EQ5
//!    counts with a proportion of 0) is taken off the MacroVector's score.
//! 4. The result is rounded half up to one decimal and kept in 0.0..=10.0.
//!    A vector with no impact at all (VC, VI, VA, SC, SI, SA all None) scores
//!    0.0.
//!
//! Everything is computed in integers (tenths of a point, distances in
//! levels, the mean as an exact fraction), so a score exactly at `x.x5`
//! rounds up as the specification means, without floating-point drift.

use std::fmt;

use super::v4_table::MACROVECTOR_SCORES;
use super::{CvssError, Grammar, MetricDef, Score, ABSENT};

// Metric indices, Table 23 order.
const AV: usize = 0;
const AC: usize = 1;
const AT: usize = 2;
const PR: usize = 3;
const UI: usize = 4;
const VC: usize = 5;
const VI: usize = 6;
const VA: usize = 7;
const SC: usize = 8;
const SI: usize = 9;
const SA: usize = 10;
const E: usize = 11;
const CR: usize = 12;
const IR: usize = 13;
const AR: usize = 14;
const MAV: usize = 15;
const MSA: usize = 25;
const COUNT: usize = 32;
/// Offset from a base metric to its Modified metric (AV → MAV, ...).
const MODIFIED: usize = MAV - AV;

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

// Value lists are ordered from the highest severity down, so the index is the
// severity level used for distances. Modified metrics are "X" then the base
// list (MSI and MSA add "S", Safety, above High).
const AV_V: &[&str] = &["N", "A", "L", "P"];
const AC_V: &[&str] = &["L", "H"];
const AT_V: &[&str] = &["N", "P"];
const PR_V: &[&str] = &["N", "L", "H"];
const UI_V: &[&str] = &["N", "P", "A"];
const HLN_V: &[&str] = &["H", "L", "N"];
const E_V: &[&str] = &["X", "A", "P", "U"];
const REQ_V: &[&str] = &["X", "H", "M", "L"];
const MAV_V: &[&str] = &["X", "N", "A", "L", "P"];
const MAC_V: &[&str] = &["X", "L", "H"];
const MAT_V: &[&str] = &["X", "N", "P"];
const MPR_V: &[&str] = &["X", "N", "L", "H"];
const MUI_V: &[&str] = &["X", "N", "P", "A"];
const MHLN_V: &[&str] = &["X", "H", "L", "N"];
const MSHLN_V: &[&str] = &["X", "S", "H", "L", "N"];
const S_V: &[&str] = &["X", "N", "P"];
const AU_V: &[&str] = &["X", "N", "Y"];
const R_V: &[&str] = &["X", "A", "U", "I"];
const V_V: &[&str] = &["X", "D", "C"];
const RE_V: &[&str] = &["X", "L", "M", "H"];
const U_V: &[&str] = &["X", "Clear", "Green", "Amber", "Red"];

static GRAMMAR: Grammar<COUNT> = Grammar {
    version: "4.0",
    metrics: [
        metric("AV", AV_V, "N, A, L or P", true),
        metric("AC", AC_V, "L or H", true),
        metric("AT", AT_V, "N or P", true),
        metric("PR", PR_V, "N, L or H", true),
        metric("UI", UI_V, "N, P or A", true),
        metric("VC", HLN_V, "H, L or N", true),
        metric("VI", HLN_V, "H, L or N", true),
        metric("VA", HLN_V, "H, L or N", true),
        metric("SC", HLN_V, "H, L or N", true),
        metric("SI", HLN_V, "H, L or N", true),
        metric("SA", HLN_V, "H, L or N", true),
        metric("E", E_V, "X, A, P or U", false),
        metric("CR", REQ_V, "X, H, M or L", false),
        metric("IR", REQ_V, "X, H, M or L", false),
        metric("AR", REQ_V, "X, H, M or L", false),
        metric("MAV", MAV_V, "X, N, A, L or P", false),
        metric("MAC", MAC_V, "X, L or H", false),
        metric("MAT", MAT_V, "X, N or P", false),
        metric("MPR", MPR_V, "X, N, L or H", false),
        metric("MUI", MUI_V, "X, N, P or A", false),
        metric("MVC", MHLN_V, "X, H, L or N", false),
        metric("MVI", MHLN_V, "X, H, L or N", false),
        metric("MVA", MHLN_V, "X, H, L or N", false),
        metric("MSC", MHLN_V, "X, H, L or N", false),
        metric("MSI", MSHLN_V, "X, S, H, L or N", false),
        metric("MSA", MSHLN_V, "X, S, H, L or N", false),
        metric("S", S_V, "X, N or P", false),
        metric("AU", AU_V, "X, N or Y", false),
        metric("R", R_V, "X, A, U or I", false),
        metric("V", V_V, "X, D or C", false),
        metric("RE", RE_V, "X, L, M or H", false),
        metric("U", U_V, "X, Clear, Green, Amber or Red", false),
    ],
    all: "AV, AC, AT, PR, UI, VC, VI, VA, SC, SI, SA, E, CR, IR, AR, MAV, MAC, MAT, MPR, MUI, MVC, MVI, MVA, MSC, MSI, MSA, S, AU, R, V, RE, U",
    mandatory: "AV, AC, AT, PR, UI, VC, VI, VA, SC, SI, SA",
    ordered: true,
};

/// Which metric groups a v4.0 score reflects (section 1.3 nomenclature).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nomenclature {
    /// Base metrics only.
    CvssB,
    /// Base and Threat.
    CvssBT,
    /// Base and Environmental.
    CvssBE,
    /// Base, Threat and Environmental.
    CvssBTE,
}

impl Nomenclature {
    /// `"CVSS-B"`, `"CVSS-BT"`, `"CVSS-BE"` or `"CVSS-BTE"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Nomenclature::CvssB => "CVSS-B",
            Nomenclature::CvssBT => "CVSS-BT",
            Nomenclature::CvssBE => "CVSS-BE",
            Nomenclature::CvssBTE => "CVSS-BTE",
        }
    }
}

/// A parsed CVSS v4.0 vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CvssV4 {
    /// Value index per metric (Table 23 order), `ABSENT` when not given.
    m: [u8; COUNT],
}

/// Effective values of the scored metrics, as severity levels (0 = highest
/// severity). SI and SA use 0 for Safety, 1 High, 2 Low, 3 None; every other
/// impact metric 0 High, 1 Low, 2 None.
#[derive(Debug, Clone, Copy)]
struct Effective {
    av: u8,
    ac: u8,
    at: u8,
    pr: u8,
    ui: u8,
    vc: u8,
    vi: u8,
    va: u8,
    sc: u8,
    si: u8,
    sa: u8,
    /// 0 Attacked, 1 POC, 2 Unreported.
    e: u8,
    /// 0 High, 1 Medium, 2 Low.
    cr: u8,
    ir: u8,
    ar: u8,
}

const HIGH: u8 = 0;
const NONE_CIA: u8 = 2;

impl CvssV4 {
    /// Parses a `CVSS:4.0/` vector; metrics must follow the order of the
    /// specification's Table 23.
    pub fn parse(text: &str) -> Result<CvssV4, CvssError> {
        super::check_len(text)?;
        let Some(body) = text.strip_prefix("CVSS:4.0/") else {
            return Err(CvssError::Prefix {
                found: super::Snippet::new(text.split('/').next().unwrap_or(text)),
                allowed: "CVSS:4.0/",
            });
        };
        let m = GRAMMAR.parse(body, "CVSS:4.0/".len())?;
        Ok(CvssV4 { m })
    }

    /// The value given for a metric (`"AV"` → `Some("N")`), `None` when the
    /// metric is not in the vector or not a v4.0 metric.
    pub fn metric(&self, name: &str) -> Option<&'static str> {
        let i = GRAMMAR.metrics.iter().position(|d| d.name == name)?;
        GRAMMAR.metrics[i]
            .values
            .get(usize::from(self.m[i]))
            .copied()
    }

    fn opt(&self, i: usize) -> u8 {
        match self.m[i] {
            ABSENT => 0,
            v => v,
        }
    }

    /// Which groups the score reflects: threat when E is defined,
    /// environmental when any of CR..MSA is.
    pub fn nomenclature(&self) -> Nomenclature {
        let threat = self.opt(E) != 0;
        let env = (CR..=MSA).any(|i| self.opt(i) != 0);
        match (threat, env) {
            (false, false) => Nomenclature::CvssB,
            (true, false) => Nomenclature::CvssBT,
            (false, true) => Nomenclature::CvssBE,
            (true, true) => Nomenclature::CvssBTE,
        }
    }

    /// The score of every metric given (base, threat, environmental).
    pub fn score(&self) -> Score {
        score(&self.effective(true))
    }

    /// The score of the base metrics alone (CVSS-B), as if no threat or
    /// environmental metric were given.
    pub fn base_score(&self) -> Score {
        score(&self.effective(false))
    }

    /// The MacroVector of this vector as the six digits EQ1..EQ6 (`"000000"`
    /// is the most severe), for explanations.
    pub fn macro_vector(&self) -> [u8; 6] {
        let eff = self.effective(true);
        let eq = equivalence(&eff);
        [eq.0, eq.1, eq.2, eq.3, eq.4, eq.5]
    }

    fn effective(&self, with_threat_env: bool) -> Effective {
        // A base metric, overridden by its modified metric when defined.
        let modified = |base: usize| -> u8 {
            let b = self.m[base];
            if !with_threat_env {
                return b;
            }
            match self.opt(base + MODIFIED) {
                0 => b,
                v => v - 1,
            }
        };
        // SI/SA as Safety-scale levels: the base H/L/N become 1..=3, MSI/MSA
        // list X, S, H, L, N so their index - 1 is already the level.
        let subsequent = |base: usize| -> u8 {
            let b = self.m[base] + 1;
            if !with_threat_env {
                return b;
            }
            match self.opt(base + MODIFIED) {
                0 => b,
                v => v - 1,
            }
        };
        let threat_env = |i: usize| -> u8 {
            if with_threat_env {
                // X (index 0) counts as the highest severity, index 1.
                self.opt(i).max(1) - 1
            } else {
                0
            }
        };
        Effective {
            av: modified(AV),
            ac: modified(AC),
            at: modified(AT),
            pr: modified(PR),
            ui: modified(UI),
            vc: modified(VC),
            vi: modified(VI),
            va: modified(VA),
            sc: modified(SC),
            si: subsequent(SI),
            sa: subsequent(SA),
            e: threat_env(E),
            cr: threat_env(CR),
            ir: threat_env(IR),
            ar: threat_env(AR),
        }
    }
}

/// The equivalence-set levels (EQ1, EQ2, EQ3, EQ4, EQ5, EQ6), Tables 24-29.
fn equivalence(x: &Effective) -> (u8, u8, u8, u8, u8, u8) {
    const N: u8 = 0; // Network / None (AV, PR, UI), level 0
    const P: u8 = 3; // AV Physical
    let eq1 = if x.av == N && x.pr == N && x.ui == N {
        0
    } else if (x.av == N || x.pr == N || x.ui == N) && x.av != P {
        1
    } else {
        2
    };
    let eq2 = if x.ac == 0 && x.at == 0 { 0 } else { 1 };
    let eq3 = if x.vc == HIGH && x.vi == HIGH {
        0
    } else if x.vc == HIGH || x.vi == HIGH || x.va == HIGH {
        1
    } else {
        2
    };
    // Safety is level 0 of SI/SA, High level 1.
    let eq4 = if x.si == 0 || x.sa == 0 {
        0
    } else if x.sc == HIGH || x.si == 1 || x.sa == 1 {
        1
    } else {
        2
    };
    let eq5 = x.e;
    let eq6 = if (x.cr == HIGH && x.vc == HIGH)
        || (x.ir == HIGH && x.vi == HIGH)
        || (x.ar == HIGH && x.va == HIGH)
    {
        0
    } else {
        1
    };
    (eq1, eq2, eq3, eq4, eq5, eq6)
}

/// Row of the (EQ3, EQ6) pair in the table, `None` for a pair that cannot
/// occur or lies past the lowest level.
fn eq36_index(eq3: u8, eq6: u8) -> Option<usize> {
    match (eq3, eq6) {
        (0, 0) => Some(0),
        (0, 1) => Some(1),
        (1, 0) => Some(2),
        (1, 1) => Some(3),
        (2, 1) => Some(4),
        _ => None,
    }
}

/// The published score of a MacroVector in tenths, `None` when it does not
/// exist (a level past the lowest of its set).
pub(super) fn macro_score(eq: (u8, u8, u8, u8, u8, u8)) -> Option<i64> {
    let (eq1, eq2, eq3, eq4, eq5, eq6) = eq;
    if eq1 > 2 || eq2 > 1 || eq4 > 2 || eq5 > 2 {
        return None;
    }
    let row = (usize::from(eq1) * 2 + usize::from(eq2)) * 5 + eq36_index(eq3, eq6)?;
    MACROVECTOR_SCORES
        .get(row * 9 + usize::from(eq4) * 3 + usize::from(eq5))
        .map(|&s| i64::from(s))
}

// Highest-severity vectors of each equivalence-set level (specification
// Tables 24-29, "highest severity vector(s)"), as severity levels in the
// encoding of `Effective`. When several are listed, the first one the vector
// does not exceed in any metric is the reference for its distance.

/// EQ1 levels: (AV, PR, UI).
const EQ1_MAX: [&[[u8; 3]]; 3] = [
    &[[0, 0, 0]],
    &[[1, 0, 0], [0, 1, 0], [0, 0, 1]],
    &[[3, 0, 0], [1, 1, 1]],
];
/// EQ2 levels: (AC, AT).
const EQ2_MAX: [&[[u8; 2]]; 2] = [&[[0, 0]], &[[1, 0], [0, 1]]];
/// EQ3+EQ6 pairs (same order as `eq36_index`): (VC, VI, VA, CR, IR, AR).
const EQ36_MAX: [&[[u8; 6]]; 5] = [
    &[[0, 0, 0, 0, 0, 0]],
    &[[0, 0, 1, 1, 1, 0], [0, 0, 0, 1, 1, 1]],
    &[[1, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0]],
    &[
        [1, 0, 1, 0, 1, 0],
        [1, 0, 0, 0, 1, 1],
        [0, 1, 0, 1, 0, 1],
        [0, 1, 1, 1, 0, 0],
        [1, 1, 0, 0, 0, 1],
    ],
    &[[1, 1, 1, 0, 0, 0]],
];
/// EQ4 levels: (SC, SI, SA), with SC on the H/L/N scale shifted by one to
/// line up with SI/SA's Safety scale (SC High is level 1).
const EQ4_MAX: [&[[u8; 3]]; 3] = [&[[1, 0, 0]], &[[1, 1, 1]], &[[2, 2, 2]]];

/// Depth of each level: the largest severity distance inside it, plus one
/// (section 8.2, "MacroVector depth").
const EQ1_DEPTH: [i64; 3] = [1, 4, 5];
const EQ2_DEPTH: [i64; 2] = [1, 2];
const EQ36_DEPTH: [i64; 5] = [7, 6, 8, 8, 10];
const EQ4_DEPTH: [i64; 3] = [6, 5, 4];

/// Distance of `v` below the first of `maxes` it does not exceed (sum of
/// level differences). If it exceeded all of them (the specification's
/// tables rule this out; a unit test checks every combination) the last
/// one is used, as the reference calculator does.
fn distance<const K: usize>(v: [u8; K], maxes: &[[u8; K]]) -> i64 {
    let diff = |m: &[u8; K]| -> i64 {
        v.iter()
            .zip(m.iter())
            .map(|(&a, &b)| i64::from(a) - i64::from(b))
            .sum()
    };
    for m in maxes {
        if v.iter().zip(m.iter()).all(|(a, b)| a >= b) {
            return diff(m);
        }
    }
    maxes.last().map(diff).unwrap_or(0)
}

fn score(x: &Effective) -> Score {
    // No impact on any system: 0.0.
    if x.vc == NONE_CIA
        && x.vi == NONE_CIA
        && x.va == NONE_CIA
        && x.sc == NONE_CIA
        && x.si == 3
        && x.sa == 3
    {
        return Score::default();
    }
    let eq = equivalence(x);
    let (eq1, eq2, eq3, eq4, eq5, eq6) = eq;
    let Some(value) = macro_score(eq) else {
        // Unreachable: every (EQ1..EQ6) `equivalence` yields is in the table.
        return Score::default();
    };
    let Some(eq36) = eq36_index(eq3, eq6) else {
        return Score::default();
    };

    // Next-lower MacroVector in each set.
    let lower1 = macro_score((eq1 + 1, eq2, eq3, eq4, eq5, eq6));
    let lower2 = macro_score((eq1, eq2 + 1, eq3, eq4, eq5, eq6));
    let lower36 = match (eq3, eq6) {
        // Two ways down; the higher of the two scores.
        (0, 0) => {
            macro_score((eq1, eq2, eq3, eq4, eq5, 1)).max(macro_score((eq1, eq2, 1, eq4, eq5, eq6)))
        }
        (1, 0) => macro_score((eq1, eq2, eq3, eq4, eq5, 1)),
        (0 | 1, 1) => macro_score((eq1, eq2, eq3 + 1, eq4, eq5, eq6)),
        _ => None,
    };
    let lower4 = macro_score((eq1, eq2, eq3, eq4 + 1, eq5, eq6));
    let lower5 = macro_score((eq1, eq2, eq3, eq4, eq5 + 1, eq6));

    let d1 = distance([x.av, x.pr, x.ui], EQ1_MAX[usize::from(eq1)]);
    let d2 = distance([x.ac, x.at], EQ2_MAX[usize::from(eq2)]);
    let d36 = distance([x.vc, x.vi, x.va, x.cr, x.ir, x.ar], EQ36_MAX[eq36]);
    let d4 = distance([x.sc + 1, x.si, x.sa], EQ4_MAX[usize::from(eq4)]);

    // Sum of (gap * distance / depth) over the sets with a lower MacroVector,
    // as a fraction over LCM(depths) = 840; EQ5 counts with distance 0.
    const DEN: i64 = 840;
    let mut numerator = 0i64;
    let mut count = 0i64;
    let parts = [
        (lower1, d1, EQ1_DEPTH[usize::from(eq1)]),
        (lower2, d2, EQ2_DEPTH[usize::from(eq2)]),
        (lower36, d36, EQ36_DEPTH[eq36]),
        (lower4, d4, EQ4_DEPTH[usize::from(eq4)]),
        (lower5, 0, 1),
    ];
    for (lower, dist, depth) in parts {
        if let Some(lower) = lower {
            count += 1;
            numerator += (value - lower) * dist * (DEN / depth);
        }
    }
    if count == 0 {
        return Score::clamp_tenths(value);
    }
    // score = value - numerator / (DEN * count), rounded half up.
    let den = DEN * count;
    let exact = value * den - numerator; // score * den
    let rounded = (2 * exact + den).div_euclid(2 * den);
    Score::clamp_tenths(rounded)
}

impl fmt::Display for CvssV4 {
    /// `CVSS:4.0/` then the metrics in Table 23 order, `X` values left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CVSS:4.0")?;
        GRAMMAR.write(&self.m, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every combination of levels inside each equivalence-set level lies
    /// at or below one of its highest-severity vectors, so `distance` never
    /// needs its fallback.
    #[test]
    fn every_vector_has_a_max_vector() {
        let covered = |v: &[u8], maxes: &[&[u8]]| {
            maxes
                .iter()
                .any(|m| v.iter().zip(m.iter()).all(|(a, b)| a >= b))
        };
        for av in 0..4 {
            for pr in 0..3 {
                for ui in 0..3 {
                    let x = effective_with(|x| {
                        x.av = av;
                        x.pr = pr;
                        x.ui = ui;
                    });
                    let eq1 = equivalence(&x).0;
                    let maxes: Vec<&[u8]> =
                        EQ1_MAX[usize::from(eq1)].iter().map(|m| &m[..]).collect();
                    assert!(covered(&[av, pr, ui], &maxes), "{av} {pr} {ui}");
                }
            }
        }
        for ac in 0..2 {
            for at in 0..2 {
                let x = effective_with(|x| {
                    x.ac = ac;
                    x.at = at;
                });
                let maxes: Vec<&[u8]> = EQ2_MAX[usize::from(equivalence(&x).1)]
                    .iter()
                    .map(|m| &m[..])
                    .collect();
                assert!(covered(&[ac, at], &maxes));
            }
        }
        for n in 0..729u32 {
            let l = |k: u32| (n / 3u32.pow(k) % 3) as u8;
            let (vc, vi, va, cr, ir, ar) = (l(0), l(1), l(2), l(3), l(4), l(5));
            let x = effective_with(|x| {
                x.vc = vc;
                x.vi = vi;
                x.va = va;
                x.cr = cr;
                x.ir = ir;
                x.ar = ar;
            });
            let eq = equivalence(&x);
            let row = eq36_index(eq.2, eq.5).unwrap();
            let maxes: Vec<&[u8]> = EQ36_MAX[row].iter().map(|m| &m[..]).collect();
            assert!(covered(&[vc, vi, va, cr, ir, ar], &maxes), "{n}");
        }
        for sc in 0..3 {
            for si in 0..4 {
                for sa in 0..4 {
                    let x = effective_with(|x| {
                        x.sc = sc;
                        x.si = si;
                        x.sa = sa;
                    });
                    let maxes: Vec<&[u8]> = EQ4_MAX[usize::from(equivalence(&x).3)]
                        .iter()
                        .map(|m| &m[..])
                        .collect();
                    assert!(covered(&[sc + 1, si, sa], &maxes), "{sc} {si} {sa}");
                }
            }
        }
    }

    fn effective_with(f: impl FnOnce(&mut Effective)) -> Effective {
        let mut x = Effective {
            av: 0,
            ac: 0,
            at: 0,
            pr: 0,
            ui: 0,
            vc: 0,
            vi: 0,
            va: 0,
            sc: 0,
            si: 1,
            sa: 1,
            e: 0,
            cr: 0,
            ir: 0,
            ar: 0,
        };
        f(&mut x);
        x
    }

    #[test]
    fn table_covers_every_macrovector() {
        // Every reachable MacroVector has a score in range; others have none.
        for eq1 in 0..3 {
            for eq2 in 0..2 {
                for (eq3, eq6) in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 1)] {
                    for eq4 in 0..3 {
                        for eq5 in 0..3 {
                            let v = macro_score((eq1, eq2, eq3, eq4, eq5, eq6)).unwrap();
                            assert!((0..=100).contains(&v));
                        }
                    }
                }
            }
        }
        assert_eq!(macro_score((0, 0, 0, 0, 0, 0)), Some(100));
        assert_eq!(macro_score((3, 0, 0, 0, 0, 0)), None);
        assert_eq!(macro_score((0, 0, 2, 0, 0, 0)), None);
    }
}
