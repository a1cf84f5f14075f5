//! Go binaries: the build information the Go linker embeds in every module-
//! aware binary (`go version -m` prints it), read from the ELF section
//! `.go.buildinfo`.
//!
//! The section starts with a 32-byte header: the magic `\xff Go buildinf:`
//! (14 bytes), the pointer size (1 byte) and flags (1 byte). With flag bit 2
//! set (Go 1.18 and later) the Go version and the module information follow
//! the header inline, each as a varint length and bytes. Without it (Go 1.17
//! and earlier) two pointers follow at offset 16, each to a Go string header
//! (data pointer, length) elsewhere in the binary; flag bit 1 means the
//! pointers are big-endian.
//!
//! The module information is text, one record a line, fields separated by
//! tabs: `path` (the main package), `mod` (the main module: path, version,
//! sum), `dep` (a dependency), `=>` (a replacement for the record before it)
//! and `build` (settings). Before Go 1.18 it was wrapped in two 16-byte
//! sentinels, removed here.

use palisade_model::{purl, Ecosystem, Package};

use super::elf::{executable, is_elf, Elf};
use super::{AnalyzeError, Analyzer, FileRef, Found};
use crate::layer::Entry;

/// Largest binary read (the default layer limit on a wanted file).
pub const MAX_BINARY_SIZE: u64 = 64 << 20;
/// Longest version or module-information string accepted.
pub const MAX_INFO_LEN: u64 = 4 << 20;
/// Most module records read from one binary.
pub const MAX_MODULES: usize = 20_000;

const MAGIC: &[u8; 14] = b"\xff Go buildinf:";
const FLAG_BIG_ENDIAN: u8 = 1;
const FLAG_INLINE: u8 = 2;

/// Reads Go build information from executables.
pub struct GoBinary;

impl Analyzer for GoBinary {
    fn id(&self) -> &'static str {
        "go-binary"
    }

    fn wants(&self, entry: &Entry) -> bool {
        executable(entry, MAX_BINARY_SIZE)
    }

    fn analyze(&self, file: &FileRef<'_>, out: &mut Found) -> Result<(), AnalyzeError> {
        if !is_elf(file.contents) {
            return Ok(());
        }
        // An ELF file whose headers cannot be read (a core dump, firmware,
        // a damaged binary) is no Go binary this analyzer can speak for.
        if Elf::parse(file.contents).is_err() {
            return Ok(());
        }
        let Some(info) = read_build_info(file.contents)? else {
            return Ok(());
        };
        out.packages.extend(info.packages(file.path()));
        Ok(())
    }
}

/// A module as the build information records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// Module path (`golang.org/x/sys`).
    pub path: String,
    /// Version (`v0.15.0`, `(devel)`); empty for a local replacement.
    pub version: String,
}

/// The build information of one Go binary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildInfo {
    /// The Go toolchain version (`go1.21.5`).
    pub go_version: String,
    /// The main package's import path (`path` line).
    pub path: Option<String>,
    /// The main module (`mod` line), after any replacement.
    pub main: Option<Module>,
    /// Dependencies (`dep` lines), each after its replacement.
    pub deps: Vec<Module>,
}

impl BuildInfo {
    /// The packages this binary records: the main module, every
    /// dependency (a version of `(devel)`, a local build, is recorded as
    /// empty: no release matches it), and the Go standard
    /// library as `stdlib` with the toolchain version written as a module
    /// version (`go1.21.5` becomes `v1.21.5`), as trivy names it.
    pub fn packages(&self, path: &str) -> Vec<Package> {
        let mut out = Vec::with_capacity(self.deps.len() + 2);
        if let Some(main) = &self.main {
            out.push(go_package(&main.path, &main.version, path));
        }
        for dep in &self.deps {
            out.push(go_package(&dep.path, &dep.version, path));
        }
        let go = self
            .go_version
            .split_whitespace()
            .next()
            .unwrap_or_default();
        if let Some(v) = go.strip_prefix("go") {
            out.push(go_package("stdlib", &format!("v{v}"), path));
        }
        out
    }
}

/// A Go module as a package; the purl is lower case, as the purl
/// specification asks for the golang type.
fn go_package(module: &str, version: &str, path: &str) -> Package {
    let version = if version == "(devel)" { "" } else { version };
    let lower = module.to_lowercase();
    let (ns, name) = match lower.rsplit_once('/') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, module),
    };
    Package {
        name: module.to_string(),
        version: version.to_string(),
        ecosystem: Ecosystem::Go,
        purl: purl("golang", ns, name, version, &[]),
        source_name: None,
        source_version: None,
        arch: None,
        licenses: Vec::new(),
        layer: String::new(),
        path: path.to_string(),
    }
}

/// Reads the build information of an ELF binary: `None` when it has no
/// `.go.buildinfo` section (not a Go binary, or built without modules).
pub fn read_build_info(data: &[u8]) -> Result<Option<BuildInfo>, AnalyzeError> {
    let elf = Elf::parse(data)?;
    let Some(section) = elf.section(".go.buildinfo") else {
        return Ok(None);
    };
    let bytes = elf.section_data(section)?;
    let (version, modinfo) = read_strings(&elf, bytes)?;
    let mut info = parse_modinfo(&modinfo)?;
    info.go_version = version;
    Ok(Some(info))
}

/// The version and module-information strings from the bytes of the
/// `.go.buildinfo` section.
fn read_strings(elf: &Elf<'_>, bytes: &[u8]) -> Result<(String, String), AnalyzeError> {
    if bytes.len() < 32 || !bytes.starts_with(MAGIC) {
        return Err(AnalyzeError::new(
            "section .go.buildinfo offset 0: expected the magic \\xff Go buildinf: and a 32-byte header",
        ));
    }
    let ptr_size = bytes[14];
    let flags = bytes[15];
    if flags & FLAG_INLINE != 0 {
        let (version, rest) = varint_string(bytes, 32, "Go version")?;
        let (modinfo, _) = varint_string(bytes, rest, "module information")?;
        return Ok((lossy(version), strip_sentinels(modinfo)));
    }
    if ptr_size != 4 && ptr_size != 8 {
        return Err(AnalyzeError::new(format!(
            "section .go.buildinfo offset 14: pointer size {ptr_size}, expected 4 or 8"
        )));
    }
    let big = flags & FLAG_BIG_ENDIAN != 0;
    let ps = usize::from(ptr_size);
    let read_ptr = |b: &[u8], at: usize| -> Option<u64> {
        let raw = b.get(at..at.checked_add(ps)?)?;
        let mut v = 0u64;
        for i in 0..ps {
            let byte = if big { raw[i] } else { raw[ps - 1 - i] };
            v = (v << 8) | u64::from(byte);
        }
        Some(v)
    };
    let read_go_string = |header_addr: u64, what: &str| -> Result<Vec<u8>, AnalyzeError> {
        let err = || {
            AnalyzeError::new(format!(
                "section .go.buildinfo: the {what} string header at address {header_addr:#x} is not in the file"
            ))
        };
        let header = elf
            .read_addr(header_addr, 2 * ptr_size as u64)
            .ok_or_else(err)?;
        let data = read_ptr(header, 0).ok_or_else(err)?;
        let len = read_ptr(header, ps).ok_or_else(err)?;
        if len > MAX_INFO_LEN {
            return Err(AnalyzeError::new(format!(
                "section .go.buildinfo: the {what} string is {len} bytes, more than {MAX_INFO_LEN}"
            )));
        }
        if len == 0 {
            return Ok(Vec::new());
        }
        elf.read_addr(data, len).map(<[u8]>::to_vec).ok_or_else(|| {
            AnalyzeError::new(format!(
                "section .go.buildinfo: the {what} string ({len} bytes at address {data:#x}) is not in the file"
            ))
        })
    };
    let version_ptr = read_ptr(bytes, 16).unwrap_or(0);
    let modinfo_ptr = read_ptr(bytes, 16 + ps).unwrap_or(0);
    let version = read_go_string(version_ptr, "Go version")?;
    let modinfo = read_go_string(modinfo_ptr, "module information")?;
    Ok((lossy(&version), strip_sentinels(&modinfo)))
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The module information without the 16-byte sentinels Go wraps it in.
fn strip_sentinels(b: &[u8]) -> String {
    if b.len() >= 33 && b[b.len() - 17] == b'\n' {
        lossy(&b[16..b.len() - 16])
    } else {
        lossy(b)
    }
}

/// A varint-prefixed string at `at`; returns it and the offset after it.
fn varint_string<'a>(
    b: &'a [u8],
    at: usize,
    what: &str,
) -> Result<(&'a [u8], usize), AnalyzeError> {
    let mut len: u64 = 0;
    let mut pos = at;
    let mut shift = 0u32;
    loop {
        let Some(&byte) = b.get(pos) else {
            return Err(AnalyzeError::new(format!(
                "section .go.buildinfo offset {pos}: the {what} length is cut off"
            )));
        };
        pos += 1;
        if shift >= 63 {
            return Err(AnalyzeError::new(format!(
                "section .go.buildinfo offset {at}: the {what} length is not a valid varint"
            )));
        }
        len |= u64::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            break;
        }
    }
    if len > MAX_INFO_LEN {
        return Err(AnalyzeError::new(format!(
            "section .go.buildinfo offset {at}: the {what} is {len} bytes, more than {MAX_INFO_LEN}"
        )));
    }
    let end = pos + len as usize;
    match b.get(pos..end) {
        Some(s) => Ok((s, end)),
        None => Err(AnalyzeError::new(format!(
            "section .go.buildinfo offset {pos}: the {what} ({len} bytes) runs past the end of the section ({} bytes)",
            b.len()
        ))),
    }
}

/// Parses module-information text (`go version -m` lines). Unknown record
/// kinds are ignored; a `mod`, `dep` or `=>` line without a path is an
/// error naming the line.
pub fn parse_modinfo(text: &str) -> Result<BuildInfo, AnalyzeError> {
    let mut info = BuildInfo::default();
    // Which module the next `=>` replaces: None, the main one, or a dep.
    let mut last: Option<Option<usize>> = None;
    for (n, line) in text.lines().enumerate() {
        let mut fields = line.split('\t');
        let kind = fields.next().unwrap_or_default();
        if !matches!(kind, "mod" | "dep" | "=>" | "path") {
            continue;
        }
        let path = fields.next().unwrap_or_default();
        let version = fields.next().unwrap_or_default();
        if path.is_empty() {
            return Err(AnalyzeError::new(format!(
                "module information line {}: `{kind}` record without a module path",
                n + 1
            )));
        }
        let module = Module {
            path: path.to_string(),
            version: version.to_string(),
        };
        match kind {
            "path" => info.path = Some(path.to_string()),
            "mod" => {
                info.main = Some(module);
                last = Some(None);
            }
            "dep" => {
                if info.deps.len() >= MAX_MODULES {
                    return Err(AnalyzeError::new(format!(
                        "module information line {}: more than {MAX_MODULES} modules",
                        n + 1
                    )));
                }
                info.deps.push(module);
                last = Some(Some(info.deps.len() - 1));
            }
            _ => {
                let target = match last {
                    Some(None) => info.main.as_mut(),
                    Some(Some(i)) => info.deps.get_mut(i),
                    None => None,
                };
                let Some(target) = target else {
                    return Err(AnalyzeError::new(format!(
                        "module information line {}: `=>` replacement with no module before it",
                        n + 1
                    )));
                };
                // A replacement by another module takes its path and
                // version; a local directory has no version (or `(devel)`),
                // so the original path stays and the version is unknown.
                if module.version.is_empty() || module.version == "(devel)" {
                    target.version.clear();
                } else {
                    *target = module;
                }
                last = None;
            }
        }
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacements_apply_to_the_record_before() {
        let text = "path\texample.com/cmd\nmod\texample.com\t(devel)\t\ndep\tgolang.org/x/sys\tv0.1.0\th1:x=\n=>\tgithub.com/fork/sys\tv0.2.0\th1:y=\ndep\texample.com/local\tv1.0.0\n=>\t../local\t\t\nbuild\t-compiler=gc\n";
        let info = parse_modinfo(text).unwrap();
        assert_eq!(info.path.as_deref(), Some("example.com/cmd"));
        assert_eq!(info.deps[0].path, "github.com/fork/sys");
        assert_eq!(info.deps[0].version, "v0.2.0");
        assert_eq!(info.deps[1].path, "example.com/local");
        assert_eq!(info.deps[1].version, "");
        let pkgs = BuildInfo {
            go_version: "go1.21.5 X:boringcrypto".into(),
            ..info
        }
        .packages("bin/app");
        assert_eq!(pkgs[0].purl, "pkg:golang/example.com");
        assert_eq!(pkgs[1].purl, "pkg:golang/github.com/fork/sys@v0.2.0");
        assert_eq!(pkgs[3].purl, "pkg:golang/stdlib@v1.21.5");
    }

    #[test]
    fn orphan_replacement_names_the_line() {
        let err = parse_modinfo("path\tx\n=>\ty\tv1\n").unwrap_err();
        assert!(err.message.contains("line 2"), "{}", err.message);
    }

    #[test]
    fn varints_are_bounded() {
        let mut b = vec![0u8; 32];
        b.extend_from_slice(&[0xff; 12]);
        assert!(varint_string(&b, 32, "x").is_err());
        let mut b = vec![0u8; 32];
        b.extend_from_slice(&[0x80, 0x80, 0x80, 0x01]);
        assert!(varint_string(&b, 32, "x").is_err());
    }
}
