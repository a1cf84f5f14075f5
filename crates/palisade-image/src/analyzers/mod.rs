//! Analyzers turn the files of an image into an inventory: the operating
//! system and the packages installed.
//!
//! One analyzer per file in this directory, each registered once in
//! [`ANALYZERS`]. The pipeline asks every analyzer, for every regular file of
//! every layer, whether it [`Analyzer::wants`] the file (a cheap test on
//! path, mode and size); the contents of wanted files are read once, as the
//! layer streams past, and handed to [`Analyzer::analyze`]. Nothing else is
//! ever read into memory.
//!
//! Analyzers see one file at a time, in the layer that wrote it. The
//! pipeline later keeps only what is still visible in the final image: a
//! package recorded by a file that a later layer deleted or replaced is
//! dropped (see `scan.rs`).

use palisade_model::{OsInfo, Package};

use crate::layer::Entry;

pub mod apk;
pub mod cargo;
pub mod composer;
pub mod dotnet;
pub mod dpkg;
pub mod elf;
pub mod go_binary;
pub mod java;
pub mod npm;
pub(crate) mod os_release;
pub mod python;
pub mod rpm;
pub mod ruby;

/// One file handed to an analyzer.
#[derive(Debug, Clone, Copy)]
pub struct FileRef<'a> {
    /// The entry's metadata (normalised path, mode, size, owner).
    pub entry: &'a Entry,
    /// The file's contents (at most the layer limit `max_file_size`).
    pub contents: &'a [u8],
}

impl FileRef<'_> {
    /// The file's path relative to the image root (`etc/os-release`).
    pub fn path(&self) -> &str {
        &self.entry.path
    }
}

/// What analyzers found in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// Packages, with `path` set to the file that records them; `layer` is
    /// filled in by the pipeline.
    pub packages: Vec<Package>,
    /// The operating system, for the release-file analyzers.
    pub os: Option<OsInfo>,
}

/// A file an analyzer could not read: the scan goes on, and the error is
/// reported beside the findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzeError {
    /// What is wrong and, where it helps, where in the file (`line 12`).
    pub message: String,
}

impl AnalyzeError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// One kind of file an image may hold that records packages or the OS.
pub trait Analyzer: Sync {
    /// A stable id (`dpkg`, `python-dist-info`), for errors and `--analyzers`.
    fn id(&self) -> &'static str;

    /// Whether this analyzer reads the file. Called for every regular file
    /// of every layer, with `contents` unset: keep it cheap.
    fn wants(&self, entry: &Entry) -> bool;

    /// Reads one wanted file and adds what it records to `out`.
    fn analyze(&self, file: &FileRef<'_>, out: &mut Found) -> Result<(), AnalyzeError>;
}

/// Every analyzer, in the order they run.
pub static ANALYZERS: &[&dyn Analyzer] = &[
    &os_release::OsRelease,
    &dpkg::Dpkg,
    &apk::Apk,
    &rpm::Rpm,
    &python::Python,
    &npm::NpmPackages,
    &npm::NpmLock,
    &cargo::CargoLock,
    &cargo::CargoAuditable,
    &go_binary::GoBinary,
    &java::Java,
    &ruby::Gemspec,
    &dotnet::DotnetDeps,
    &composer::Composer,
];

/// The analyzer with this id.
pub fn analyzer(id: &str) -> Option<&'static dyn Analyzer> {
    ANALYZERS.iter().copied().find(|a| a.id() == id)
}

/// Text of a file as UTF-8, or an error naming the analyzer's expectation.
pub(crate) fn utf8<'a>(file: &FileRef<'a>) -> Result<&'a str, AnalyzeError> {
    std::str::from_utf8(file.contents).map_err(|e| {
        AnalyzeError::new(format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })
}
