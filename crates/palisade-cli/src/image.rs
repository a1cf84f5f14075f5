//! `palisade image REF`: inventory an image and run the `PAL-IMG` checks on
//! it, reporting like `palisade scan` (same formats, same exit codes), or
//! write its SBOM.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use palisade_engine::config::{self, Config, Date};
use palisade_engine::rules::image_rules::{self, ImageRule, ImageSettings};
use palisade_image::checks::SecretFiles;
use palisade_image::facts::{image_facts, reference_kind};
use palisade_image::{
    parse_input, scan_image, FileCheck, ImageInput, LayerLimits, Platform, ScanOptions,
    SourceOptions,
};
use palisade_model::{InputError, RuleMeta, RuleStatus};
use palisade_report::sbom::{SbomFormat, SbomInput};
use palisade_report::{Format, Report, Summary, TableOptions};

use crate::args::{ImageArgs, ImageFormat};
use crate::{print_error, write_atomically, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// Opens the image a reference names. One place to switch sources.
fn open_input(reference: &str, opts: &SourceOptions) -> Result<ImageInput, String> {
    parse_input(reference, opts).map_err(|e| e.to_string())
}

pub(crate) fn input_error(file: &str, message: String) -> InputError {
    InputError {
        file: Arc::from(file),
        span: None,
        message,
        help: None,
    }
}

fn load_config(args: &ImageArgs) -> Result<Config, Vec<InputError>> {
    let known: Vec<&'static str> = palisade_engine::rules::rule_metas()
        .iter()
        .map(|m| m.id)
        .chain(std::iter::once(crate::vulns::VULN_RULE.id))
        .collect();
    let path: Option<PathBuf> = match &args.config {
        Some(p) => Some(p.clone()),
        None if args.no_config => None,
        None => config::discover(&PathBuf::from(".")),
    };
    match path {
        Some(p) => config::load(&p, &known),
        None => Ok(Config::new(&known)),
    }
}

/// Runs `palisade image`.
pub fn run(args: &ImageArgs) -> std::io::Result<u8> {
    let stderr_color = args.color.enabled(std::io::stderr().is_terminal());
    let fail = |e: InputError| {
        print_error(&e, stderr_color);
        Ok(EXIT_ERROR)
    };
    let config = match load_config(args) {
        Ok(c) => c,
        Err(errors) => {
            for e in &errors {
                print_error(e, stderr_color);
            }
            return Ok(EXIT_ERROR);
        }
    };
    let platform = match args.platform.as_deref().map(Platform::parse) {
        None => Platform::default(),
        Some(Ok(p)) => p,
        Some(Err(e)) => return fail(input_error(&args.reference, e.to_string())),
    };
    let sources = args.registry.source_options()?;
    let mut limits = LayerLimits::default();
    if let Some(n) = args.limit_entries {
        limits.max_entries = n;
    }
    if let Some(n) = args.limit_layer_size {
        limits.max_total_bytes = n;
    }
    if let Some(n) = args.limit_file_size {
        limits.max_file_size = n;
    }
    if let Some(n) = args.limit_ratio {
        limits.max_compression_ratio = n;
    }

    let input = match open_input(&args.reference, &sources) {
        Ok(i) => i,
        Err(msg) => return fail(input_error(&args.reference, msg)),
    };
    let secret_check = SecretFiles::new(
        limits
            .max_file_size
            .min(palisade_image::checks::secrets::MAX_SECRET_FILE),
    );
    let show_progress = std::io::stderr().is_terminal();
    let progress = |done: usize, total: usize| {
        if show_progress {
            eprint!("\r\x1b[2Kreading layers {done}/{total}");
        }
    };
    let opts = ScanOptions {
        platform,
        limits,
        checks: vec![&secret_check as &dyn FileCheck],
        progress: Some(&progress),
        ..ScanOptions::default()
    };
    let scanned = scan_image(&input, &opts);
    if show_progress {
        eprint!("\r\x1b[2K");
    }
    let inventory = match scanned {
        Ok(i) => i,
        Err(e) => return fail(input_error(&args.reference, e.to_string())),
    };
    let errors: Vec<InputError> = inventory
        .errors
        .iter()
        .map(|e| {
            input_error(
                &palisade_model::image_file(&args.reference, &e.path),
                format!("{} (analyzer {}, layer {})", e.message, e.analyzer, e.layer),
            )
        })
        .collect();

    if let ImageFormat::Sbom(format) = args.format {
        return write_sbom(args, format, &inventory, &errors, stderr_color);
    }

    let facts = image_facts(&inventory, &args.reference, reference_kind(&args.reference));
    let mut settings = ImageSettings::default();
    if let Some(days) = config.image.max_age_days {
        settings.max_age_days = days;
    }
    settings.approved_distros = config.image.approved_distros.clone();
    let rules: Vec<&'static dyn ImageRule> = image_rules::IMAGE_RULES
        .iter()
        .copied()
        .filter(|r| {
            let m = r.meta();
            config.rule_enabled(m.id, m.status == RuleStatus::Stable)
        })
        .collect();
    let mut findings = image_rules::evaluate(&rules, &facts, &settings);
    let want_vulns = !args.no_vulns && (args.vulns || config.image.vulns == Some(true));
    let vulns = if want_vulns {
        let subject = crate::vulns::Subject {
            kind: "Image",
            name: &args.reference,
            vex_product: inventory
                .manifest_digest
                .as_deref()
                .or(Some(args.reference.as_str())),
            layers: true,
        };
        match crate::vulns::vuln_findings(
            &args.vuln,
            &subject,
            inventory.os.as_ref(),
            &inventory.packages,
        ) {
            Ok(v) => v,
            Err(e) => return fail(input_error(&args.reference, e)),
        }
    } else {
        crate::vulns::VulnFindings::default()
    };
    for w in &vulns.warnings {
        eprintln!("warning: {w}");
    }
    findings.extend(vulns.findings.iter().cloned());
    for f in &mut findings {
        f.severity = config.severity(f.rule_id, f.severity);
    }
    findings.retain(|f| f.severity >= args.severity);
    config.suppress_by_exceptions(&mut findings, Date::today());
    findings.extend(config.expired_exceptions(Date::today()));
    findings.sort();

    let mut metas: Vec<&'static RuleMeta> = rules.iter().map(|r| r.meta()).collect();
    if want_vulns {
        metas.push(&crate::vulns::VULN_RULE);
    }
    let scanned_files: Vec<Arc<str>> = vec![Arc::from(args.reference.as_str())];
    let report = Report {
        findings: &findings,
        errors: &errors,
        rules: &metas,
        summary: Summary {
            files: 1,
            documents: 0,
            objects: 1,
            skipped_non_kubernetes: 0,
            skipped_unknown_kinds: 0,
            rules_run: metas.len(),
        },
        show_suppressed: args.show_suppressed,
        tool_version: env!("CARGO_PKG_VERSION"),
        base_dir: None,
        scanned_files: &scanned_files,
    };
    let ImageFormat::Report(format) = args.format else {
        return Ok(EXIT_ERROR);
    };
    let color = args
        .color
        .enabled(args.output.is_none() && std::io::stdout().is_terminal());
    let mut buf = Vec::new();
    if format == Format::Json {
        palisade_report::render_json_extended(
            &report,
            Some(&inventory.packages),
            &|f| vulns.extra(f),
            &mut buf,
        )?;
    } else {
        palisade_report::render(&report, format, TableOptions { color }, &mut buf)?;
    }
    emit(args, &buf)?;
    if format != Format::Table || args.output.is_some() {
        for e in &errors {
            print_error(e, stderr_color);
        }
    }
    if !errors.is_empty() {
        return Ok(EXIT_ERROR);
    }
    let failing = findings
        .iter()
        .any(|f| f.suppressed.is_none() && f.severity >= args.fail_on);
    Ok(if failing { EXIT_FINDINGS } else { EXIT_CLEAN })
}

fn emit(args: &ImageArgs, bytes: &[u8]) -> std::io::Result<()> {
    match &args.output {
        Some(path) => write_atomically(path, bytes),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()
        }
    }
}

fn write_sbom(
    args: &ImageArgs,
    format: SbomFormat,
    inventory: &palisade_image::ImageInventory,
    errors: &[InputError],
    color: bool,
) -> std::io::Result<u8> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let created = palisade_report::sbom::timestamp(now);
    let input = SbomInput {
        name: &args.reference,
        digest: inventory.manifest_digest.as_deref(),
        os: inventory.os.as_ref(),
        packages: &inventory.packages,
        tool_version: env!("CARGO_PKG_VERSION"),
        created: &created,
        seed: "",
    };
    emit(args, format.render(&input).as_bytes())?;
    for e in errors {
        print_error(e, color);
    }
    Ok(if errors.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_ERROR
    })
}

/// Parses `--format` of `palisade image`.
pub fn parse_image_format(s: &str) -> Result<ImageFormat, String> {
    if let Ok(f) = s.parse::<SbomFormat>() {
        return Ok(ImageFormat::Sbom(f));
    }
    s.parse::<Format>().map(ImageFormat::Report).map_err(|_| {
        format!("unknown format `{s}`: expected table, json, sarif, junit, cyclonedx or spdx-json")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse() {
        assert!(matches!(
            parse_image_format("json"),
            Ok(ImageFormat::Report(Format::Json))
        ));
        assert!(matches!(
            parse_image_format("spdx-json"),
            Ok(ImageFormat::Sbom(SbomFormat::SpdxJson))
        ));
        assert!(parse_image_format("xml").is_err());
    }
}
