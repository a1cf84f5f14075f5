//! CVSS scoring against published scores and a reference implementation.
//!
//! - Published examples: the FIRST CVSS v3.1 and v3.0 "Examples" documents
//!   (each vulnerability's vector and base score, re-expressed here as our
//!   own table), NVD-published v3.1 scores of well-known CVEs, the CVSS v4.0
//!   specification and examples, and scores the FIRST/Red Hat v4.0 reference
//!   calculator maintainers stated in their issue threads.
//! - Oracle: the `cvss` Python package (Red Hat's implementation, the basis
//!   of FIRST's v4.0 calculator; PyPI `cvss`, installed by .ci/run) scores
//!   every v3.0/v3.1 base vector, tens of thousands of generated vectors with
//!   temporal, environmental, threat and supplemental metrics, and every CVSS
//!   vector found in the OSV conformance data; ours must agree on each.
//! - Validation: every class of bad vector is rejected with an error naming
//!   the metric and what is allowed.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use palisade_vuln::cvss::{Cvss, CvssError, Rating, Score, MAX_VECTOR_LEN};

/// (source, vector, published score).
const PUBLISHED_V3: &[(&str, &str, &str)] = &[
    // FIRST, "CVSS v3.1: Examples" (and the same vulnerabilities scored in
    // "CVSS v3.0: Examples"), base scores.
    (
        "v3.1 Examples: phpMyAdmin reflected XSS, CVE-2013-1937",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        "6.1",
    ),
    (
        "v3.1 Examples: MySQL stored SQL injection, CVE-2013-0375",
        "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N",
        "6.4",
    ),
    (
        "v3.1 Examples: SSLv3 POODLE, CVE-2014-3566",
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
        "3.1",
    ),
    (
        "v3.1 Examples: VMware guest to host escape, CVE-2012-1516",
        "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H",
        "9.9",
    ),
    (
        "v3.1 Examples: Apache Tomcat XML parser, CVE-2009-0783",
        "CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L",
        "4.2",
    ),
    (
        "v3.1 Examples: Cisco IOS arbitrary command execution, CVE-2012-0384",
        "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
        "8.8",
    ),
    (
        "v3.1 Examples: Apple iWork denial of service, CVE-2015-1098",
        "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
        "7.8",
    ),
    (
        "v3.1 Examples: OpenSSL Heartbleed, CVE-2014-0160",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        "7.5",
    ),
    (
        "v3.1 Examples: GNU Bash Shellshock, CVE-2014-6271",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "9.8",
    ),
    (
        "v3.1 Examples: DNS Kaminsky bug, CVE-2008-1447",
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N",
        "6.8",
    ),
    (
        "v3.1 Examples: Sophos login screen bypass, CVE-2014-2005",
        "CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "6.8",
    ),
    (
        "v3.1 Examples: Joomla directory traversal, CVE-2010-0467",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N",
        "5.8",
    ),
    (
        "v3.1 Examples: Cisco access control bypass, CVE-2012-1342",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:N",
        "5.8",
    ),
    (
        "v3.1 Examples: Juniper proxy ARP denial of service, CVE-2013-6014",
        "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H",
        "9.3",
    ),
    (
        "v3.1 Examples: DokuWiki reflected XSS, CVE-2014-9253",
        "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N",
        "5.4",
    ),
    (
        "v3.1 Examples: Adobe Acrobat buffer overflow, CVE-2009-0658",
        "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
        "7.8",
    ),
    (
        "v3.1 Examples: Microsoft Windows Bluetooth RCE, CVE-2011-1265",
        "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "8.8",
    ),
    (
        "v3.1 Examples: Apple iOS security control bypass, CVE-2014-2019",
        "CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N",
        "4.6",
    ),
    (
        "v3.1 Examples: SearchBlox CSRF, CVE-2015-0970",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
        "8.8",
    ),
    (
        "v3.1 Examples: SSL/TLS MITM, CVE-2014-0224",
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N",
        "7.4",
    ),
    (
        "v3.1 Examples: Google Chrome sandbox bypass, CVE-2012-5376",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H",
        "9.6",
    ),
    (
        "v3.1 Examples: Chrome PDFium JPEG 2000 RCE, CVE-2016-1645",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
        "8.8",
    ),
    (
        "v3.1 Examples: Samba Badlock, CVE-2016-2118",
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:H",
        "7.5",
    ),
    (
        "v3.1 Examples: Lenovo ThinkPwn SMM, CVE-2016-5729",
        "CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H",
        "8.2",
    ),
    // The same examples as "CVSS v3.0: Examples" scores them (v3.0 prefix).
    (
        "v3.0 Examples: phpMyAdmin reflected XSS, CVE-2013-1937",
        "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        "6.1",
    ),
    (
        "v3.0 Examples: MySQL stored SQL injection, CVE-2013-0375",
        "CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N",
        "6.4",
    ),
    (
        "v3.0 Examples: SSLv3 POODLE, CVE-2014-3566",
        "CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
        "3.1",
    ),
    (
        "v3.0 Examples: VMware guest to host escape, CVE-2012-1516",
        "CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H",
        "9.9",
    ),
    (
        "v3.0 Examples: Apache Tomcat XML parser, CVE-2009-0783",
        "CVSS:3.0/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L",
        "4.2",
    ),
    (
        "v3.0 Examples: Cisco IOS arbitrary command execution, CVE-2012-0384",
        "CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
        "8.8",
    ),
    (
        "v3.0 Examples: Apple iWork denial of service, CVE-2015-1098",
        "CVSS:3.0/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
        "7.8",
    ),
    (
        "v3.0 Examples: OpenSSL Heartbleed, CVE-2014-0160",
        "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        "7.5",
    ),
    (
        "v3.0 Examples: GNU Bash Shellshock, CVE-2014-6271",
        "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "9.8",
    ),
    (
        "v3.0 Examples: DNS Kaminsky bug, CVE-2008-1447",
        "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N",
        "6.8",
    ),
    (
        "v3.0 Examples: Sophos login screen bypass, CVE-2014-2005",
        "CVSS:3.0/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "6.8",
    ),
    (
        "v3.0 Examples: Joomla directory traversal, CVE-2010-0467",
        "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N",
        "5.8",
    ),
    (
        "v3.0 Examples: Cisco access control bypass, CVE-2012-1342",
        "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:N",
        "5.8",
    ),
    (
        "v3.0 Examples: Juniper proxy ARP denial of service, CVE-2013-6014",
        "CVSS:3.0/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H",
        "9.3",
    ),
    (
        "v3.0 Examples: DokuWiki reflected XSS, CVE-2014-9253",
        "CVSS:3.0/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N",
        "5.4",
    ),
    (
        "v3.0 Examples: Adobe Acrobat buffer overflow, CVE-2009-0658",
        "CVSS:3.0/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
        "7.8",
    ),
    (
        "v3.0 Examples: Microsoft Windows Bluetooth RCE, CVE-2011-1265",
        "CVSS:3.0/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "8.8",
    ),
    (
        "v3.0 Examples: Apple iOS security control bypass, CVE-2014-2019",
        "CVSS:3.0/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N",
        "4.6",
    ),
    (
        "v3.0 Examples: SearchBlox CSRF, CVE-2015-0970",
        "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
        "8.8",
    ),
    (
        "v3.0 Examples: SSL/TLS MITM, CVE-2014-0224",
        "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N",
        "7.4",
    ),
    (
        "v3.0 Examples: Google Chrome sandbox bypass, CVE-2012-5376",
        "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H",
        "9.6",
    ),
    // NVD-published CVSS v3.1 base scores.
    (
        "NVD: Log4Shell, CVE-2021-44228",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
        "10.0",
    ),
    (
        "NVD: Log4j, CVE-2021-45046",
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H",
        "9.0",
    ),
    (
        "NVD: sudo Baron Samedit, CVE-2021-3156",
        "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
        "7.8",
    ),
    (
        "NVD: Dirty Pipe, CVE-2022-0847",
        "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
        "7.8",
    ),
    (
        "NVD: HTTP/2 Rapid Reset, CVE-2023-44487",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
        "7.5",
    ),
    (
        "NVD: Spring4Shell, CVE-2022-22965",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "9.8",
    ),
    (
        "NVD: xz backdoor, CVE-2024-3094",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
        "10.0",
    ),
    (
        "NVD: nginx mp4 module, CVE-2022-41741",
        "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H",
        "7.0",
    ),
    (
        "NVD: PwnKit, CVE-2021-4034",
        "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
        "7.8",
    ),
    (
        "NVD: Zerologon, CVE-2020-1472",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
        "10.0",
    ),
    // v3.1 specification section 5: the rating scale boundaries.
    (
        "v3.1 spec: no impact scores 0.0",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N",
        "0.0",
    ),
    (
        "v3.1 spec: no impact, scope changed",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N",
        "0.0",
    ),
];

/// (source, vector, published score).
const PUBLISHED_V4: &[(&str, &str, &str)] = &[
    ("v4.0 spec / FIRST calculator: network, no requirements, high vulnerable-system impact", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "9.3"),
    ("v4.0 spec: MacroVector 000000 is the highest, 10.0", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", "10.0"),
    ("v4.0 spec section 8.2: no impact on any system scores 0.0", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", "0.0"),
    ("v4.0 Examples: nginx mp4 module, CVE-2022-41741 (CVSS-B)", "CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "7.3"),
    ("cvss-v4-calculator #48 (half-up at 0.35)", "CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N/E:U", "0.4"),
    ("cvss-v4-calculator #48 (half-up at 8.95)", "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:N/SC:H/SI:H/SA:H/E:P", "9.0"),
    ("cvss-v4-calculator #66 / PR #67 (8.55 rounds to 8.6)", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H", "8.6"),
    ("RedHatProductSecurity/cvss #60 (8.45 rounds to 8.5)", "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:A/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/E:P/CR:L/IR:L/AR:L/MAV:N/MAC:L/MAT:N/MPR:L/MUI:A/MVC:H/MVI:H/MVA:H/MSC:H/MSI:S/MSA:S/S:P/AU:Y/R:I/V:C/RE:H/U:Red", "8.5"),
    ("RedHatProductSecurity/cvss #63 (8.55 rounds to 8.6)", "CVSS:4.0/AV:L/AC:H/AT:N/PR:N/UI:N/VC:L/VI:H/VA:L/SC:N/SI:N/SA:H/E:A/CR:H/IR:M/AR:H/MAV:A/MAC:L/MAT:N/MPR:N/MUI:N/MVC:H/MVI:N/MVA:H/MSC:H/MSI:H/MSA:H/S:N/AU:N/R:I/V:C/RE:M/U:Green", "8.6"),
];

#[test]
fn published_v3_examples() {
    let mut wrong = Vec::new();
    for (source, vector, expected) in PUBLISHED_V3 {
        let cvss = Cvss::parse(vector).unwrap_or_else(|e| panic!("{source}: {vector}: {e}"));
        let got = cvss.base_score().to_string();
        if got != *expected {
            wrong.push(format!(
                "{source}: {vector} scores {got}, published {expected}"
            ));
        }
        assert_eq!(cvss.score(), cvss.base_score(), "{vector}");
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(PUBLISHED_V3.len() >= 50);
}

#[test]
fn published_v4_examples() {
    let mut wrong = Vec::new();
    for (source, vector, expected) in PUBLISHED_V4 {
        let cvss = Cvss::parse(vector).unwrap_or_else(|e| panic!("{source}: {vector}: {e}"));
        let got = cvss.score().to_string();
        if got != *expected {
            wrong.push(format!(
                "{source}: {vector} scores {got}, published {expected}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn ratings_and_severity_mapping() {
    let rating = |t: u8| Rating::from_score(Score::from_tenths(t).unwrap());
    assert_eq!(rating(0), Rating::None);
    assert_eq!(rating(1), Rating::Low);
    assert_eq!(rating(39), Rating::Low);
    assert_eq!(rating(40), Rating::Medium);
    assert_eq!(rating(69), Rating::Medium);
    assert_eq!(rating(70), Rating::High);
    assert_eq!(rating(89), Rating::High);
    assert_eq!(rating(90), Rating::Critical);
    assert_eq!(rating(100), Rating::Critical);
    assert!(Score::from_tenths(101).is_none());
    use palisade_model::Severity;
    assert_eq!(Rating::None.to_severity(), None);
    assert_eq!(Rating::Low.to_severity(), Some(Severity::Low));
    assert_eq!(Rating::Critical.to_severity(), Some(Severity::Critical));
    let c = Cvss::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
    assert_eq!(c.rating(), Rating::Critical);
    assert_eq!(c.base_score().value(), 9.8);
    assert_eq!(c.version(), "3.1");
}

#[test]
fn v3_temporal_and_environmental() {
    // Temporal only: the overall score is the temporal score.
    let c = Cvss::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N/E:P/RL:W/RC:C").unwrap();
    assert_eq!(c.base_score().to_string(), "6.1");
    assert_eq!(c.score().to_string(), "5.6");
    // Explicit X metrics define nothing.
    let c = Cvss::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/E:X/CR:X/MAV:X").unwrap();
    assert_eq!(c.score(), c.base_score());
    let Cvss::V3(v3) = c else { panic!() };
    assert!(!v3.has_temporal() && !v3.has_environmental());
    // v3.1 and v3.0 differ in the modified impact of a changed scope.
    let v31 = Cvss::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/CR:H/IR:H/AR:H").unwrap();
    let v30 = Cvss::parse("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/CR:H/IR:H/AR:H").unwrap();
    assert_eq!(v31.score().to_string(), "10.0");
    assert_eq!(v30.score().to_string(), "10.0");
    let v31 = Cvss::parse("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N/MS:C/MC:L/CR:L").unwrap();
    let v30 = Cvss::parse("CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N/MS:C/MC:L/CR:L").unwrap();
    assert_ne!(v31.score(), Score::default());
    assert_ne!(v30.score(), Score::default());
}

#[test]
fn v4_nomenclature_and_base_score() {
    let c =
        Cvss::parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U").unwrap();
    let Cvss::V4(v4) = c else { panic!() };
    assert_eq!(v4.nomenclature().as_str(), "CVSS-BT");
    assert_eq!(c.base_score().to_string(), "9.3");
    assert!(c.score() < c.base_score());
    assert_eq!(v4.metric("E"), Some("U"));
    assert_eq!(v4.metric("CR"), None);
    assert_eq!(v4.macro_vector(), [0, 0, 0, 2, 2, 0]);
    let c =
        Cvss::parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/CR:L/U:Red")
            .unwrap();
    let Cvss::V4(v4) = c else { panic!() };
    assert_eq!(v4.nomenclature().as_str(), "CVSS-BE");
    // Supplemental metrics never change the score.
    let plain =
        Cvss::parse("CVSS:4.0/AV:L/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:H/SC:L/SI:H/SA:N").unwrap();
    let supp = Cvss::parse("CVSS:4.0/AV:L/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:H/SC:L/SI:H/SA:N/S:P/AU:Y/R:I/V:C/RE:H/U:Amber").unwrap();
    assert_eq!(plain.score(), supp.score());
}

#[test]
fn display_round_trips() {
    for v in [
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N/E:P/RL:W/RC:C/CR:H/MAV:L/MS:U/MA:H",
        "CVSS:3.0/AV:P/AC:H/PR:H/UI:N/S:U/C:N/I:L/A:H",
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:N/SC:H/SI:H/SA:H/E:P/CR:M/MSI:S/S:P/U:Clear",
    ] {
        let c = Cvss::parse(v).unwrap();
        assert_eq!(c.to_string(), v);
        assert_eq!(Cvss::parse(&c.to_string()).unwrap(), c);
    }
    // v3 accepts any order and prints Table 15 order; X values are dropped.
    let c = Cvss::parse("CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N/E:X").unwrap();
    assert_eq!(
        c.to_string(),
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    );
    assert_eq!(c.base_score().to_string(), "9.8");
}

fn err(v: &str) -> (CvssError, String) {
    let e = Cvss::parse(v).expect_err(v);
    let msg = e.to_string();
    (e, msg)
}

#[test]
fn rejects_bad_vectors_naming_metric_and_allowed_values() {
    // Wrong or missing prefix.
    let (e, msg) = err("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert!(matches!(e, CvssError::Prefix { .. }), "{msg}");
    assert!(msg.contains("CVSS:3.1/"), "{msg}");
    let (e, msg) = err("CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P");
    assert!(matches!(e, CvssError::Prefix { .. }), "{msg}");
    let (e, _) = err("CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert!(matches!(e, CvssError::Prefix { .. }));
    let (e, _) = err("CVSS:4.1/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N");
    assert!(matches!(e, CvssError::Prefix { .. }));
    let (e, _) = err("cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert!(matches!(e, CvssError::Prefix { .. }));
    // Empty and oversized.
    assert!(matches!(err("").0, CvssError::Empty));
    assert!(matches!(err("   ").0, CvssError::Empty));
    let long = format!("CVSS:3.1/AV:N{}", "/E:X".repeat(MAX_VECTOR_LEN));
    let (e, msg) = err(&long);
    assert!(matches!(e, CvssError::TooLong { .. }), "{msg}");
    // Missing mandatory metric.
    let (e, msg) = err("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H");
    assert_eq!(
        e,
        CvssError::Missing {
            version: "3.1",
            metric: "A",
            mandatory: "AV, AC, PR, UI, S, C, I, A"
        }
    );
    assert!(msg.contains("mandatory metric A is missing"), "{msg}");
    let (e, msg) = err("CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N");
    assert!(
        matches!(e, CvssError::Missing { metric: "AT", .. }),
        "{msg}"
    );
    // Duplicate.
    let (e, msg) = err("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert!(
        matches!(
            e,
            CvssError::Duplicate {
                metric: "AV",
                offset: 14,
                ..
            }
        ),
        "{msg}"
    );
    let (e, _) = err("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/E:A");
    assert!(matches!(e, CvssError::Duplicate { metric: "E", .. }));
    // Unknown metric.
    let (e, msg) = err("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y");
    assert!(matches!(e, CvssError::UnknownMetric { .. }), "{msg}");
    assert!(msg.contains("\"XX\"") && msg.contains("MAV"), "{msg}");
    let (e, msg) = err("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:U/RL:O");
    assert!(
        matches!(e, CvssError::InvalidValue { metric: "S", .. }),
        "{msg}"
    );
    // A v3 metric in a v4 vector and the reverse.
    let (e, _) = err("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/RL:O");
    assert!(matches!(e, CvssError::UnknownMetric { .. }));
    let (e, _) = err("CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert!(matches!(e, CvssError::UnknownMetric { .. }));
    // Unknown value: names the metric and the allowed values.
    let (e, msg) = err("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert!(
        matches!(e, CvssError::InvalidValue { metric: "AV", .. }),
        "{msg}"
    );
    assert!(msg.contains("N, A, L or P"), "{msg}");
    let (e, msg) = err("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:R/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N");
    assert!(
        matches!(e, CvssError::InvalidValue { metric: "UI", .. }),
        "{msg}"
    );
    assert!(msg.contains("N, P or A"), "{msg}");
    let (e, _) = err("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N");
    assert!(matches!(e, CvssError::InvalidValue { metric: "SI", .. }));
    let (e, _) = err("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:red");
    assert!(matches!(e, CvssError::InvalidValue { metric: "U", .. }));
    let (e, _) = err("CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert!(matches!(e, CvssError::InvalidValue { metric: "AV", .. }));
    // v4 requires Table 23 order; v3 does not.
    let (e, msg) = err("CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N");
    assert!(
        matches!(
            e,
            CvssError::OutOfOrder {
                metric: "AV",
                after: "AC",
                ..
            }
        ),
        "{msg}"
    );
    assert!(msg.contains("must be in the order AV, AC, AT"), "{msg}");
    let (e, _) = err("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/CR:H/E:A");
    assert!(matches!(e, CvssError::OutOfOrder { metric: "E", .. }));
    assert!(Cvss::parse("CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H").is_ok());
    // Malformed fields.
    for bad in [
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",
        "CVSS:3.1//AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H:H",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/:H",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:",
        "CVSS:3.1/",
        "CVSS:4.0/",
    ] {
        let (e, msg) = err(bad);
        assert!(matches!(e, CvssError::Malformed { .. }), "{bad}: {msg}");
        assert!(msg.contains("offset"), "{msg}");
    }
    // Surrounding whitespace is tolerated, inner whitespace is not.
    assert!(Cvss::parse(" CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n").is_ok());
    assert!(Cvss::parse("CVSS:3.1/AV:N /AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").is_err());
    // Non-ASCII input is bounded in messages and never panics.
    let (_, msg) = err(&format!("CVSS:3.1/{}:N", "é".repeat(100)));
    assert!(msg.len() < 400, "{msg}");
}

// ---------------------------------------------------------------------------
// Oracle: the `cvss` Python package.

const ORACLE: &str = r#"
import sys
try:
    from cvss import CVSS3, CVSS4
except ImportError:
    print("NO-CVSS-MODULE")
    sys.exit(3)
out = []
for line in sys.stdin:
    v = line.strip()
    if not v:
        continue
    try:
        if v.startswith("CVSS:4"):
            c = CVSS4(v)
            out.append("%s|%s" % (v, c.base_score))
        else:
            c = CVSS3(v)
            b, t, e = c.scores()
            out.append("%s|%s|%s|%s" % (v, b, t, e))
    except Exception as ex:
        out.append("%s|ERR %s" % (v, type(ex).__name__))
sys.stdout.write("\n".join(out) + "\n")
"#;

/// Scores every vector with the Python `cvss` package; one line per vector:
/// `vector|base|temporal|env` (v3) or `vector|score` (v4), or `vector|ERR`.
fn oracle(vectors: &[String]) -> Vec<String> {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(ORACLE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed for the CVSS oracle (.ci/run installs it)");
    let mut stdin = child.stdin.take().unwrap();
    let input = vectors.join("\n");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "the CVSS oracle failed ({}): {stdout}{}\n\
         install it with: python3 -m pip install cvss (.ci/run does)",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<String> = stdout.lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), vectors.len());
    lines
}

/// Compares ours with the oracle; returns the disagreements.
fn compare(vectors: &[String]) -> Vec<String> {
    let mut bad = Vec::new();
    for line in oracle(vectors) {
        let mut parts = line.split('|');
        let vector = parts.next().unwrap();
        let rest: Vec<&str> = parts.collect();
        let ours = Cvss::parse(vector);
        if rest[0].starts_with("ERR") {
            if let Ok(c) = ours {
                bad.push(format!(
                    "{vector}: oracle rejects ({}), we score {}",
                    rest[0],
                    c.score()
                ));
            }
            continue;
        }
        let c = match ours {
            Ok(c) => c,
            Err(e) => {
                bad.push(format!(
                    "{vector}: oracle scores {}, we reject: {e}",
                    rest.join("/")
                ));
                continue;
            }
        };
        let got = match c {
            Cvss::V3(v) => format!(
                "{}|{}|{}",
                v.base_score(),
                v.temporal_score(),
                v.environmental_score()
            ),
            Cvss::V4(v) => v.score().to_string(),
        };
        let want: Vec<String> = rest.iter().map(|s| normalise(s)).collect();
        if got != want.join("|") {
            bad.push(format!("{vector}: ours {got}, oracle {}", want.join("|")));
        }
    }
    bad
}

/// `9.8`, `10.0`, `0` → one decimal.
fn normalise(s: &str) -> String {
    let x: f64 = s.parse().unwrap();
    format!("{:.1}", (x * 10.0).round() / 10.0)
}

/// Small deterministic generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const V3_METRICS: &[(&str, &[&str], bool)] = &[
    ("AV", &["N", "A", "L", "P"], true),
    ("AC", &["L", "H"], true),
    ("PR", &["N", "L", "H"], true),
    ("UI", &["N", "R"], true),
    ("S", &["U", "C"], true),
    ("C", &["H", "L", "N"], true),
    ("I", &["H", "L", "N"], true),
    ("A", &["H", "L", "N"], true),
    ("E", &["X", "H", "F", "P", "U"], false),
    ("RL", &["X", "U", "W", "T", "O"], false),
    ("RC", &["X", "C", "R", "U"], false),
    ("CR", &["X", "H", "M", "L"], false),
    ("IR", &["X", "H", "M", "L"], false),
    ("AR", &["X", "H", "M", "L"], false),
    ("MAV", &["X", "N", "A", "L", "P"], false),
    ("MAC", &["X", "L", "H"], false),
    ("MPR", &["X", "N", "L", "H"], false),
    ("MUI", &["X", "N", "R"], false),
    ("MS", &["X", "U", "C"], false),
    ("MC", &["X", "H", "L", "N"], false),
    ("MI", &["X", "H", "L", "N"], false),
    ("MA", &["X", "H", "L", "N"], false),
];

const V4_METRICS: &[(&str, &[&str], bool)] = &[
    ("AV", &["N", "A", "L", "P"], true),
    ("AC", &["L", "H"], true),
    ("AT", &["N", "P"], true),
    ("PR", &["N", "L", "H"], true),
    ("UI", &["N", "P", "A"], true),
    ("VC", &["H", "L", "N"], true),
    ("VI", &["H", "L", "N"], true),
    ("VA", &["H", "L", "N"], true),
    ("SC", &["H", "L", "N"], true),
    ("SI", &["H", "L", "N"], true),
    ("SA", &["H", "L", "N"], true),
    ("E", &["X", "A", "P", "U"], false),
    ("CR", &["X", "H", "M", "L"], false),
    ("IR", &["X", "H", "M", "L"], false),
    ("AR", &["X", "H", "M", "L"], false),
    ("MAV", &["X", "N", "A", "L", "P"], false),
    ("MAC", &["X", "L", "H"], false),
    ("MAT", &["X", "N", "P"], false),
    ("MPR", &["X", "N", "L", "H"], false),
    ("MUI", &["X", "N", "P", "A"], false),
    ("MVC", &["X", "H", "L", "N"], false),
    ("MVI", &["X", "H", "L", "N"], false),
    ("MVA", &["X", "H", "L", "N"], false),
    ("MSC", &["X", "H", "L", "N"], false),
    ("MSI", &["X", "S", "H", "L", "N"], false),
    ("MSA", &["X", "S", "H", "L", "N"], false),
    ("S", &["X", "N", "P"], false),
    ("AU", &["X", "N", "Y"], false),
    ("R", &["X", "A", "U", "I"], false),
    ("V", &["X", "D", "C"], false),
    ("RE", &["X", "L", "M", "H"], false),
    ("U", &["X", "Clear", "Green", "Amber", "Red"], false),
];

fn random_vector(
    rng: &mut Rng,
    prefix: &str,
    metrics: &[(&str, &[&str], bool)],
    optional_percent: u64,
) -> String {
    let mut v = String::from(prefix);
    for (name, values, mandatory) in metrics {
        if *mandatory || rng.chance(optional_percent) {
            v.push('/');
            v.push_str(name);
            v.push(':');
            v.push_str(rng.pick(values));
        }
    }
    v
}

#[test]
fn v3_every_base_vector_matches_the_oracle() {
    let mut vectors = Vec::new();
    for prefix in ["CVSS:3.0", "CVSS:3.1"] {
        let mut idx = [0usize; 8];
        'all: loop {
            let mut v = String::from(prefix);
            for (i, (name, values, _)) in V3_METRICS[..8].iter().enumerate() {
                v.push_str(&format!("/{name}:{}", values[idx[i]]));
            }
            vectors.push(v);
            for i in 0..8 {
                idx[i] += 1;
                if idx[i] < V3_METRICS[i].1.len() {
                    continue 'all;
                }
                idx[i] = 0;
            }
            break;
        }
    }
    assert_eq!(vectors.len(), 2 * 2592);
    let bad = compare(&vectors);
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn v3_random_temporal_environmental_vectors_match_the_oracle() {
    let mut rng = Rng(0x5eed_c0ff_ee15_3141);
    let mut vectors = Vec::new();
    for i in 0..20_000 {
        let prefix = if i % 2 == 0 { "CVSS:3.1" } else { "CVSS:3.0" };
        vectors.push(random_vector(&mut rng, prefix, V3_METRICS, 60));
    }
    let bad = compare(&vectors);
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn v4_random_vectors_match_the_oracle() {
    let mut rng = Rng(0x0dd_ba11_cafe_f00d);
    let mut vectors = Vec::new();
    for i in 0..30_000 {
        // A third base only, a third sparse, a third dense.
        let percent = [0, 25, 80][i % 3];
        vectors.push(random_vector(&mut rng, "CVSS:4.0", V4_METRICS, percent));
    }
    let bad = compare(&vectors);
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn v4_base_score_ignores_threat_and_environment() {
    let mut rng = Rng(42);
    for _ in 0..2_000 {
        let v = random_vector(&mut rng, "CVSS:4.0", V4_METRICS, 50);
        let base_only: Vec<&str> = v.split('/').take(12).collect();
        let full = Cvss::parse(&v).unwrap();
        let base = Cvss::parse(&base_only.join("/")).unwrap();
        assert_eq!(full.base_score(), base.score(), "{v}");
    }
}

fn conformance_osv() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/osv");
    assert!(
        dir.is_dir(),
        "OSV conformance data missing at {}: the test needs ../shared/conformance beside the repository",
        dir.display()
    );
    dir
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every `CVSS:3.x`/`CVSS:4.0` vector in the OSV conformance records.
fn osv_vectors() -> BTreeSet<String> {
    let mut files = Vec::new();
    walk(&conformance_osv(), &mut files);
    let mut vectors = BTreeSet::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let mut rest = text.as_str();
        while let Some(at) = rest.find("CVSS:") {
            let tail = &rest[at..];
            let end = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '/' || c == '.'))
                .unwrap_or(tail.len());
            let v = tail[..end].trim_end_matches(['/', '.']);
            if v.starts_with("CVSS:3.") || v.starts_with("CVSS:4.") {
                vectors.insert(v.to_owned());
            }
            rest = &tail[end.max(5)..];
        }
    }
    vectors
}

#[test]
fn osv_conformance_vectors_parse_and_match_the_oracle() {
    let vectors = osv_vectors();
    let v3 = vectors.iter().filter(|v| v.starts_with("CVSS:3")).count();
    let v4 = vectors.len() - v3;
    assert!(v3 > 100 && v4 > 10, "{v3} v3 and {v4} v4 vectors found");
    let rejected: Vec<String> = vectors
        .iter()
        .filter_map(|v| Cvss::parse(v).err().map(|e| format!("{v}: {e}")))
        .collect();
    assert!(rejected.is_empty(), "{}", rejected.join("\n"));
    let list: Vec<String> = vectors.into_iter().collect();
    let bad = compare(&list);
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
