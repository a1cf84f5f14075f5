//! Vulnerability findings (`PAL-VULN`) for `palisade image --vulns` and
//! `palisade sbom`: the inventory matched against the local database
//! (never the network), VEX suppression, and the JSON fields each finding
//! carries.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use palisade_model::{
    Finding, FixAvailability, Location, OsInfo, Package, ResourceRef, RuleMeta, RuleStatus,
    Severity, Span, Suppression, SuppressionKind,
};
use palisade_report::{Format, Report, Summary, TableOptions};
use palisade_vuln::matcher::{MatchOptions, SeveritySource, VulnMatch};
use palisade_vuln::vex::{parse_vex, VexDocument};
use palisade_vuln::{match_packages, Database, DbError};
use serde_json::{json, Map, Value};

use crate::args::ColorChoice;
use crate::db::DbDir;
use crate::image::input_error;
use crate::{print_error, write_atomically, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// The one rule of vulnerability findings; each finding's severity is the
/// advisory's.
pub static VULN_RULE: RuleMeta = RuleMeta {
    id: "PAL-VULN",
    title: "Package with a known vulnerability",
    severity: Severity::High,
    kinds: &["Image", "Sbom"],
    practice: "Ship images without known vulnerabilities in their packages; rescan as advisories change",
    rationale: "A package version named in a security advisory (OSV: PyPA, RustSec, GitHub, distribution \
                advisories) carries a flaw that is public and often exploited. The finding names the \
                advisory, the installed version, the version that fixes it and the image layer that \
                brought the package. Each finding's severity comes from the advisory: the CVSS base \
                score palisade computes from its vector, else the advisory's own severity word, else \
                medium when the advisory gives none.",
    remediation: "Upgrade the package to the fixed version (rebuild on an updated base image for \
                  operating-system packages). When the vulnerable code cannot be reached, record that \
                  in a VEX document (OpenVEX or CycloneDX) and pass it with --vex.",
    example: "",
    references: &[
        "https://ossf.github.io/osv-schema/",
        "https://www.first.org/cvss/",
        "https://github.com/openvex/spec",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Flags shared by the commands that report vulnerabilities.
#[derive(Debug, Args)]
pub struct VulnArgs {
    #[command(flatten)]
    pub dir: DbDir,
    /// Leave out vulnerabilities that have no fixed version yet.
    #[arg(long)]
    pub ignore_unfixed: bool,
    /// Say why each vulnerability matched: the advisory range or listed version and the comparisons that decided it.
    #[arg(long)]
    pub explain_match: bool,
    /// A VEX document (OpenVEX or CycloneDX VEX, JSON); `not_affected` and `fixed` statements suppress findings. Repeatable.
    #[arg(long = "vex", value_name = "FILE")]
    pub vex: Vec<PathBuf>,
}

/// Vulnerability findings and the JSON fields of each, keyed by
/// (file, message) of the finding.
#[derive(Debug, Default)]
pub struct VulnFindings {
    pub findings: Vec<Finding>,
    pub extras: HashMap<(String, String), Map<String, Value>>,
    pub warnings: Vec<String>,
}

impl VulnFindings {
    /// The JSON fields of a finding, if it is a vulnerability finding.
    pub fn extra(&self, f: &Finding) -> Option<&Map<String, Value>> {
        if f.rule_id != VULN_RULE.id {
            return None;
        }
        self.extras
            .get(&(f.location.file.to_string(), f.message.clone()))
    }
}

/// What the findings are about.
pub struct Subject<'a> {
    /// `Image` or `Sbom`.
    pub kind: &'a str,
    /// The image reference or SBOM file, as the user named it.
    pub name: &'a str,
    /// The image digest (or reference) VEX statements name, if known.
    pub vex_product: Option<&'a str>,
    /// Whether findings get a `layer` (images).
    pub layers: bool,
}

/// The message telling how to get a database.
fn missing_db(dir: &std::path::Path) -> String {
    format!(
        "no vulnerability database in {}: run `palisade db update` (or `palisade db update --source PATH` \
         with a local OSV directory or all.zip, offline) first, or point --db-dir / PALISADE_DB_DIR at one",
        dir.display()
    )
}

fn load_vex(paths: &[PathBuf]) -> Result<Vec<(String, VexDocument)>, String> {
    paths
        .iter()
        .map(|p| {
            let name = p.display().to_string();
            let bytes = std::fs::read(p).map_err(|e| format!("{name}: {e}"))?;
            let doc = parse_vex(&bytes, &name).map_err(|e| e.to_string())?;
            Ok((name, doc))
        })
        .collect()
}

fn short_digest(d: &str) -> &str {
    let hex = d.strip_prefix("sha256:").unwrap_or(d);
    hex.get(..12).unwrap_or(hex)
}

/// Matches `packages` and turns the matches into findings.
pub fn vuln_findings(
    args: &VulnArgs,
    subject: &Subject<'_>,
    os: Option<&OsInfo>,
    packages: &[Package],
) -> Result<VulnFindings, String> {
    let vex = load_vex(&args.vex)?;
    let dir = crate::db::db_dir(&args.dir).map_err(|e| e.to_string())?;
    let db = Database::open(&dir).map_err(|e| match e {
        DbError::Missing { .. } => missing_db(&dir),
        e => e.to_string(),
    })?;
    let options = MatchOptions {
        ignore_unfixed: args.ignore_unfixed,
        explain: args.explain_match,
    };
    let report = match_packages(&db, os, packages, &options).map_err(|e| e.to_string())?;
    let mut out = VulnFindings {
        warnings: report.warnings.iter().map(|w| w.message.clone()).collect(),
        ..VulnFindings::default()
    };
    for m in &report.matches {
        let Some(p) = packages.get(m.package) else {
            continue;
        };
        let (finding, extra) = to_finding(args, subject, p, m, &vex);
        out.extras.insert(
            (finding.location.file.to_string(), finding.message.clone()),
            extra,
        );
        out.findings.push(finding);
    }
    Ok(out)
}

fn to_finding(
    args: &VulnArgs,
    subject: &Subject<'_>,
    p: &Package,
    m: &VulnMatch,
    vex: &[(String, VexDocument)],
) -> (Finding, Map<String, Value>) {
    let fix = match &m.fixed_version {
        Some(f) => format!("fixed in {f}"),
        None => "no fixed version yet".to_string(),
    };
    let shown_version = if m.compared_version != p.version {
        format!(
            "{} (source {} {})",
            p.version, m.advisory_package, m.compared_version
        )
    } else {
        p.version.clone()
    };
    let mut message = format!(
        "{} {} {shown_version} is affected by {}{}: {fix}",
        p.ecosystem,
        p.name,
        m.id,
        m.aliases
            .iter()
            .find(|a| a.starts_with("CVE-") && **a != m.id)
            .map(|c| format!(" ({c})"))
            .unwrap_or_default(),
    );
    if subject.layers && !p.layer.is_empty() {
        message.push_str(&format!(" (layer {})", short_digest(&p.layer)));
    }
    if args.explain_match {
        message.push_str(&format!("; matched because {}", m.explanation.join("; ")));
    }
    let file = if subject.layers && !p.path.is_empty() {
        palisade_model::image_file(subject.name, &p.path)
    } else {
        subject.name.to_string()
    };
    // VEX: every id of the vulnerability, the package's purl, the image.
    let mut suppressed = None;
    let mut vex_field = Value::Null;
    for (name, doc) in vex {
        let statement = std::iter::once(&m.id)
            .chain(&m.aliases)
            .find_map(|id| doc.status_for_package(id, &p.purl, subject.vex_product));
        if let Some(s) = statement {
            vex_field = json!({
                "document": name,
                "status": s.status.as_str(),
                "justification": s.justification,
                "impact_statement": s.impact_statement,
            });
            suppressed = s.status.suppresses().then(|| Suppression {
                kind: SuppressionKind::Config,
                reason: format!(
                    "VEX {} ({}): {}",
                    s.status.as_str(),
                    name,
                    s.justification
                        .as_deref()
                        .or(s.impact_statement.as_deref())
                        .unwrap_or("no justification given")
                ),
                location: None,
            });
        }
    }
    let finding = Finding {
        location: Location {
            file: Arc::from(file),
            span: Span::default(),
        },
        rule_id: VULN_RULE.id,
        severity: m.severity,
        message,
        resource: ResourceRef {
            kind: subject.kind.to_string(),
            name: subject.name.to_string(),
            namespace: None,
        },
        container: None,
        pss: None,
        suppressed,
    };
    let mut extra = Map::new();
    extra.insert("vulnerability_id".into(), json!(m.id));
    extra.insert("aliases".into(), json!(m.aliases));
    extra.insert(
        "package".into(),
        json!({
            "name": p.name,
            "version": p.version,
            "ecosystem": p.ecosystem.as_str(),
            "purl": p.purl,
            "source_name": p.source_name,
            "path": (!p.path.is_empty()).then_some(&p.path),
        }),
    );
    extra.insert("fixed_version".into(), json!(m.fixed_version));
    extra.insert("cvss_score".into(), json!(m.cvss.as_ref().map(|c| c.score)));
    extra.insert(
        "cvss_vector".into(),
        json!(m.cvss.as_ref().map(|c| c.vector.as_str())),
    );
    extra.insert(
        "severity_source".into(),
        json!(match &m.severity_source {
            SeveritySource::Cvss => format!("cvss:{}", m.cvss.as_ref().map_or("", |c| c.version)),
            SeveritySource::Ecosystem(w) => format!("advisory:{w}"),
            SeveritySource::Unknown => "unknown".to_string(),
        }),
    );
    extra.insert("advisory_ecosystem".into(), json!(m.ecosystem));
    extra.insert("advisory_package".into(), json!(m.advisory_package));
    extra.insert("summary".into(), json!(m.summary));
    extra.insert("url".into(), json!(m.url));
    if subject.layers {
        extra.insert(
            "layer".into(),
            json!((!p.layer.is_empty()).then_some(&p.layer)),
        );
    }
    if args.explain_match {
        extra.insert("match_explanation".into(), json!(m.explanation));
    }
    if !vex_field.is_null() {
        extra.insert("vex".into(), vex_field);
    }
    (finding, extra)
}

/// Arguments of `palisade sbom`.
#[derive(Debug, Args)]
pub struct SbomArgs {
    /// The SBOM: CycloneDX (JSON or XML, 1.4 to 1.7) or SPDX 2.3 (JSON or tag-value).
    pub file: PathBuf,
    /// Output format: table, json, sarif or junit.
    #[arg(long, short = 'f', default_value = "table", value_parser = |s: &str| s.parse::<Format>(), value_name = "table|json|sarif|junit")]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a finding at or above this severity is reported.
    #[arg(long, default_value = "low", value_parser = |s: &str| s.parse::<Severity>(), value_name = "low|medium|high|critical")]
    pub fail_on: Severity,
    /// Report only findings at or above this severity.
    #[arg(long, default_value = "low", value_parser = |s: &str| s.parse::<Severity>(), value_name = "low|medium|high|critical")]
    pub severity: Severity,
    /// List findings suppressed by VEX, with the justification.
    #[arg(long)]
    pub show_suppressed: bool,
    /// Colour the table: auto, always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    #[command(flatten)]
    pub vulns: VulnArgs,
}

/// Runs `palisade sbom`.
pub fn run_sbom(args: &SbomArgs) -> std::io::Result<u8> {
    let color_err = args.color.enabled(std::io::stderr().is_terminal());
    let name = args.file.display().to_string();
    let fail = |msg: String| {
        print_error(&input_error(&name, msg), color_err);
        Ok(EXIT_ERROR)
    };
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => return fail(e.to_string()),
    };
    let sbom = match palisade_sbom::read(&bytes, &name) {
        Ok(s) => s,
        Err(e) => {
            // The reader's messages already start with the file name.
            let msg = e.to_string();
            let prefix = format!("{name}: ");
            return fail(
                msg.strip_prefix(&prefix)
                    .map_or(msg.clone(), str::to_string),
            );
        }
    };
    let product = sbom
        .subject
        .as_ref()
        .and_then(|s| s.digest.as_deref().or(Some(s.name.as_str())));
    let subject = Subject {
        kind: "Sbom",
        name: &name,
        vex_product: product,
        layers: false,
    };
    let vulns = match vuln_findings(&args.vulns, &subject, sbom.os.as_ref(), &sbom.packages) {
        Ok(v) => v,
        Err(e) => return fail(e),
    };
    for w in &vulns.warnings {
        eprintln!("warning: {w}");
    }
    let mut findings: Vec<Finding> = vulns
        .findings
        .iter()
        .filter(|f| f.severity >= args.severity)
        .cloned()
        .collect();
    findings.sort();
    let metas: Vec<&'static RuleMeta> = vec![&VULN_RULE];
    let scanned: Vec<Arc<str>> = vec![Arc::from(name.as_str())];
    let report = Report {
        findings: &findings,
        errors: &[],
        rules: &metas,
        summary: Summary {
            files: 1,
            objects: sbom.packages.len(),
            rules_run: 1,
            ..Summary::default()
        },
        show_suppressed: args.show_suppressed,
        tool_version: env!("CARGO_PKG_VERSION"),
        base_dir: None,
        scanned_files: &scanned,
    };
    let color = args
        .color
        .enabled(args.output.is_none() && std::io::stdout().is_terminal());
    let mut buf = Vec::new();
    if args.format == Format::Json {
        palisade_report::render_json_extended(&report, None, &|f| vulns.extra(f), &mut buf)?;
    } else {
        palisade_report::render(&report, args.format, TableOptions { color }, &mut buf)?;
    }
    match &args.output {
        Some(p) => write_atomically(p, &buf)?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&buf)?;
            out.flush()?;
        }
    }
    let failing = findings
        .iter()
        .any(|f| f.suppressed.is_none() && f.severity >= args.fail_on);
    Ok(if failing { EXIT_FINDINGS } else { EXIT_CLEAN })
}
