//! The CVSS v4.0 MacroVector score table.
//!
//! Source: CVSS v4.0 Specification Document (FIRST, document version 1.2),
//! section 8.2 "CVSS v4.0 Scoring": every MacroVector (one level of each of
//! the equivalence sets EQ1..EQ6, Tables 24 to 29) has a score assigned by the
//! CVSS SIG, published as data with FIRST's reference calculator
//! (github.com/FIRSTdotorg/cvss-v4-calculator, file `cvss_lookup.js`,
//! "cvssLookup_global"). This file re-expresses those 270 numbers; the layout
//! and the encoding (tenths of a point, `u8`) are ours.
//!
//! Layout: one row of nine scores per (EQ1, EQ2, EQ3+EQ6) combination, rows in
//! the order EQ1 = 0..=2, then EQ2 = 0..=1, then the five valid (EQ3, EQ6)
//! pairs (0,0), (0,1), (1,0), (1,1), (2,1) (EQ3 = 2 with EQ6 = 0 cannot occur:
//! EQ6 = 0 needs a High impact, which puts EQ3 at 0 or 1). Inside a row, index
//! `EQ4 * 3 + EQ5`. See [`super::v4::macro_score`] for the indexing.

/// Scores in tenths of a point, 3 × 2 × 5 rows of 9.
pub(super) const MACROVECTOR_SCORES: [u8; 270] = [
    // EQ1=0 EQ2=0 EQ3=0 EQ6=0: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    100, 98, 95, 100, 93, 91, 93, 89, 81,
    // EQ1=0 EQ2=0 EQ3=0 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    99, 95, 92, 96, 87, 81, 90, 80, 68,
    // EQ1=0 EQ2=0 EQ3=1 EQ6=0: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    98, 95, 90, 93, 89, 81, 88, 78, 69,
    // EQ1=0 EQ2=0 EQ3=1 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    95, 92, 84, 92, 81, 65, 80, 70, 48,
    // EQ1=0 EQ2=0 EQ3=2 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    92, 82, 72, 79, 69, 50, 69, 55, 27,
    // EQ1=0 EQ2=1 EQ3=0 EQ6=0: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    99, 95, 92, 95, 90, 84, 92, 82, 72,
    // EQ1=0 EQ2=1 EQ3=0 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    97, 92, 85, 91, 83, 71, 81, 71, 53,
    // EQ1=0 EQ2=1 EQ3=1 EQ6=0: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    95, 92, 85, 92, 80, 70, 84, 71, 50,
    // EQ1=0 EQ2=1 EQ3=1 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    93, 85, 73, 82, 72, 59, 70, 52, 30,
    // EQ1=0 EQ2=1 EQ3=2 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    86, 75, 52, 71, 52, 29, 63, 29, 17,
    // EQ1=1 EQ2=0 EQ3=0 EQ6=0: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    98, 94, 91, 94, 86, 77, 87, 74, 63,
    // EQ1=1 EQ2=0 EQ3=0 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    95, 87, 81, 89, 74, 64, 75, 63, 49,
    // EQ1=1 EQ2=0 EQ3=1 EQ6=0: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    94, 88, 76, 86, 74, 59, 72, 57, 52,
    // EQ1=1 EQ2=0 EQ3=1 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    89, 77, 67, 76, 58, 50, 57, 52, 25,
    // EQ1=1 EQ2=0 EQ3=2 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    83, 70, 54, 65, 58, 26, 53, 21, 13,
    // EQ1=1 EQ2=1 EQ3=0 EQ6=0: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    95, 88, 76, 90, 75, 61, 77, 68, 52,
    // EQ1=1 EQ2=1 EQ3=0 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    90, 76, 70, 77, 62, 53, 66, 59, 30,
    // EQ1=1 EQ2=1 EQ3=1 EQ6=0: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    89, 76, 62, 74, 57, 47, 61, 57, 24,
    // EQ1=1 EQ2=1 EQ3=1 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    78, 67, 58, 59, 57, 23, 52, 29, 16,
    // EQ1=1 EQ2=1 EQ3=2 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    71, 59, 30, 58, 26, 15, 23, 13, 6,
    // EQ1=2 EQ2=0 EQ3=0 EQ6=0: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    93, 86, 75, 86, 74, 56, 70, 52, 40,
    // EQ1=2 EQ2=0 EQ3=0 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    87, 72, 58, 74, 61, 34, 54, 40, 22,
    // EQ1=2 EQ2=0 EQ3=1 EQ6=0: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    85, 74, 62, 72, 55, 46, 53, 34, 19,
    // EQ1=2 EQ2=0 EQ3=1 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    75, 55, 51, 57, 41, 19, 36, 19, 8,
    // EQ1=2 EQ2=0 EQ3=2 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    64, 51, 20, 47, 21, 11, 24, 9, 4,
    // EQ1=2 EQ2=1 EQ3=0 EQ6=0: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    88, 73, 60, 73, 59, 41, 54, 45, 20,
    // EQ1=2 EQ2=1 EQ3=0 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    75, 53, 50, 55, 40, 20, 43, 22, 11,
    // EQ1=2 EQ2=1 EQ3=1 EQ6=0: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    75, 58, 40, 61, 48, 20, 46, 17, 8,
    // EQ1=2 EQ2=1 EQ3=1 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    55, 45, 21, 51, 18, 9, 18, 7, 2,
    // EQ1=2 EQ2=1 EQ3=2 EQ6=1: EQ4=0 (EQ5=0,1,2), EQ4=1 (..), EQ4=2 (..)
    53, 24, 14, 24, 12, 5, 10, 3, 1,
];
