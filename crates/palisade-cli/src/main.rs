//! `palisade`: the command line. Argument parsing, progress and exit codes
//! live here; all logic lives in the library crates.

mod args;
mod db;
mod explain;
mod fix;
mod image;
mod registry_cmd;
mod vulns;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use palisade_engine::config::{self, Config, Date, PssVersionSetting};
use palisade_engine::load::{collect_files, Limits, WalkOptions};
use palisade_engine::rules::{self as rules_crate, Settings};
use palisade_engine::Engine;
use palisade_model::{InputError, PssVersion, Severity};
use palisade_report::{Format, Report, Summary, TableOptions};

use args::{Cli, Command, ScanArgs};

/// Loading builds many small trees and findings; mimalloc serves such
/// allocation patterns markedly faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code: no finding at or above `--fail-on`.
const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at or above `--fail-on`.
const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage, configuration or input error.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Scan(args) => scan(&args),
        Command::Rules(args) => explain::list_rules(&args),
        Command::Explain(args) => explain::explain(&args),
        Command::Fix(args) => fix::run(&args),
        Command::Image(args) => image::run(&args),
        Command::Db(args) => db::run(&args),
        Command::Registry(args) => registry_cmd::run(&args),
        Command::Sbom(args) => vulns::run_sbom(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(EXIT_CLEAN),
        Err(e) => {
            eprintln!("palisade: error: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Every rule id palisade knows, for config validation.
fn known_rule_ids() -> Vec<&'static str> {
    rules_crate::rule_metas().iter().map(|m| m.id).collect()
}

fn parse_version(text: &str) -> Result<PssVersionSetting, String> {
    if text.eq_ignore_ascii_case("latest") {
        return Ok(PssVersionSetting::Latest);
    }
    let rest = text.strip_prefix('v').unwrap_or(text);
    let minor = rest
        .strip_prefix("1.")
        .and_then(|m| m.parse::<u16>().ok())
        .ok_or_else(|| {
            format!("invalid --pss-version `{text}`: expected `latest` or `v1.N` (e.g. v1.30)")
        })?;
    Ok(PssVersionSetting::Version(PssVersion::v1(minor)))
}

fn print_error(e: &InputError, color: bool) {
    let (start, end) = if color {
        ("\x1b[1;31m", "\x1b[0m")
    } else {
        ("", "")
    };
    eprintln!("{start}error{end}: {e}");
}

fn load_config(args: &ScanArgs) -> Result<Config, Vec<InputError>> {
    let known = known_rule_ids();
    let path: Option<PathBuf> = match &args.config {
        Some(p) => Some(p.clone()),
        None if args.no_config => None,
        None => {
            let start = args
                .paths
                .first()
                .filter(|p| p.as_str() != "-")
                .map_or_else(|| PathBuf::from("."), PathBuf::from);
            let start = if start.is_file() {
                start
                    .parent()
                    .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
            } else {
                start
            };
            config::discover(&start)
        }
    };
    match path {
        Some(p) => config::load(&p, &known),
        None => Ok(Config::new(&known)),
    }
}

fn scan(args: &ScanArgs) -> std::io::Result<u8> {
    let stderr_color = args.color.enabled(std::io::stderr().is_terminal());
    let config = match load_config(args) {
        Ok(c) => c,
        Err(errors) => {
            for e in &errors {
                print_error(e, stderr_color);
            }
            return Ok(EXIT_ERROR);
        }
    };

    let level = args
        .level
        .or(config.pss_level)
        .unwrap_or(palisade_model::PssLevel::Restricted);
    let version_setting = match &args.pss_version {
        Some(v) => match parse_version(v) {
            Ok(v) => v,
            Err(msg) => {
                eprintln!("palisade: error: {msg}");
                return Ok(EXIT_ERROR);
            }
        },
        None => config.pss_version.unwrap_or(PssVersionSetting::Latest),
    };
    let version = match version_setting {
        PssVersionSetting::Version(v) if v > rules_crate::pss::LATEST => {
            eprintln!(
                "palisade: note: policy version {v} is newer than the newest palisade knows; evaluating {}",
                rules_crate::pss::LATEST
            );
            rules_crate::pss::LATEST
        }
        PssVersionSetting::Version(v) => v,
        _ => rules_crate::pss::LATEST,
    };
    let mut settings = Settings {
        level,
        version,
        ..Settings::default()
    };
    if let Some(caps) = &config.allowed_capabilities {
        settings.allowed_capabilities = caps.clone();
    }
    let images = &config.images;
    match rules_crate::image_policy::ImagePolicy::from_lists(
        images.allowed_registries.as_deref(),
        &images.forbidden_registries,
        images.require_digest,
        &images.require_digest_for,
    )
    .and_then(|policy| policy.with_approved_base_images(images.approved_base_images.as_deref()))
    {
        Ok(policy) => settings.image_policy = policy,
        Err(msg) => {
            eprintln!("palisade: error: {msg}");
            return Ok(EXIT_ERROR);
        }
    }

    let mut limits = Limits::default();
    if let Some(max) = args.max_file_size {
        limits.max_file_size = max;
    }
    let walk = WalkOptions {
        exclude: args.exclude.clone(),
        ..WalkOptions::default()
    };
    let paths = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths.clone()
    };
    let (inputs, mut walk_errors) = collect_files(&paths, &walk);

    let engine = Engine::new(settings, config, Date::today());
    let total = inputs.len();
    let show_progress = std::io::stderr().is_terminal() && total >= 500;
    let progress = |done: usize| {
        if show_progress && (done % 250 == 0 || done == total) {
            eprint!("\r\x1b[2Kscanning {done}/{total} files");
        }
    };
    let started = std::time::Instant::now();
    let mut out = engine.scan(&inputs, &limits, args.jobs, &progress);
    let scanned_at = std::time::Instant::now();
    if show_progress {
        eprint!("\r\x1b[2K");
    }
    out.errors.append(&mut walk_errors);
    out.errors.sort();
    if out.stats.objects == 0 && out.errors.is_empty() {
        out.errors.push(InputError {
            file: paths.join(" ").into(),
            span: None,
            message: format!(
                "no Kubernetes objects found ({} files, {} documents read)",
                out.stats.files, out.stats.documents
            ),
            help: Some("check the path; manifests need `apiVersion` and `kind` (an empty `helm template` output also ends here)".into()),
        });
    }

    let metas = engine.rule_metas();
    let scanned: Vec<std::sync::Arc<str>> = inputs.iter().map(|i| i.display().into()).collect();
    let base_dir = std::env::current_dir().ok();
    let report = Report {
        findings: &out.findings,
        errors: &out.errors,
        rules: &metas,
        summary: Summary {
            files: out.stats.files,
            documents: out.stats.documents,
            objects: out.stats.objects,
            skipped_non_kubernetes: out.stats.non_kubernetes,
            skipped_unknown_kinds: out.stats.unknown_kinds,
            rules_run: metas.len(),
        },
        show_suppressed: args.show_suppressed,
        tool_version: env!("CARGO_PKG_VERSION"),
        base_dir: base_dir.as_deref(),
        scanned_files: &scanned,
    };
    let format: Format = args.format;
    match &args.output {
        Some(path) => {
            let mut buf = Vec::new();
            palisade_report::render(&report, format, TableOptions { color: false }, &mut buf)?;
            write_atomically(path, &buf)?;
        }
        None => {
            let color = args.color.enabled(std::io::stdout().is_terminal());
            let stdout = std::io::stdout();
            let mut lock = std::io::BufWriter::new(stdout.lock());
            palisade_report::render(&report, format, TableOptions { color }, &mut lock)?;
            lock.flush()?;
        }
    }
    if std::env::var_os("PALISADE_TIMINGS").is_some() {
        let done = std::time::Instant::now();
        eprintln!(
            "timings: load+evaluate {:.1} ms, report {:.1} ms",
            (scanned_at - started).as_secs_f64() * 1e3,
            (done - scanned_at).as_secs_f64() * 1e3
        );
    }
    // Errors also go to stderr when stdout carries a machine format or a file.
    if format != Format::Table || args.output.is_some() {
        for e in &out.errors {
            print_error(e, stderr_color);
        }
    }

    if !out.errors.is_empty() {
        return Ok(EXIT_ERROR);
    }
    let fail_on: Severity = args.fail_on;
    let failing = out
        .findings
        .iter()
        .any(|f| f.suppressed.is_none() && f.severity >= fail_on);
    Ok(if failing { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a
/// reader never sees a half-written report. Special files (`/dev/stdout`, a FIFO) are written in place.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return std::fs::write(path, bytes);
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.palisade-tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
