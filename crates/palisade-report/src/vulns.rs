//! The JSON report with per-finding extension fields (vulnerability
//! findings of `palisade image --vulns` and `palisade sbom`) and,
//! optionally, the `packages` array of `palisade image`.

use std::io;

use palisade_model::{Finding, Package};
use serde_json::{Map, Value};

use crate::Report;

/// Renders `report` as the JSON format does, adding to each finding the
/// fields `extra` returns for it (placed after the common fields; a field
/// of the same name as a common one must not be given), and, when
/// `packages` is given, a `packages` array as the last member of the
/// object, as [`crate::render_json_with_packages`] writes it.
///
/// Errors come only from writing to `out`.
pub fn render_json_extended<'a>(
    report: &Report<'a>,
    packages: Option<&[Package]>,
    extra: &dyn Fn(&Finding) -> Option<&'a Map<String, Value>>,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let Some(packages) = packages else {
        return crate::json::render_with(report, extra, out);
    };
    let mut buf = Vec::new();
    crate::json::render_with(report, extra, &mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    let Some(open) = text.trim_end().strip_suffix('}') else {
        return out.write_all(&buf);
    };
    let list = serde_json::to_string_pretty(packages).map_err(io::Error::other)?;
    out.write_all(open.trim_end().as_bytes())?;
    out.write_all(b",\n  \"packages\": ")?;
    out.write_all(list.replace('\n', "\n  ").as_bytes())?;
    out.write_all(b"\n}\n")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use palisade_model::{Location, ResourceRef, Severity, Span};

    use super::*;

    #[test]
    fn extra_fields_follow_the_common_ones() {
        let f = Finding {
            location: Location {
                file: Arc::from("img"),
                span: Span::point(0, 0),
            },
            rule_id: "PAL-VULN",
            severity: Severity::High,
            message: "m".into(),
            resource: ResourceRef {
                kind: "Image".into(),
                name: "img".into(),
                namespace: None,
            },
            container: None,
            pss: None,
            suppressed: None,
        };
        let mut map = Map::new();
        map.insert("vulnerability_id".into(), Value::from("CVE-1"));
        map.insert("fixed_version".into(), Value::Null);
        let findings = [f];
        let report = Report {
            findings: &findings,
            tool_version: "0",
            ..Report::default()
        };
        let mut out = Vec::new();
        render_json_extended(&report, Some(&[]), &|_| Some(&map), &mut out).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["findings"][0]["vulnerability_id"], "CVE-1");
        assert!(v["findings"][0]["fixed_version"].is_null());
        assert_eq!(v["findings"][0]["rule_id"], "PAL-VULN");
        assert!(v["packages"].as_array().unwrap().is_empty());
        let mut plain = Vec::new();
        render_json_extended(&report, None, &|_| None, &mut plain).unwrap();
        let v: Value = serde_json::from_slice(&plain).unwrap();
        assert!(v["findings"][0].get("vulnerability_id").is_none() && v.get("packages").is_none());
    }
}
