//! `palisade fix`: hardened manifests as a diff, or written in place.

use std::io::Write;
use std::path::{Path, PathBuf};

use palisade_engine::config::PssVersionSetting;
use palisade_engine::load::{collect_files, read_input, Input, Limits, WalkOptions};
use palisade_engine::rules::{self as rules_crate, Settings};
use palisade_fix::{AnyFormat, FileFix, Fixer};
use palisade_model::PssLevel;

use crate::args::FixArgs;
use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// Where the Secret for credentials moved out of `path` is written.
pub fn secret_path(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or_else(|| "manifest".into(), |s| s.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}.secret.yaml"))
}

/// Runs `palisade fix`.
pub fn run(args: &FixArgs) -> std::io::Result<u8> {
    let level = args.level.unwrap_or(PssLevel::Restricted);
    let version = match &args.pss_version {
        Some(v) => match crate::parse_version(v) {
            Ok(PssVersionSetting::Version(v)) if v <= rules_crate::pss::LATEST => v,
            Ok(_) => rules_crate::pss::LATEST,
            Err(msg) => {
                eprintln!("palisade: error: {msg}");
                return Ok(EXIT_ERROR);
            }
        },
        None => rules_crate::pss::LATEST,
    };
    let settings = Settings {
        level,
        version,
        ..Settings::default()
    };
    let paths = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths.clone()
    };
    if args.write && paths.iter().any(|p| p == "-") {
        eprintln!("palisade: error: --write cannot write to standard input; drop `-` or --write");
        return Ok(EXIT_ERROR);
    }
    let (inputs, walk_errors) = collect_files(&paths, &WalkOptions::default());
    let mut failed = !walk_errors.is_empty();
    for e in &walk_errors {
        eprintln!("error: {e}");
    }
    let limits = Limits::default();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut proposed = false;
    for input in &inputs {
        let name = input.display();
        let text = match read_input(input, &limits) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
                continue;
            }
        };
        let fix = match AnyFormat.fix(&name, &text, &settings) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: {name}: {e}");
                failed = true;
                continue;
            }
        };
        report_manual(&name, &fix);
        if !fix.changed() {
            continue;
        }
        if args.write {
            let Input::File(path) = input else { continue };
            match write_fix(path, &fix) {
                Ok(secret) => {
                    let n: usize = fix.objects.iter().map(|o| o.changes.len()).sum();
                    eprintln!("fixed {name} ({n} changes)");
                    if let Some(s) = secret {
                        eprintln!(
                            "wrote {}: fill in its REPLACE_ME values from your secret store",
                            s.display()
                        );
                    }
                }
                Err(e) => {
                    eprintln!("error: {name}: {e}");
                    failed = true;
                }
            }
        } else {
            proposed = true;
            let diff = palisade_fix::unified_diff(
                &format!("a/{name}"),
                &format!("b/{name}"),
                &text,
                &fix.fixed,
            );
            out.write_all(diff.as_bytes())?;
            if let Some(secret) = fix.secret_manifest() {
                let spath = match input {
                    Input::File(p) => secret_path(p).display().to_string(),
                    Input::Stdin => "secret.yaml".to_string(),
                };
                let diff =
                    palisade_fix::unified_diff("/dev/null", &format!("b/{spath}"), "", &secret);
                out.write_all(diff.as_bytes())?;
            }
        }
    }
    out.flush()?;
    Ok(if failed {
        EXIT_ERROR
    } else if proposed {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

/// Lists what is left for a person, per object, on standard error.
fn report_manual(name: &str, fix: &FileFix) {
    for o in &fix.objects {
        if o.manual.is_empty() {
            continue;
        }
        eprintln!(
            "{name}:{}: {} `{}`: left for a person:",
            o.span, o.object.kind, o.object.name
        );
        for m in &o.manual {
            let who = m
                .container
                .as_ref()
                .map_or_else(String::new, |c| format!(" (container {c})"));
            eprintln!("  {}:{} {}{who}: {}", name, m.span, m.rule_id, m.message);
        }
    }
}

/// Writes the fixed file, and the Secret beside it when there is one.
/// Nothing is written when the Secret's file already exists.
fn write_fix(path: &Path, fix: &FileFix) -> std::io::Result<Option<PathBuf>> {
    let secret = match fix.secret_manifest() {
        Some(s) => {
            let sp = secret_path(path);
            if sp.exists() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    format!(
                        "{} exists; move it away so the generated Secret does not overwrite it",
                        sp.display()
                    ),
                ));
            }
            Some((sp, s))
        }
        None => None,
    };
    write_atomically(path, fix.fixed.as_bytes())?;
    match secret {
        Some((sp, s)) => {
            write_atomically(&sp, s.as_bytes())?;
            Ok(Some(sp))
        }
        None => Ok(None),
    }
}

/// Writes `bytes` to `path` through a new temporary file in the same
/// directory and a rename: readers see the old file or the new one, never
/// a half-written one. The file keeps its permissions.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.palisade-fix-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_or_leaves_the_original() {
        let dir = std::env::temp_dir().join(format!("palisade-fix-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("pod.yaml");
        std::fs::write(&file, "old\n").unwrap();
        write_atomically(&file, b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new\n");
        // The temporary file cannot be created: the write fails, the original stays.
        let tmp = dir.join(format!(".pod.yaml.palisade-fix-{}", std::process::id()));
        std::fs::create_dir(&tmp).unwrap();
        assert!(write_atomically(&file, b"newer\n").is_err());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new\n");
        // A missing directory fails before anything is written.
        assert!(write_atomically(&dir.join("missing/pod.yaml"), b"x").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            secret_path(Path::new("k8s/web.yaml")),
            Path::new("k8s/web.secret.yaml")
        );
    }
}
