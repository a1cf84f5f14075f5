//! Finding and reading input files, with limits.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::overrides::OverrideBuilder;
use ignore::WalkBuilder;
use palisade_model::{InputError, Span};

use crate::Limits;

/// One input to read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    /// Standard input (`-`).
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Input {
    /// The name used in findings and errors.
    pub fn display(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            Input::File(p) => p.display().to_string(),
        }
    }
}

/// How directories are walked.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// `.gitignore`-style globs of paths to leave out (e.g. `charts/*/tests/`, `*.generated.yaml`).
    pub exclude: Vec<String>,
    /// File extensions read when walking a directory (files named explicitly are always read).
    pub extensions: Vec<String>,
    /// Whether walking also reads Dockerfiles ([`crate::is_dockerfile_name`]).
    pub dockerfiles: bool,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            exclude: Vec::new(),
            extensions: vec!["yaml".into(), "yml".into(), "json".into()],
            dockerfiles: true,
        }
    }
}

fn path_error(path: &Path, message: String, help: Option<&str>) -> InputError {
    InputError {
        file: Arc::from(path.display().to_string()),
        span: None,
        message,
        help: help.map(str::to_string),
    }
}

/// Expands the arguments (`-`, files, directories) into the files to read,
/// sorted within each directory so runs are reproducible.
pub fn collect_files(args: &[String], options: &WalkOptions) -> (Vec<Input>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        if arg == "-" {
            files.push(Input::Stdin);
            continue;
        }
        let path = PathBuf::from(arg);
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                errors.push(path_error(
                    &path,
                    format!("cannot read: {e}"),
                    Some("check the path; use `-` to read standard input"),
                ));
                continue;
            }
        };
        if !meta.is_dir() {
            files.push(Input::File(path));
            continue;
        }
        let mut overrides = OverrideBuilder::new(&path);
        for glob in &options.exclude {
            if let Err(e) = overrides.add(&format!("!{glob}")) {
                errors.push(path_error(
                    &path,
                    format!("invalid --exclude glob `{glob}`: {e}"),
                    Some("use gitignore syntax, e.g. `tests/` or `*.generated.yaml`"),
                ));
            }
        }
        let overrides = match overrides.build() {
            Ok(o) => o,
            Err(e) => {
                errors.push(path_error(
                    &path,
                    format!("invalid --exclude globs: {e}"),
                    None,
                ));
                continue;
            }
        };
        let walker = WalkBuilder::new(&path)
            .standard_filters(false)
            .filter_entry(|entry| entry.file_name() != ".git")
            .overrides(overrides)
            .follow_links(false)
            .build();
        let mut found = Vec::new();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    if !entry.file_type().is_some_and(|t| t.is_file()) {
                        continue;
                    }
                    let p = entry.into_path();
                    let ext_ok = p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                        options.extensions.iter().any(|x| x.eq_ignore_ascii_case(e))
                    });
                    let dockerfile = options.dockerfiles
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(crate::is_dockerfile_name);
                    if ext_ok || dockerfile {
                        found.push(p);
                    }
                }
                Err(e) => errors.push(path_error(&path, format!("cannot walk: {e}"), None)),
            }
        }
        found.sort();
        files.extend(found.into_iter().map(Input::File));
    }
    (files, errors)
}

/// Reads one input as UTF-8 text within the size limit.
pub fn read_input(input: &Input, limits: &Limits) -> Result<String, InputError> {
    let name = input.display();
    let mut bytes = Vec::new();
    let cap = limits.max_file_size.saturating_add(1);
    let read = match input {
        Input::Stdin => std::io::stdin().lock().take(cap).read_to_end(&mut bytes),
        Input::File(path) => match std::fs::File::open(path) {
            Ok(f) => f.take(cap).read_to_end(&mut bytes),
            Err(e) => Err(e),
        },
    };
    if let Err(e) = read {
        return Err(InputError {
            file: Arc::from(name),
            span: None,
            message: format!("cannot read: {e}"),
            help: None,
        });
    }
    decode(&name, bytes, limits)
}

/// Checks size and encoding of raw bytes and returns the text.
pub(crate) fn decode(
    name: &str,
    mut bytes: Vec<u8>,
    limits: &Limits,
) -> Result<String, InputError> {
    let err = |span: Option<Span>, message: String, help: &str| InputError {
        file: Arc::from(name),
        span,
        message,
        help: Some(help.to_string()),
    };
    if bytes.len() as u64 > limits.max_file_size {
        return Err(err(
            None,
            format!("file is larger than {} bytes", limits.max_file_size),
            "split the file, or raise the limit with --max-file-size",
        ));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(err(
            None,
            "file is UTF-16 encoded".into(),
            "re-save it as UTF-8; Kubernetes tools read UTF-8",
        ));
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    if let Some(at) = memchr_nul(&bytes) {
        let (line, column) = line_col(&bytes, at);
        return Err(err(
            Some(Span::point(line, column)),
            "binary file (contains a NUL byte)".into(),
            "palisade reads YAML and JSON text; leave binary files out with --exclude",
        ));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let (line, column) = line_col(e.as_bytes(), at);
            Err(err(
                Some(Span::point(line, column)),
                format!("not valid UTF-8 (byte {at})"),
                "re-save the file as UTF-8",
            ))
        }
    }
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|b| *b == 0)
}

fn line_col(bytes: &[u8], at: usize) -> (u32, u32) {
    let before = &bytes[..at.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}
