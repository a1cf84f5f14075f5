//! The JSON report of `palisade image`: the findings report with a
//! `packages` array beside `findings` and `errors`.

use std::io;

use palisade_model::Package;

use crate::Report;

/// Renders `report` as the JSON format does and adds a `packages` array
/// (each [`Package`] with its name, version, ecosystem, purl, source
/// package, layer digest and path) as the last member of the object.
///
/// Errors come only from writing to `out`.
pub fn render_json_with_packages(
    report: &Report,
    packages: &[Package],
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let mut buf = Vec::new();
    crate::json::render(report, &mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    let body = text.trim_end();
    let Some(open) = body.strip_suffix('}') else {
        // Not an object: leave the report as it is.
        return out.write_all(&buf);
    };
    let list = serde_json::to_string_pretty(packages).map_err(io::Error::other)?;
    let list = list.replace('\n', "\n  ");
    out.write_all(open.trim_end().as_bytes())?;
    out.write_all(b",\n  \"packages\": ")?;
    out.write_all(list.as_bytes())?;
    out.write_all(b"\n}\n")
}

#[cfg(test)]
mod tests {
    use palisade_model::{purl, Ecosystem};

    use super::*;
    use crate::Summary;

    #[test]
    fn packages_sit_beside_findings_and_errors() {
        let pkg = Package {
            name: "zlib1g".into(),
            version: "1:1.2.13.dfsg-1".into(),
            ecosystem: Ecosystem::Deb,
            purl: purl("deb", Some("debian"), "zlib1g", "1:1.2.13.dfsg-1", &[]),
            source_name: Some("zlib".into()),
            source_version: None,
            arch: Some("amd64".into()),
            licenses: vec![],
            layer: "sha256:00".into(),
            path: "var/lib/dpkg/status".into(),
        };
        let report = Report {
            findings: &[],
            errors: &[],
            rules: &[],
            summary: Summary::default(),
            show_suppressed: false,
            tool_version: "0.0.0",
            base_dir: None,
            scanned_files: &[],
        };
        let mut out = Vec::new();
        render_json_with_packages(&report, std::slice::from_ref(&pkg), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert!(v["findings"].is_array() && v["errors"].is_array());
        assert_eq!(v["packages"][0]["name"], "zlib1g");
        assert_eq!(v["packages"][0]["source_name"], "zlib");
        assert_eq!(v["packages"][0]["layer"], "sha256:00");
    }
}
