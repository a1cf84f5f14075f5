//! VEX (Vulnerability Exploitability eXchange): statements that a product
//! is, or is not, affected by a vulnerability, so that findings a vendor
//! has assessed can be suppressed with the reason shown.
//!
//! Two formats are read, both JSON:
//! - OpenVEX (<https://github.com/openvex/spec>, v0.2.0, and the older
//!   v0.0.x shapes where `vulnerability` and products are plain strings);
//! - CycloneDX VEX: the `vulnerabilities` of a CycloneDX 1.4 to 1.7
//!   document (standalone VEX or an SBOM carrying them), whose
//!   `affects[].ref` name components by `bom-ref` (or BOM-Link
//!   `urn:cdx:...#bom-ref`) or by purl.
//!
//! [`parse_vex`] turns either into a [`VexDocument`] of [`Statement`]s;
//! [`VexDocument::status_for`] answers "what does this document say about
//! this vulnerability in this product?", the latest statement winning.
//!
//! ```
//! use palisade_vuln::vex::{parse_vex, VexStatus};
//!
//! let doc = parse_vex(br#"{
//!   "@context": "https://openvex.dev/ns/v0.2.0",
//!   "@id": "https://example.com/vex/1", "author": "Example",
//!   "timestamp": "2024-01-01T00:00:00Z", "version": 1,
//!   "statements": [{
//!     "vulnerability": {"name": "CVE-2023-1234", "aliases": ["GHSA-aaaa-bbbb-cccc"]},
//!     "products": [{"@id": "pkg:pypi/six@1.16.0"}],
//!     "status": "not_affected",
//!     "justification": "vulnerable_code_not_in_execute_path"
//!   }]}"#, "app.openvex.json").unwrap();
//! let s = doc.status_for("GHSA-aaaa-bbbb-cccc", "pkg:pypi/six@1.16.0").unwrap();
//! assert_eq!(s.status, VexStatus::NotAffected);
//! assert!(doc.status_for("CVE-2023-1234", "pkg:pypi/six@1.17.0").is_none());
//! ```

use std::collections::HashMap;
use std::fmt;

use palisade_sbom::purl::Purl;
use serde_json::Value;

/// Largest VEX document read, in bytes.
pub const MAX_VEX_BYTES: usize = 64 * 1024 * 1024;
/// Most statements (OpenVEX) or vulnerabilities (CycloneDX) read.
pub const MAX_STATEMENTS: usize = 1_000_000;
/// Most products, subcomponents, aliases or affects in one statement.
pub const MAX_PER_STATEMENT: usize = 100_000;

/// What a statement says about the vulnerability in its products.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VexStatus {
    /// Not affected (OpenVEX `not_affected`; CycloneDX `not_affected`,
    /// `false_positive`).
    NotAffected,
    /// Affected (OpenVEX `affected`; CycloneDX `exploitable`).
    Affected,
    /// Fixed (OpenVEX `fixed`; CycloneDX `resolved`,
    /// `resolved_with_pedigree`).
    Fixed,
    /// Still being assessed (OpenVEX `under_investigation`; CycloneDX
    /// `in_triage`).
    UnderInvestigation,
}

impl VexStatus {
    /// OpenVEX's spelling (`not_affected`).
    pub fn as_str(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Affected => "affected",
            VexStatus::Fixed => "fixed",
            VexStatus::UnderInvestigation => "under_investigation",
        }
    }

    /// Whether a finding with this status is suppressed (`not_affected`
    /// and `fixed`).
    pub fn suppresses(self) -> bool {
        matches!(self, VexStatus::NotAffected | VexStatus::Fixed)
    }
}

impl fmt::Display for VexStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The format a VEX document was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VexFormat {
    /// OpenVEX JSON.
    OpenVex,
    /// CycloneDX JSON `vulnerabilities`.
    CycloneDx,
}

/// One statement: a vulnerability, the products it is about, and what is
/// said about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The vulnerability's identifier (`CVE-2023-1234`, `GHSA-...`).
    pub vulnerability: String,
    /// Other identifiers of the same vulnerability (OpenVEX `aliases`,
    /// CycloneDX `references[].id`).
    pub aliases: Vec<String>,
    /// The products: purls, image digests (`sha256:...`), image
    /// references or other identifiers, as written (CycloneDX `bom-ref`s
    /// resolved to the component's purl where it has one).
    pub products: Vec<String>,
    /// OpenVEX subcomponents: the packages inside the products the
    /// statement is about. Empty when it is about the products as a whole.
    pub subcomponents: Vec<String>,
    /// The status.
    pub status: VexStatus,
    /// Why not affected (OpenVEX `justification`; CycloneDX
    /// `analysis.justification`).
    pub justification: Option<String>,
    /// OpenVEX `impact_statement`, or CycloneDX `analysis.detail`.
    pub impact_statement: Option<String>,
    /// OpenVEX `action_statement`, or CycloneDX `analysis.response`
    /// joined with `, `.
    pub action_statement: Option<String>,
    /// OpenVEX `status_notes`.
    pub status_notes: Option<String>,
    /// When the statement was made (its own timestamp, else the
    /// document's; CycloneDX `analysis.lastUpdated`, `firstIssued`,
    /// `updated`, `published`), as written.
    pub timestamp: Option<String>,
    /// Position in the document, from 0.
    pub index: usize,
    /// `timestamp` as seconds since the Unix epoch, for ordering.
    order_key: Option<i64>,
}

/// A VEX document, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexDocument {
    /// The format.
    pub format: VexFormat,
    /// OpenVEX `@id`, or CycloneDX `serialNumber`.
    pub id: Option<String>,
    /// OpenVEX `author`.
    pub author: Option<String>,
    /// The document's timestamp.
    pub timestamp: Option<String>,
    /// The statements in document order.
    pub statements: Vec<Statement>,
    /// Lower-case vulnerability id or alias -> its group in `groups`.
    by_vuln: HashMap<String, usize>,
    /// Statement indices of each group of identifiers that name one
    /// vulnerability.
    groups: Vec<Vec<usize>>,
}

/// Why a VEX document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VexError {
    /// Malformed JSON.
    #[error("{file}: line {line}, column {column}: {message}")]
    Json {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What went wrong.
        message: String,
    },
    /// Well-formed JSON that is not a VEX document palisade reads, or
    /// breaks its rules.
    #[error("{file}: {place}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// Where (`statements[2].status`).
        place: String,
        /// What is wrong and what was expected.
        message: String,
    },
}

struct Ctx<'a> {
    file: &'a str,
}

impl Ctx<'_> {
    fn err(&self, place: impl Into<String>, message: impl Into<String>) -> VexError {
        VexError::Invalid {
            file: self.file.to_string(),
            place: place.into(),
            message: message.into(),
        }
    }

    /// An optional string field; present but not a string is an error.
    fn opt_str(&self, v: &Value, key: &str, place: &str) -> Result<Option<String>, VexError> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone()).filter(|s| !s.is_empty())),
            Some(other) => Err(self.err(
                format!("{place}.{key}"),
                format!("expected a string, found {}", kind(other)),
            )),
        }
    }

    /// An optional array field; present but not an array is an error.
    fn opt_array<'v>(&self, v: &'v Value, key: &str, place: &str) -> Result<&'v [Value], VexError> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(a)) => {
                if a.len() > MAX_PER_STATEMENT {
                    return Err(self.err(
                        format!("{place}.{key}"),
                        format!("more than {MAX_PER_STATEMENT} entries"),
                    ));
                }
                Ok(a)
            }
            Some(other) => Err(self.err(
                format!("{place}.{key}"),
                format!("expected an array, found {}", kind(other)),
            )),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads an OpenVEX or CycloneDX VEX document (JSON). `file` names it in
/// errors.
pub fn parse_vex(bytes: &[u8], file: &str) -> Result<VexDocument, VexError> {
    let cx = Ctx { file };
    if bytes.len() > MAX_VEX_BYTES {
        return Err(cx.err(
            "document",
            format!(
                "{} bytes is more than the {MAX_VEX_BYTES}-byte limit for a VEX document",
                bytes.len()
            ),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let root: Value = serde_json::from_slice(bytes).map_err(|e| {
        let mut message = e.to_string();
        if let Some(i) = message.rfind(" at line ") {
            message.truncate(i);
        }
        VexError::Json {
            file: file.to_string(),
            line: e.line(),
            column: e.column(),
            message,
        }
    })?;
    let Value::Object(_) = root else {
        return Err(cx.err(
            "document",
            format!("expected a JSON object, found {}", kind(&root)),
        ));
    };
    let context = root.get("@context").and_then(Value::as_str).unwrap_or("");
    let mut doc = if context.contains("openvex") {
        openvex(&cx, &root)?
    } else if root.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        cyclonedx(&cx, &root)?
    } else {
        return Err(cx.err(
            "document",
            "neither OpenVEX (`@context` naming openvex.dev) nor CycloneDX (`bomFormat: CycloneDX`)",
        ));
    };
    index_ids(&mut doc);
    Ok(doc)
}

/// Fills `by_vuln`: every identifier a statement names (its id and
/// aliases) is one vulnerability, across statements, so a statement about
/// `CVE-X` is found by `GHSA-Y` when any statement says the two are
/// aliases.
fn index_ids(doc: &mut VexDocument) {
    // Union-find over lower-case identifiers.
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut first_of: Vec<usize> = Vec::with_capacity(doc.statements.len());
    for s in &doc.statements {
        let mut first = None;
        for id in std::iter::once(&s.vulnerability).chain(&s.aliases) {
            let n = ids.len();
            let k = *ids.entry(id.to_ascii_lowercase()).or_insert_with(|| {
                parent.push(n);
                n
            });
            match first {
                None => first = Some(k),
                Some(f) => {
                    let (a, b) = (find(&mut parent, f), find(&mut parent, k));
                    if a != b {
                        parent[b] = a;
                    }
                }
            }
        }
        first_of.push(first.unwrap_or(0));
    }
    // Root -> group number.
    let mut group_of: HashMap<usize, usize> = HashMap::new();
    for (i, f) in first_of.into_iter().enumerate() {
        let root = find(&mut parent, f);
        let n = group_of.len();
        let g = *group_of.entry(root).or_insert(n);
        if g == doc.groups.len() {
            doc.groups.push(Vec::new());
        }
        if let Some(list) = doc.groups.get_mut(g) {
            list.push(i);
        }
    }
    for (id, k) in ids {
        if let Some(&g) = group_of.get(&find(&mut parent, k)) {
            doc.by_vuln.insert(id, g);
        }
    }
}

/// A product entry: `"pkg:..."` (v0.0.x) or `{"@id", "identifiers":
/// {"purl", ...}, "hashes": {...}, "subcomponents": [...]}`. Returns the
/// identifiers naming it.
fn product_ids(cx: &Ctx<'_>, v: &Value, place: &str) -> Result<Vec<String>, VexError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Object(_) => {
            let mut ids = Vec::new();
            if let Some(id) = cx.opt_str(v, "@id", place)? {
                ids.push(id);
            }
            if let Some(idents) = v.get("identifiers").and_then(Value::as_object) {
                for (k, val) in idents {
                    if let Some(s) = val.as_str().filter(|s| !s.is_empty()) {
                        if matches!(k.as_str(), "purl" | "cpe22" | "cpe23") {
                            ids.push(s.to_string());
                        }
                    }
                }
            }
            if let Some(hashes) = v.get("hashes").and_then(Value::as_object) {
                for (alg, val) in hashes {
                    if let Some(h) = val.as_str().filter(|s| !s.is_empty()) {
                        let alg = alg.replace('-', "").to_ascii_lowercase();
                        ids.push(format!("{alg}:{h}"));
                    }
                }
            }
            Ok(ids)
        }
        other => Err(cx.err(
            place,
            format!(
                "expected a product (a string or an object), found {}",
                kind(other)
            ),
        )),
    }
}

fn openvex(cx: &Ctx<'_>, root: &Value) -> Result<VexDocument, VexError> {
    let doc_ts = cx.opt_str(root, "timestamp", "document")?;
    let statements = match root.get("statements") {
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(cx.err(
                "statements",
                format!("expected an array, found {}", kind(other)),
            ))
        }
        None => return Err(cx.err("statements", "missing: an OpenVEX document has statements")),
    };
    if statements.len() > MAX_STATEMENTS {
        return Err(cx.err(
            "statements",
            format!("more than {MAX_STATEMENTS} statements"),
        ));
    }
    let mut out = Vec::with_capacity(statements.len());
    for (i, st) in statements.iter().enumerate() {
        let place = format!("statements[{i}]");
        if !st.is_object() {
            return Err(cx.err(&place, format!("expected an object, found {}", kind(st))));
        }
        let (vulnerability, aliases) = match st.get("vulnerability") {
            Some(Value::String(s)) => (s.clone(), Vec::new()),
            Some(v @ Value::Object(_)) => {
                let vp = format!("{place}.vulnerability");
                let name = cx.opt_str(v, "name", &vp)?;
                let id = cx.opt_str(v, "@id", &vp)?;
                let mut aliases = Vec::new();
                for (j, a) in cx.opt_array(v, "aliases", &vp)?.iter().enumerate() {
                    match a.as_str() {
                        Some(s) if !s.is_empty() => aliases.push(s.to_string()),
                        _ => {
                            return Err(cx.err(
                                format!("{vp}.aliases[{j}]"),
                                format!("expected a string, found {}", kind(a)),
                            ))
                        }
                    }
                }
                let Some(name) = name.or(id) else {
                    return Err(cx.err(&vp, "has neither `name` nor `@id`"));
                };
                (name, aliases)
            }
            Some(other) => {
                return Err(cx.err(
                    format!("{place}.vulnerability"),
                    format!("expected an object or a string, found {}", kind(other)),
                ))
            }
            None => {
                return Err(cx.err(
                    format!("{place}.vulnerability"),
                    "missing: every statement names a vulnerability",
                ))
            }
        };
        let status_text = cx.opt_str(st, "status", &place)?.unwrap_or_default();
        let status = match status_text.as_str() {
            "not_affected" => VexStatus::NotAffected,
            "affected" => VexStatus::Affected,
            "fixed" => VexStatus::Fixed,
            "under_investigation" => VexStatus::UnderInvestigation,
            other => {
                return Err(cx.err(
                    format!("{place}.status"),
                    format!(
                        "`{}` is not not_affected, affected, fixed or under_investigation",
                        other.chars().take(40).collect::<String>()
                    ),
                ))
            }
        };
        let mut products = Vec::new();
        let mut subcomponents = Vec::new();
        for (j, p) in cx.opt_array(st, "products", &place)?.iter().enumerate() {
            let pp = format!("{place}.products[{j}]");
            products.extend(product_ids(cx, p, &pp)?);
            if p.is_object() {
                for (k, sc) in cx.opt_array(p, "subcomponents", &pp)?.iter().enumerate() {
                    subcomponents.extend(product_ids(cx, sc, &format!("{pp}.subcomponents[{k}]"))?);
                }
            }
        }
        // v0.0.x kept subcomponents beside the products.
        for (k, sc) in cx
            .opt_array(st, "subcomponents", &place)?
            .iter()
            .enumerate()
        {
            subcomponents.extend(product_ids(cx, sc, &format!("{place}.subcomponents[{k}]"))?);
        }
        if products.len() + subcomponents.len() > MAX_PER_STATEMENT {
            return Err(cx.err(&place, format!("more than {MAX_PER_STATEMENT} products")));
        }
        let timestamp = cx
            .opt_str(st, "timestamp", &place)?
            .or_else(|| doc_ts.clone());
        out.push(Statement {
            vulnerability,
            aliases,
            products,
            subcomponents,
            status,
            justification: cx.opt_str(st, "justification", &place)?,
            impact_statement: cx.opt_str(st, "impact_statement", &place)?,
            action_statement: cx.opt_str(st, "action_statement", &place)?,
            status_notes: cx.opt_str(st, "status_notes", &place)?,
            order_key: timestamp.as_deref().and_then(rfc3339_seconds),
            timestamp,
            index: i,
        });
    }
    Ok(VexDocument {
        format: VexFormat::OpenVex,
        id: cx.opt_str(root, "@id", "document")?,
        author: cx.opt_str(root, "author", "document")?,
        timestamp: doc_ts,
        statements: out,
        by_vuln: HashMap::new(),
        groups: Vec::new(),
    })
}

/// Collects `bom-ref` -> purl for every component, nested ones too
/// (iteratively; depth is bounded by the JSON parser's own limit).
fn bom_refs(root: &Value) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let mut stack: Vec<&Value> = Vec::new();
    if let Some(c) = root.get("metadata").and_then(|m| m.get("component")) {
        stack.push(c);
    }
    if let Some(a) = root.get("components").and_then(Value::as_array) {
        stack.extend(a.iter());
    }
    while let Some(c) = stack.pop() {
        if let (Some(r), Some(p)) = (
            c.get("bom-ref").and_then(Value::as_str),
            c.get("purl").and_then(Value::as_str),
        ) {
            map.insert(r.to_string(), p.to_string());
        }
        if let Some(a) = c.get("components").and_then(Value::as_array) {
            stack.extend(a.iter());
        }
    }
    map
}

fn cyclonedx(cx: &Ctx<'_>, root: &Value) -> Result<VexDocument, VexError> {
    let refs = bom_refs(root);
    let vulns = cx.opt_array(root, "vulnerabilities", "document")?;
    if vulns.len() > MAX_STATEMENTS {
        return Err(cx.err(
            "vulnerabilities",
            format!("more than {MAX_STATEMENTS} vulnerabilities"),
        ));
    }
    let doc_ts = root
        .get("metadata")
        .and_then(|m| m.get("timestamp"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut out = Vec::new();
    for (i, v) in vulns.iter().enumerate() {
        let place = format!("vulnerabilities[{i}]");
        if !v.is_object() {
            return Err(cx.err(&place, format!("expected an object, found {}", kind(v))));
        }
        let Some(id) = cx.opt_str(v, "id", &place)? else {
            return Err(cx.err(
                format!("{place}.id"),
                "missing: every vulnerability has an id",
            ));
        };
        // Without an analysis the entry reports a vulnerability, it does
        // not state anything about it.
        let Some(analysis) = v.get("analysis").filter(|a| !a.is_null()) else {
            continue;
        };
        let ap = format!("{place}.analysis");
        if !analysis.is_object() {
            return Err(cx.err(&ap, format!("expected an object, found {}", kind(analysis))));
        }
        let Some(state) = cx.opt_str(analysis, "state", &ap)? else {
            continue;
        };
        let status = match state.as_str() {
            "not_affected" | "false_positive" => VexStatus::NotAffected,
            "resolved" | "resolved_with_pedigree" => VexStatus::Fixed,
            "exploitable" => VexStatus::Affected,
            "in_triage" => VexStatus::UnderInvestigation,
            other => {
                return Err(cx.err(
                    format!("{ap}.state"),
                    format!(
                        "`{}` is not resolved, resolved_with_pedigree, exploitable, in_triage, false_positive or not_affected",
                        other.chars().take(40).collect::<String>()
                    ),
                ))
            }
        };
        let mut aliases = Vec::new();
        for (j, r) in cx.opt_array(v, "references", &place)?.iter().enumerate() {
            if let Some(a) = cx.opt_str(r, "id", &format!("{place}.references[{j}]"))? {
                if a != id && !aliases.contains(&a) {
                    aliases.push(a);
                }
            }
        }
        let mut products = Vec::new();
        for (j, a) in cx.opt_array(v, "affects", &place)?.iter().enumerate() {
            let Some(r) = cx.opt_str(a, "ref", &format!("{place}.affects[{j}]"))? else {
                return Err(cx.err(
                    format!("{place}.affects[{j}].ref"),
                    "missing: each affects entry names a component",
                ));
            };
            // BOM-Link: urn:cdx:SERIAL/VERSION#BOM-REF.
            let local = match r.strip_prefix("urn:cdx:") {
                Some(rest) => rest.split_once('#').map(|(_, b)| b.to_string()),
                None => None,
            };
            let key = local.as_deref().unwrap_or(&r);
            match refs.get(key) {
                Some(p) => products.push(p.clone()),
                None => products.push(key.to_string()),
            }
        }
        let mut responses = Vec::new();
        for (j, r) in cx.opt_array(analysis, "response", &ap)?.iter().enumerate() {
            match r.as_str() {
                Some(s) => responses.push(s.to_string()),
                None => {
                    return Err(cx.err(
                        format!("{ap}.response[{j}]"),
                        format!("expected a string, found {}", kind(r)),
                    ))
                }
            }
        }
        let timestamp = cx
            .opt_str(analysis, "lastUpdated", &ap)?
            .or(cx.opt_str(analysis, "firstIssued", &ap)?)
            .or(cx.opt_str(v, "updated", &place)?)
            .or(cx.opt_str(v, "published", &place)?)
            .or_else(|| doc_ts.clone());
        out.push(Statement {
            vulnerability: id,
            aliases,
            products,
            subcomponents: Vec::new(),
            status,
            justification: cx.opt_str(analysis, "justification", &ap)?,
            impact_statement: cx.opt_str(analysis, "detail", &ap)?,
            action_statement: Some(responses.join(", ")).filter(|s| !s.is_empty()),
            status_notes: None,
            order_key: timestamp.as_deref().and_then(rfc3339_seconds),
            timestamp,
            index: out.len(),
        });
    }
    Ok(VexDocument {
        format: VexFormat::CycloneDx,
        id: root
            .get("serialNumber")
            .and_then(Value::as_str)
            .map(str::to_string),
        author: None,
        timestamp: doc_ts,
        statements: out,
        by_vuln: HashMap::new(),
        groups: Vec::new(),
    })
}

/// The digest an identifier carries: itself (`sha256:...`), after `@` in
/// an image reference (`registry/app@sha256:...`), or a `pkg:oci`/
/// `pkg:docker` purl's version.
fn digest_of(id: &str) -> Option<String> {
    let is_digest = |s: &str| {
        s.split_once(':').is_some_and(|(alg, hex)| {
            matches!(alg, "sha256" | "sha384" | "sha512")
                && !hex.is_empty()
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
        })
    };
    if is_digest(id) {
        return Some(id.to_ascii_lowercase());
    }
    if id.starts_with("pkg:") {
        let p = Purl::parse(id).ok()?;
        if matches!(p.ty.as_str(), "oci" | "docker") {
            return p
                .version
                .filter(|v| is_digest(v))
                .map(|v| v.to_ascii_lowercase());
        }
        return None;
    }
    let (_, d) = id.rsplit_once('@')?;
    is_digest(d).then(|| d.to_ascii_lowercase())
}

/// Whether the statement's product identifier `pattern` names the
/// candidate: equal text; the same digest; or purls with the same type,
/// namespace and name, where a version or qualifier in the pattern must
/// also be in the candidate (a purl without a version names every
/// version).
pub fn product_matches(pattern: &str, candidate: &str) -> bool {
    if pattern == candidate {
        return true;
    }
    if let (Some(a), Some(b)) = (digest_of(pattern), digest_of(candidate)) {
        return a == b;
    }
    if !(pattern.starts_with("pkg:") && candidate.starts_with("pkg:")) {
        return false;
    }
    let (Ok(p), Ok(c)) = (Purl::parse(pattern), Purl::parse(candidate)) else {
        return false;
    };
    if p.ty != c.ty || p.namespace != c.namespace || p.name != c.name {
        return false;
    }
    if p.version.is_some() && p.version != c.version {
        return false;
    }
    p.qualifiers
        .iter()
        .all(|(k, v)| c.qualifier(k) == Some(v.as_str()))
}

impl VexDocument {
    /// The statement that decides `vulnerability` (an id or alias, any
    /// case) for `product` (a purl or an image digest or reference): the
    /// latest of the statements naming both, by timestamp and then by
    /// position, so a later statement overrides an earlier one. A product
    /// matches a statement when it is one of its products or one of its
    /// subcomponents.
    pub fn status_for(&self, vulnerability: &str, product: &str) -> Option<&Statement> {
        self.latest(vulnerability, |s| {
            s.products
                .iter()
                .chain(&s.subcomponents)
                .any(|p| product_matches(p, product))
        })
    }

    /// The statement that decides `vulnerability` for the package `purl`
    /// found in the image `image` (its digest or reference), when known:
    /// statements about the package itself, and statements about the
    /// image that either name no subcomponents or name the package among
    /// them.
    pub fn status_for_package(
        &self,
        vulnerability: &str,
        purl: &str,
        image: Option<&str>,
    ) -> Option<&Statement> {
        self.latest(vulnerability, |s| {
            let image_listed =
                image.is_some_and(|img| s.products.iter().any(|p| product_matches(p, img)));
            let pkg_sub = s.subcomponents.iter().any(|p| product_matches(p, purl));
            let pkg_product = s.products.iter().any(|p| product_matches(p, purl));
            (pkg_product && s.subcomponents.is_empty())
                || (image_listed && (s.subcomponents.is_empty() || pkg_sub))
                || (pkg_sub && image.is_none())
        })
    }

    fn latest(
        &self,
        vulnerability: &str,
        applies: impl Fn(&Statement) -> bool,
    ) -> Option<&Statement> {
        let g = *self.by_vuln.get(&vulnerability.to_ascii_lowercase())?;
        self.groups
            .get(g)?
            .iter()
            .filter_map(|&i| self.statements.get(i))
            .filter(|s| applies(s))
            .max_by_key(|s| (s.order_key.unwrap_or(i64::MIN), s.index))
    }
}

/// Seconds since the Unix epoch of an RFC 3339 timestamp
/// (`2023-01-16T19:07:16.853479631-06:00`); fractions are ignored.
fn rfc3339_seconds(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        if t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[n..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let oh: i64 = rest.get(1..3)?.parse().ok()?;
            let om: i64 = rest.get(4..6)?.parse().ok()?;
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + se - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_seconds("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(
            rfc3339_seconds("2023-01-16T19:07:16.853479631-06:00"),
            rfc3339_seconds("2023-01-17T01:07:16Z")
        );
        assert_eq!(rfc3339_seconds("2023-13-01T00:00:00Z"), None);
        assert_eq!(rfc3339_seconds("yesterday"), None);
        assert_eq!(rfc3339_seconds("2023-01-01T00:00:00+01"), None);
    }

    #[test]
    fn digests() {
        let d = "sha256:a0b1c2d3";
        assert_eq!(digest_of(d).as_deref(), Some(d));
        assert_eq!(
            digest_of("ghcr.io/x/app@sha256:a0b1c2d3").as_deref(),
            Some(d)
        );
        assert_eq!(
            digest_of("pkg:oci/app@sha256%3Aa0b1c2d3?repository_url=ghcr.io/x/app").as_deref(),
            Some(d)
        );
        assert_eq!(digest_of("pkg:pypi/six@1.16.0"), None);
        assert!(product_matches(
            "pkg:oci/app@sha256:A0B1C2D3",
            "ghcr.io/x/app@sha256:a0b1c2d3"
        ));
    }

    #[test]
    fn purl_patterns() {
        assert!(product_matches("pkg:pypi/six", "pkg:pypi/six@1.16.0"));
        assert!(product_matches("pkg:pypi/Six_@1.0", "pkg:pypi/six-@1.0"));
        assert!(!product_matches(
            "pkg:pypi/six@1.15.0",
            "pkg:pypi/six@1.16.0"
        ));
        assert!(product_matches(
            "pkg:deb/debian/curl@7.88.1-10?arch=amd64",
            "pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12"
        ));
        assert!(!product_matches(
            "pkg:deb/debian/curl?arch=arm64",
            "pkg:deb/debian/curl@7.88.1-10?arch=amd64"
        ));
        assert!(!product_matches("pkg:npm/six@1.0", "pkg:pypi/six@1.0"));
    }
}
