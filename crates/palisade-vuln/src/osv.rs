//! The OSV schema (<https://ossf.github.io/osv-schema/>): the model of one
//! advisory and its parser for JSON and YAML.
//!
//! Parsing goes through a generic tree (`serde_json::Value`; YAML is built
//! into the same tree by [`yaml`]) and then a hand-written conversion that
//! knows where it is, so every error names the file and the JSON path of
//! the bad field (`affected[2].ranges[0].events[1]`). Unknown fields are
//! ignored, as the schema asks of readers. Nesting is bounded (serde_json
//! stops at 128 levels; the YAML builder at [`yaml::MAX_DEPTH`]).

mod yaml;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use yaml::yaml_to_value;

/// One OSV advisory, with the fields palisade reads.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Osv {
    /// The advisory id (`PYSEC-2021-335`, `RUSTSEC-2016-0001`, `USN-6588-1`).
    pub id: String,
    /// When the record last changed (RFC 3339), when given.
    pub modified: Option<String>,
    /// When the record was first published (RFC 3339), when given.
    pub published: Option<String>,
    /// When the record was withdrawn (RFC 3339): a withdrawn advisory matches nothing.
    pub withdrawn: Option<String>,
    /// Other ids of the same vulnerability (CVE, GHSA).
    pub aliases: Vec<String>,
    /// Ids of related but different vulnerabilities.
    pub related: Vec<String>,
    /// Ids this record was derived from (`upstream`, schema 1.7).
    pub upstream: Vec<String>,
    /// One-line summary.
    pub summary: Option<String>,
    /// Long description (Markdown).
    pub details: Option<String>,
    /// Severity vectors of the whole record.
    pub severity: Vec<Severity>,
    /// The affected packages.
    pub affected: Vec<Affected>,
    /// Links.
    pub references: Vec<Reference>,
    /// `database_specific` of the record, as written.
    pub database_specific: Option<Value>,
}

/// A severity: its `type` (`CVSS_V3`, `CVSS_V4`, `CVSS_V2`, `Ubuntu`, ...)
/// and `score` (a CVSS vector, or the ecosystem's own word).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Severity {
    /// `CVSS_V3`, `CVSS_V4`, `CVSS_V2`, `Ubuntu`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The vector (`CVSS:3.1/AV:N/...`) or word (`medium`).
    pub score: String,
}

/// A link of the advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// `ADVISORY`, `WEB`, `FIX`, `REPORT`, `PACKAGE`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The address.
    pub url: String,
}

/// The package an `affected` entry names.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Package {
    /// OSV ecosystem with its suffix (`PyPI`, `Debian:12`, `Ubuntu:22.04:LTS`, `AlmaLinux:9`).
    pub ecosystem: String,
    /// The package name as the ecosystem spells it (a source package for Debian/Ubuntu).
    pub name: String,
    /// The package URL, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// One `affected` entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Affected {
    /// The package (absent for GIT-only entries).
    pub package: Option<Package>,
    /// Severities of this package only.
    pub severity: Vec<Severity>,
    /// Version ranges.
    pub ranges: Vec<Range>,
    /// Explicitly listed affected versions.
    pub versions: Vec<String>,
    /// `ecosystem_specific`, as written.
    pub ecosystem_specific: Option<Value>,
    /// `database_specific`, as written.
    pub database_specific: Option<Value>,
}

/// A range type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeKind {
    /// Versions compared by the ecosystem's own scheme.
    #[serde(rename = "ECOSYSTEM")]
    Ecosystem,
    /// SemVer 2.0 versions.
    #[serde(rename = "SEMVER")]
    Semver,
    /// Git commits (not matched against package versions).
    #[serde(rename = "GIT")]
    Git,
    /// Any other type, kept by name.
    #[serde(untagged)]
    Other(String),
}

impl RangeKind {
    /// The type as OSV writes it (`ECOSYSTEM`, `SEMVER`, `GIT`, or the other name).
    pub fn as_str(&self) -> &str {
        match self {
            RangeKind::Ecosystem => "ECOSYSTEM",
            RangeKind::Semver => "SEMVER",
            RangeKind::Git => "GIT",
            RangeKind::Other(o) => o,
        }
    }

    /// Reads a type name.
    pub fn parse(s: &str) -> Self {
        match s {
            "ECOSYSTEM" => RangeKind::Ecosystem,
            "SEMVER" => RangeKind::Semver,
            "GIT" => RangeKind::Git,
            o => RangeKind::Other(o.to_string()),
        }
    }
}

/// One event of a range, in the order written (not necessarily sorted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Versions from here on are affected (`"0"` means from the beginning).
    Introduced(String),
    /// Versions from here on are not affected.
    Fixed(String),
    /// This version and earlier ones (since `introduced`) are affected.
    LastAffected(String),
    /// Versions from here on are outside the range (upper bound, not a fix).
    Limit(String),
}

impl Event {
    /// The version the event names.
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }

    /// Which kind of event it is.
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Introduced(_) => EventKind::Introduced,
            Event::Fixed(_) => EventKind::Fixed,
            Event::LastAffected(_) => EventKind::LastAffected,
            Event::Limit(_) => EventKind::Limit,
        }
    }

    /// An event of this kind naming `version`.
    pub fn new(kind: EventKind, version: String) -> Event {
        match kind {
            EventKind::Introduced => Event::Introduced(version),
            EventKind::Fixed => Event::Fixed(version),
            EventKind::LastAffected => Event::LastAffected(version),
            EventKind::Limit => Event::Limit(version),
        }
    }
}

/// The kind of an [`Event`], without its version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// `introduced`.
    Introduced,
    /// `fixed`.
    Fixed,
    /// `last_affected`.
    LastAffected,
    /// `limit`.
    Limit,
}

impl EventKind {
    /// The letter the store writes for it (`i`, `f`, `a`, `l`).
    pub(crate) fn tag(self) -> char {
        match self {
            EventKind::Introduced => 'i',
            EventKind::Fixed => 'f',
            EventKind::LastAffected => 'a',
            EventKind::Limit => 'l',
        }
    }

    /// The kind of a store letter.
    pub(crate) fn from_tag(tag: &str) -> Option<EventKind> {
        Some(match tag {
            "i" => EventKind::Introduced,
            "f" => EventKind::Fixed,
            "a" => EventKind::LastAffected,
            "l" => EventKind::Limit,
            _ => return None,
        })
    }
}

/// One range of an `affected` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// `ECOSYSTEM`, `SEMVER`, `GIT` or another type.
    #[serde(rename = "type")]
    pub kind: RangeKind,
    /// The repository of a GIT range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The events, as written.
    pub events: Vec<Event>,
    /// `database_specific` of the range, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
}

/// A record that does not follow the schema, or text that is not JSON/YAML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{message}", place.as_deref().map(|p| format!("at {p}: ")).unwrap_or_default())]
pub struct OsvError {
    /// The file (or archive entry, `all.zip!PYSEC-1.json`).
    pub file: String,
    /// Where: a JSON path (`affected[0].package.name`) or `line L column C`.
    pub place: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl Osv {
    /// Parses one OSV record written as JSON.
    pub fn from_json(file: &str, bytes: &[u8]) -> Result<Osv, OsvError> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| OsvError {
            file: file.to_string(),
            place: Some(format!("line {} column {}", e.line(), e.column())),
            message: format!("not valid JSON: {e}"),
        })?;
        Osv::from_value(file, &value)
    }

    /// Parses one OSV record written as YAML (the PyPA advisory database).
    pub fn from_yaml(file: &str, text: &str) -> Result<Osv, OsvError> {
        let value = yaml_to_value(file, text)?;
        Osv::from_value(file, &value)
    }

    /// Parses JSON or YAML: text starting with `{` is JSON, anything else YAML.
    pub fn from_bytes(file: &str, bytes: &[u8]) -> Result<Osv, OsvError> {
        let start = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if start == Some(&b'{') {
            return Osv::from_json(file, bytes);
        }
        let text = std::str::from_utf8(bytes).map_err(|e| OsvError {
            file: file.to_string(),
            place: Some(format!("byte {}", e.valid_up_to())),
            message: "not UTF-8 text (expected an OSV record in JSON or YAML)".into(),
        })?;
        Osv::from_yaml(file, text)
    }

    /// Converts a parsed tree into a record.
    pub fn from_value(file: &str, value: &Value) -> Result<Osv, OsvError> {
        let cx = Cx { file };
        let root = cx.object(value, "")?;
        let id = cx.req_string(root, "", "id")?;
        if id.is_empty() {
            return Err(cx.err(
                "id",
                "the id is empty (expected an advisory id such as PYSEC-2021-1)",
            ));
        }
        let affected = match root.get("affected") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => cx
                .array(v, "affected")?
                .iter()
                .enumerate()
                .map(|(i, a)| cx.affected(a, &format!("affected[{i}]")))
                .collect::<Result<_, _>>()?,
        };
        Ok(Osv {
            modified: cx.opt_string(root, "", "modified")?,
            published: cx.opt_string(root, "", "published")?,
            withdrawn: cx.opt_string(root, "", "withdrawn")?,
            aliases: cx.strings(root, "", "aliases")?,
            related: cx.strings(root, "", "related")?,
            upstream: cx.strings(root, "", "upstream")?,
            summary: cx.opt_string(root, "", "summary")?,
            details: cx.opt_string(root, "", "details")?,
            severity: cx.severities(root, "")?,
            affected,
            references: cx.references(root)?,
            database_specific: non_null(root.get("database_specific")),
            id,
        })
    }
}

fn non_null(v: Option<&Value>) -> Option<Value> {
    v.filter(|v| !v.is_null()).cloned()
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

struct Cx<'a> {
    file: &'a str,
}

impl Cx<'_> {
    fn err(&self, path: &str, message: impl Into<String>) -> OsvError {
        OsvError {
            file: self.file.to_string(),
            place: if path.is_empty() {
                None
            } else {
                Some(path.to_string())
            },
            message: message.into(),
        }
    }

    fn object<'v>(&self, v: &'v Value, path: &str) -> Result<&'v Map<String, Value>, OsvError> {
        v.as_object().ok_or_else(|| {
            let what = if path.is_empty() {
                "an OSV record (an object with `id`)"
            } else {
                "an object"
            };
            self.err(path, format!("expected {what}, found {}", type_name(v)))
        })
    }

    fn array<'v>(&self, v: &'v Value, path: &str) -> Result<&'v Vec<Value>, OsvError> {
        v.as_array()
            .ok_or_else(|| self.err(path, format!("expected an array, found {}", type_name(v))))
    }

    fn string(&self, v: &Value, path: &str) -> Result<String, OsvError> {
        match v {
            Value::String(s) => Ok(s.clone()),
            other => Err(self.err(
                path,
                format!("expected a string, found {}", type_name(other)),
            )),
        }
    }

    fn req_string(
        &self,
        o: &Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Result<String, OsvError> {
        let p = join(path, key);
        match o.get(key) {
            None | Some(Value::Null) => {
                Err(self.err(&p, format!("the required field `{key}` is missing")))
            }
            Some(v) => self.string(v, &p),
        }
    }

    fn opt_string(
        &self,
        o: &Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Result<Option<String>, OsvError> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => self.string(v, &join(path, key)).map(Some),
        }
    }

    fn strings(
        &self,
        o: &Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Result<Vec<String>, OsvError> {
        let p = join(path, key);
        match o.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(v) => self
                .array(v, &p)?
                .iter()
                .enumerate()
                .map(|(i, s)| self.string(s, &format!("{p}[{i}]")))
                .collect(),
        }
    }

    fn severities(&self, o: &Map<String, Value>, path: &str) -> Result<Vec<Severity>, OsvError> {
        let p = join(path, "severity");
        let Some(v) = o.get("severity").filter(|v| !v.is_null()) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (i, s) in self.array(v, &p)?.iter().enumerate() {
            let sp = format!("{p}[{i}]");
            let so = self.object(s, &sp)?;
            out.push(Severity {
                kind: self.req_string(so, &sp, "type")?,
                score: self.req_string(so, &sp, "score")?,
            });
        }
        Ok(out)
    }

    fn references(&self, o: &Map<String, Value>) -> Result<Vec<Reference>, OsvError> {
        let Some(v) = o.get("references").filter(|v| !v.is_null()) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (i, r) in self.array(v, "references")?.iter().enumerate() {
            let rp = format!("references[{i}]");
            let ro = self.object(r, &rp)?;
            out.push(Reference {
                kind: self.opt_string(ro, &rp, "type")?.unwrap_or_default(),
                url: self.req_string(ro, &rp, "url")?,
            });
        }
        Ok(out)
    }

    fn affected(&self, v: &Value, path: &str) -> Result<Affected, OsvError> {
        let o = self.object(v, path)?;
        let package = match o.get("package") {
            None | Some(Value::Null) => None,
            Some(p) => {
                let pp = join(path, "package");
                let po = self.object(p, &pp)?;
                Some(Package {
                    ecosystem: self.req_string(po, &pp, "ecosystem")?,
                    name: self.req_string(po, &pp, "name")?,
                    purl: self.opt_string(po, &pp, "purl")?,
                })
            }
        };
        let mut ranges = Vec::new();
        if let Some(rv) = o.get("ranges").filter(|v| !v.is_null()) {
            let rp = join(path, "ranges");
            for (i, r) in self.array(rv, &rp)?.iter().enumerate() {
                ranges.push(self.range(r, &format!("{rp}[{i}]"))?);
            }
        }
        Ok(Affected {
            package,
            severity: self.severities(o, path)?,
            ranges,
            versions: self.strings(o, path, "versions")?,
            ecosystem_specific: non_null(o.get("ecosystem_specific")),
            database_specific: non_null(o.get("database_specific")),
        })
    }

    fn range(&self, v: &Value, path: &str) -> Result<Range, OsvError> {
        let o = self.object(v, path)?;
        let kind = RangeKind::parse(&self.req_string(o, path, "type")?);
        let ep = join(path, "events");
        let Some(ev) = o.get("events").filter(|v| !v.is_null()) else {
            return Err(self.err(&ep, "the required field `events` is missing"));
        };
        let mut events = Vec::new();
        for (i, e) in self.array(ev, &ep)?.iter().enumerate() {
            let p = format!("{ep}[{i}]");
            let eo = self.object(e, &p)?;
            let mut found = None;
            for (key, make) in [
                ("introduced", Event::Introduced as fn(String) -> Event),
                ("fixed", Event::Fixed),
                ("last_affected", Event::LastAffected),
                ("limit", Event::Limit),
            ] {
                if let Some(val) = eo.get(key) {
                    if found.is_some() {
                        return Err(self.err(
                            &p,
                            "an event has more than one of introduced, fixed, last_affected, limit",
                        ));
                    }
                    found = Some(make(self.string(val, &join(&p, key))?));
                }
            }
            match found {
                Some(e) => events.push(e),
                None => return Err(self.err(
                    &p,
                    "expected an event with one of `introduced`, `fixed`, `last_affected`, `limit`",
                )),
            }
        }
        Ok(Range {
            kind,
            repo: self.opt_string(o, path, "repo")?,
            events,
            database_specific: non_null(o.get("database_specific")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_and_errors() {
        let r = Osv::from_json(
            "a.json",
            br#"{"id":"X-1","unknown":1,"affected":[{"package":{"ecosystem":"PyPI","name":"a"},
            "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0"}]}]}]}"#,
        )
        .unwrap();
        assert_eq!(r.id, "X-1");
        assert_eq!(
            r.affected[0].ranges[0].events[1],
            Event::Fixed("1.0".into())
        );
        let e = Osv::from_json(
            "b.json",
            br#"{"id":"X-1","affected":[{"ranges":[{"type":"SEMVER","events":[{"fixed":1}]}]}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "b.json: at affected[0].ranges[0].events[0].fixed: expected a string, found a number"
        );
        let e = Osv::from_json("c.json", b"[1]").unwrap_err();
        assert!(e.to_string().contains("expected an OSV record"), "{e}");
    }

    #[test]
    fn range_serialises_compactly() {
        let r = Range {
            kind: RangeKind::Ecosystem,
            repo: None,
            events: vec![
                Event::Introduced("0".into()),
                Event::LastAffected("2".into()),
            ],
            database_specific: None,
        };
        let s = serde_json::to_string(&r).unwrap();
        assert_eq!(
            s,
            r#"{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"last_affected":"2"}]}"#
        );
        assert_eq!(serde_json::from_str::<Range>(&s).unwrap(), r);
        let o: Range = serde_json::from_str(r#"{"type":"X","events":[]}"#).unwrap();
        assert_eq!(o.kind, RangeKind::Other("X".into()));
    }
}
