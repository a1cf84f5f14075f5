//! File paths as report consumers want them: repository-relative with
//! forward slashes, and percent-encoded as URI references for SARIF.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

/// Where a finding's file is, as a consumer of the report names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Artifact {
    /// A path relative to the base directory (or as the user named it,
    /// when there is no base), `/`-separated, without `.` segments.
    Relative(String),
    /// An absolute path outside the base directory, `/`-separated
    /// (`/etc/x.yaml`, `C:/x.yaml`).
    Absolute(String),
    /// Standard input.
    Stdin,
}

impl Artifact {
    /// Classifies `file` (as the user named it) against `base`.
    ///
    /// Memoised per thread: reports name the same few files for thousands
    /// of findings, and classifying asks the OS for the current directory.
    pub(crate) fn of(file: &str, base: Option<&Path>) -> Artifact {
        type Memo = std::collections::HashMap<String, (Option<PathBuf>, Artifact)>;
        thread_local! {
            static CACHE: std::cell::RefCell<Memo> = std::cell::RefCell::new(Memo::new());
        }
        let hit = CACHE.with(|c| {
            c.borrow()
                .get(file)
                .filter(|(b, _)| b.as_deref() == base)
                .map(|(_, a)| a.clone())
        });
        if let Some(hit) = hit {
            return hit;
        }
        let artifact = Artifact::classify(file, base);
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            // Bound the memo: a report over millions of files recomputes.
            if c.len() > 100_000 {
                c.clear();
            }
            c.insert(
                file.to_string(),
                (base.map(Path::to_path_buf), artifact.clone()),
            );
        });
        artifact
    }

    fn classify(file: &str, base: Option<&Path>) -> Artifact {
        if file == "-" {
            return Artifact::Stdin;
        }
        let path = Path::new(file);
        if let Some(base) = base {
            let abs_file = absolute(path);
            let abs_base = absolute(base);
            if let Ok(rel) = abs_file.strip_prefix(&abs_base) {
                return Artifact::Relative(slashed(rel));
            }
            if abs_file.is_absolute() {
                return Artifact::Absolute(slashed(&abs_file));
            }
        }
        if path.is_absolute() {
            Artifact::Absolute(slashed(&normalize(path)))
        } else {
            Artifact::Relative(slashed(&normalize(path)))
        }
    }

    /// The path text used in fingerprints and JUnit (`-` for stdin).
    pub(crate) fn text(&self) -> &str {
        match self {
            Artifact::Relative(p) | Artifact::Absolute(p) => p,
            Artifact::Stdin => "-",
        }
    }

    /// The SARIF `artifactLocation`: a percent-encoded URI and, for
    /// relative paths, the base id it is relative to.
    pub(crate) fn uri(&self) -> (String, Option<&'static str>) {
        match self {
            Artifact::Relative(p) => (percent_encode(p, false), Some(SRCROOT)),
            Artifact::Absolute(p) => (file_uri(p), None),
            Artifact::Stdin => ("stdin".to_string(), None),
        }
    }
}

/// The uri base id GitHub code scanning resolves against the checkout.
pub(crate) const SRCROOT: &str = "%SRCROOT%";

/// The `file:` URI of the base directory, ending in `/`, when it can be
/// made absolute.
pub(crate) fn base_uri(base: &Path) -> Option<String> {
    let abs = absolute(base);
    if !abs.is_absolute() {
        return None;
    }
    let mut uri = file_uri(&slashed(&abs));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    Some(uri)
}

fn file_uri(slashed_abs: &str) -> String {
    let encoded = percent_encode(slashed_abs, true);
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        format!("file:///{encoded}")
    }
}

/// `path` made absolute against the current directory (when it can be
/// read) and normalised lexically.
fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return normalize(path);
    }
    match std::env::current_dir() {
        Ok(cwd) => normalize(&cwd.join(path)),
        Err(_) => normalize(path),
    }
}

/// Removes `.` segments and folds `..` into the segment before it, without
/// touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    out.iter().collect()
}

/// The path with `/` between segments.
fn slashed(path: &Path) -> String {
    let mut out = String::new();
    for c in path.components() {
        match c {
            Component::Prefix(p) => out.push_str(&p.as_os_str().to_string_lossy()),
            Component::RootDir => out.push('/'),
            Component::CurDir => {}
            Component::ParentDir | Component::Normal(_) => {
                if !out.is_empty() && !out.ends_with('/') {
                    out.push('/');
                }
                out.push_str(&c.as_os_str().to_string_lossy());
            }
        }
    }
    out
}

/// Percent-encodes every byte but unreserved characters and `/` (and `:`
/// when `keep_colon`, for drive letters in absolute `file:` URIs; in a
/// relative reference a colon could be read as a scheme).
fn percent_encode(s: &str, keep_colon: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            || (keep_colon && b == b':');
        if keep {
            out.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_cleaned_and_encoded() {
        let a = Artifact::of("./deploy/../k8s/my app#1.yaml", None);
        assert_eq!(a, Artifact::Relative("k8s/my app#1.yaml".into()));
        assert_eq!(a.uri(), ("k8s/my%20app%231.yaml".into(), Some(SRCROOT)));
        let colon = Artifact::of("a:b/ü.yaml", None);
        assert_eq!(colon.uri().0, "a%3Ab/%C3%BC.yaml");
    }

    #[test]
    fn paths_under_the_base_become_relative() {
        let a = Artifact::of("/repo/charts/x/templates/d.yaml", Some(Path::new("/repo/")));
        assert_eq!(a, Artifact::Relative("charts/x/templates/d.yaml".into()));
        let outside = Artifact::of("/etc/k8s/p.yaml", Some(Path::new("/repo")));
        assert_eq!(outside, Artifact::Absolute("/etc/k8s/p.yaml".into()));
        assert_eq!(outside.uri(), ("file:///etc/k8s/p.yaml".into(), None));
        // A sibling whose name starts like the base is not under it.
        let sibling = Artifact::of("/repo2/a.yaml", Some(Path::new("/repo")));
        assert_eq!(sibling, Artifact::Absolute("/repo2/a.yaml".into()));
    }

    #[test]
    fn relative_files_resolve_against_the_current_directory() {
        let cwd = std::env::current_dir().unwrap();
        let a = Artifact::of("x/y.yaml", Some(&cwd));
        assert_eq!(a, Artifact::Relative("x/y.yaml".into()));
        let b = Artifact::of("x/y.yaml", Some(cwd.parent().unwrap()));
        let last = cwd.file_name().unwrap().to_string_lossy();
        assert_eq!(b, Artifact::Relative(format!("{last}/x/y.yaml")));
    }

    #[test]
    fn stdin_and_base_uri() {
        assert_eq!(Artifact::of("-", None).uri(), ("stdin".into(), None));
        assert_eq!(
            base_uri(Path::new("/src/my repo")).unwrap(),
            "file:///src/my%20repo/"
        );
    }
}
