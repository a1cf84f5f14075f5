//! Command-line arguments. Each flag's help lives on its definition.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use palisade_model::{PssLevel, Severity};
use palisade_report::Format;

/// palisade: security checks for Kubernetes manifests, from pull request to pod.
#[derive(Debug, Parser)]
#[command(name = "palisade", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan Kubernetes manifests (files, directories, `-` for stdin).
    Scan(ScanArgs),
    /// List every rule.
    Rules(RulesArgs),
    /// Explain one rule: rationale, remediation, example and references.
    Explain(ExplainArgs),
    /// Harden Kubernetes manifests: print a diff, or rewrite them with --write.
    Fix(FixArgs),
    /// Check a container image (registry, oci:DIR[:tag], docker-archive:FILE, dir:PATH) or write its SBOM.
    Image(ImageArgs),
    /// Manage the local vulnerability database (update, status).
    Db(crate::db::DbArgs),
    /// Scan a registry's images once per digest and rescan the stored inventories as advisories change.
    Registry(crate::registry_cmd::RegistryArgs),
    /// Report the known vulnerabilities of the packages an SBOM lists (CycloneDX or SPDX), from the local database.
    Sbom(crate::vulns::SbomArgs),
}

/// What `palisade image --format` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// A findings report (table, json, sarif, junit).
    Report(Format),
    /// An SBOM (cyclonedx, spdx-json).
    Sbom(palisade_report::sbom::SbomFormat),
}

/// Arguments of `palisade image`.
#[derive(Debug, Args)]
pub struct ImageArgs {
    /// The image: `registry/repo:tag`, `repo@sha256:...`, `oci:DIR[:tag]`,
    /// `docker-archive:FILE[:ref]` or `dir:PATH`.
    pub reference: String,
    /// Platform to pick from a multi-platform image, `os/arch[/variant]` [default: linux/amd64].
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    /// Output format: findings (table, json with a `packages` array, sarif, junit) or an SBOM (cyclonedx, spdx-json).
    #[arg(long, short = 'f', default_value = "table", value_parser = crate::image::parse_image_format, value_name = "FORMAT")]
    pub format: ImageFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with status 1 when an unsuppressed finding is at or above this severity.
    #[arg(long, default_value = "low", value_parser = parse_severity, value_name = "low|medium|high|critical")]
    pub fail_on: Severity,
    /// Report only findings at or above this severity.
    #[arg(long, default_value = "low", value_parser = parse_severity, value_name = "low|medium|high|critical")]
    pub severity: Severity,
    /// Configuration file [default: palisade.yaml/.toml found from the current directory upward].
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Use no configuration file.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// List suppressed findings too.
    #[arg(long)]
    pub show_suppressed: bool,
    /// When to colour output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    #[command(flatten)]
    pub registry: RegistryAccess,
    /// Most entries in one layer [default: 1000000].
    #[arg(long, value_name = "N")]
    pub limit_entries: Option<u64>,
    /// Most uncompressed bytes in one layer, e.g. 32G [default: 16G].
    #[arg(long, value_parser = parse_size, value_name = "SIZE")]
    pub limit_layer_size: Option<u64>,
    /// Largest file read for an analyzer, e.g. 128M [default: 64M].
    #[arg(long, value_parser = parse_size, value_name = "SIZE")]
    pub limit_file_size: Option<u64>,
    /// Largest uncompressed/compressed ratio of a layer [default: 200].
    #[arg(long, value_name = "N")]
    pub limit_ratio: Option<u64>,
    /// Also report known vulnerabilities of the image's packages (rule PAL-VULN), from the local database
    /// [default: the config's `image.vulns`, else off].
    #[arg(long, conflicts_with = "no_vulns")]
    pub vulns: bool,
    /// Do not report vulnerabilities, even when the config's `image.vulns` is true.
    #[arg(long)]
    pub no_vulns: bool,
    #[command(flatten)]
    pub vuln: crate::vulns::VulnArgs,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream; `to_terminal` says whether that stream
    /// is a terminal (and not redirected to a file).
    pub fn enabled(self, to_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

/// How to reach a registry: the flags `palisade image` and `palisade
/// registry scan` share.
#[derive(Debug, Clone, Args)]
pub struct RegistryAccess {
    /// Extra CA certificates (PEM) trusted for the registry.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Plain HTTP to the registry (loopback hosts only).
    #[arg(long)]
    pub insecure: bool,
    /// Registry user name.
    #[arg(long, value_name = "NAME")]
    pub username: Option<String>,
    /// Read the registry password or token from standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// Directory caching registry blobs by digest.
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,
    /// Fetch every blob; cache nothing.
    #[arg(long)]
    pub no_cache: bool,
}

impl RegistryAccess {
    /// The image-source options these flags ask for (reads the password
    /// from standard input when `--password-stdin` is given).
    pub fn source_options(&self) -> std::io::Result<palisade_image::SourceOptions> {
        use std::io::Read as _;
        let mut sources = palisade_image::SourceOptions {
            insecure: self.insecure,
            ca_file: self.ca_file.clone(),
            username: self.username.clone(),
            ..palisade_image::SourceOptions::default()
        };
        if self.password_stdin {
            let mut password = String::new();
            std::io::stdin()
                .take(64 << 10)
                .read_to_string(&mut password)?;
            sources.password = Some(password.trim_end_matches(['\r', '\n']).to_string());
        }
        sources.cache = match (&self.cache_dir, self.no_cache) {
            (_, true) => palisade_image::CacheSetting::Disabled,
            (Some(dir), false) => palisade_image::CacheSetting::Dir(dir.clone()),
            (None, false) => palisade_image::CacheSetting::Default,
        };
        Ok(sources)
    }
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

fn parse_level(s: &str) -> Result<PssLevel, String> {
    s.parse()
}

fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        None => (t, 1u64),
        Some((i, _)) => {
            let mult = match t[i..].to_ascii_lowercase().as_str() {
                "k" | "kb" | "kib" => 1 << 10,
                "m" | "mb" | "mib" => 1 << 20,
                "g" | "gb" | "gib" => 1 << 30,
                other => return Err(format!("unknown size unit `{other}`: use K, M or G")),
            };
            (&t[..i], mult)
        }
    };
    num.parse::<u64>()
        .map_err(|_| format!("invalid size `{s}`: e.g. 64M"))?
        .checked_mul(mult)
        .ok_or_else(|| format!("size `{s}` is too large"))
}

/// Arguments of `palisade scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan; `-` reads standard input (e.g. `helm template . | palisade scan -`).
    /// Directories are walked recursively for .yaml, .yml and .json files. Default: `.`.
    pub paths: Vec<String>,
    /// Pod Security Standards level to enforce [default: from config, else restricted].
    #[arg(long, value_parser = parse_level, value_name = "baseline|restricted")]
    pub level: Option<PssLevel>,
    /// Pod Security Standards version: `v1.N` or `latest` [default: from config, else latest].
    #[arg(long, value_name = "v1.N|latest")]
    pub pss_version: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', default_value = "table", value_parser = parse_format, value_name = "table|json|sarif|junit")]
    pub format: Format,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding at or above this severity remains unsuppressed.
    #[arg(long, default_value = "low", value_parser = parse_severity, value_name = "low|medium|high|critical")]
    pub fail_on: Severity,
    /// Configuration file [default: palisade.yaml/.yml/.toml found upward from the first path].
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not look for a configuration file.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Leave out paths matching this gitignore-style glob when walking directories (repeatable).
    #[arg(long, short = 'e', value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Number of parallel jobs [default: number of cores].
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(usize))]
    pub jobs: Option<usize>,
    /// List suppressed findings with their reasons.
    #[arg(long)]
    pub show_suppressed: bool,
    /// When to use colours.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Largest file to read (e.g. 64M) [default: 32M].
    #[arg(long, value_parser = parse_size, value_name = "SIZE")]
    pub max_file_size: Option<u64>,
}

/// Arguments of `palisade fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    /// Files or directories to fix; `-` reads standard input (diff only). Default: `.`.
    pub paths: Vec<String>,
    /// Pod Security Standards level to reach [default: restricted].
    #[arg(long, value_parser = parse_level, value_name = "baseline|restricted")]
    pub level: Option<PssLevel>,
    /// Pod Security Standards version whose checks decide what is left for a person [default: latest].
    #[arg(long, value_name = "v1.N|latest")]
    pub pss_version: Option<String>,
    /// Rewrite the files in place (atomically), and write generated Secrets beside them.
    #[arg(long, conflicts_with = "diff")]
    pub write: bool,
    /// Print a unified diff of the fixes (the default); exit 1 when there are any.
    #[arg(long)]
    pub diff: bool,
}

/// Output of `palisade rules` and `palisade explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InfoFormat {
    /// Text for people.
    Text,
    /// JSON.
    Json,
}

/// Arguments of `palisade rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = InfoFormat::Text)]
    pub format: InfoFormat,
}

/// Arguments of `palisade explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id (case-insensitive), e.g. PSS-PRIVILEGED.
    pub id: String,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = InfoFormat::Text)]
    pub format: InfoFormat,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("1X").is_err());
        assert!(parse_size("99999999999G").is_err());
    }

    #[test]
    fn scan_flags() {
        let cli = Cli::try_parse_from([
            "palisade",
            "scan",
            "a",
            "b",
            "--level",
            "baseline",
            "--format",
            "sarif",
            "--fail-on",
            "high",
            "-e",
            "tests/",
            "-j",
            "2",
        ])
        .unwrap();
        let Command::Scan(s) = cli.command else {
            panic!()
        };
        assert_eq!(s.paths, vec!["a", "b"]);
        assert_eq!(s.level, Some(PssLevel::Baseline));
        assert_eq!(s.format, Format::Sarif);
        assert_eq!(s.fail_on, Severity::High);
        assert_eq!(s.jobs, Some(2));
        assert!(Cli::try_parse_from(["palisade", "scan", "--format", "xml"]).is_err());
        assert!(Cli::try_parse_from(["palisade", "scan", "--fail-on", "urgent"]).is_err());
    }

    #[test]
    fn fix_flags() {
        let cli =
            Cli::try_parse_from(["palisade", "fix", "k8s/", "--write", "--level", "baseline"])
                .unwrap();
        let Command::Fix(f) = cli.command else {
            panic!()
        };
        assert!(f.write && !f.diff);
        assert_eq!(f.level, Some(PssLevel::Baseline));
        assert!(Cli::try_parse_from(["palisade", "fix", "--write", "--diff"]).is_err());
    }
}
