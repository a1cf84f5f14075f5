//! The palisade scan pipeline: load -> evaluate -> configure -> findings.
//!
//! Every front door (the CLI today, the admission webhook later) goes
//! through [`Engine`]: it owns the selected rules, their settings and the
//! configuration (severity overrides, suppression, exceptions). Files are
//! loaded and evaluated in parallel, one file at a time per worker, and each
//! file's objects are dropped once evaluated, so memory stays bounded by the
//! largest file and the findings kept.
#![warn(missing_docs)]

use std::sync::atomic::{AtomicUsize, Ordering};

use palisade_config::{Config, Date};
use palisade_load::{Input, Limits, Loaded, Stats};
use palisade_model::{Finding, InputError, Resource, RuleMeta, RuleStatus};
use palisade_rules::{Context, Rule, Settings};
use rayon::prelude::*;

pub use palisade_config as config;
pub use palisade_load as load;
pub use palisade_rules as rules;

/// Selected rules with their settings and configuration.
pub struct Engine {
    settings: Settings,
    config: Config,
    today: Date,
    rules: Vec<&'static dyn Rule>,
}

/// What a scan found.
#[derive(Debug, Default)]
pub struct ScanOutput {
    /// Findings, sorted by file, place and rule; suppressed ones included.
    pub findings: Vec<Finding>,
    /// Input and configuration errors, sorted.
    pub errors: Vec<InputError>,
    /// Counts of files, documents and objects.
    pub stats: Stats,
}

impl Engine {
    /// An engine running the rules `config` enables, with `settings`.
    /// `today` decides which exceptions have expired.
    pub fn new(settings: Settings, config: Config, today: Date) -> Engine {
        let rules = palisade_rules::all_rules()
            .iter()
            .copied()
            .filter(|r| {
                let meta = r.meta();
                config.rule_enabled(meta.id, meta.status == RuleStatus::Stable)
            })
            .collect();
        Engine {
            settings,
            config,
            today,
            rules,
        }
    }

    /// The resolved rule settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Metadata of every rule that runs, configuration rules included.
    pub fn rule_metas(&self) -> Vec<&'static RuleMeta> {
        let mut metas: Vec<&'static RuleMeta> = self.rules.iter().map(|r| r.meta()).collect();
        metas.extend(palisade_config::config_rules().iter());
        metas
    }

    /// Evaluates the objects of one input. `resources` is also the context
    /// for rules that look across objects (a Service and the pods it selects).
    pub fn evaluate(&self, resources: &[Resource]) -> Vec<Finding> {
        let ctx = Context {
            resources,
            settings: &self.settings,
        };
        let mut all = Vec::new();
        let mut found = Vec::new();
        for resource in resources {
            for rule in &self.rules {
                if rule.applies_to(&resource.kind) {
                    rule.check(resource, &ctx, &mut found);
                }
            }
            for f in &mut found {
                f.severity = self.config.severity(f.rule_id, f.severity);
            }
            self.config.suppress(resource, &mut found, self.today);
            all.append(&mut found);
        }
        all
    }

    /// Loads and evaluates one input.
    pub fn scan_one(&self, input: &Input, limits: &Limits) -> (Vec<Finding>, Loaded) {
        let mut loaded = palisade_load::load_input(input, limits);
        let findings = self.evaluate(&loaded.resources);
        loaded.resources = Vec::new();
        (findings, loaded)
    }

    /// Loads and evaluates every input in parallel on `jobs` threads (all
    /// cores when `None`). `progress` is called with the number of inputs done.
    pub fn scan(
        &self,
        inputs: &[Input],
        limits: &Limits,
        jobs: Option<usize>,
        progress: &(dyn Fn(usize) + Sync),
    ) -> ScanOutput {
        let done = AtomicUsize::new(0);
        // One result per input, in input order; each input's findings are
        // sorted where they are made, so the final sort only merges runs.
        let work = || -> Vec<(Vec<Finding>, Loaded)> {
            inputs
                .par_iter()
                .map(|input| {
                    let (mut findings, loaded) = self.scan_one(input, limits);
                    findings.sort_unstable();
                    // A template evaluated with several parameters files
                    // finds the same problem once per file: report it once.
                    findings.dedup();
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                    (findings, loaded)
                })
                .collect()
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.unwrap_or(0))
            .build();
        let per_input = match pool {
            Ok(pool) => pool.install(work),
            Err(_) => work(),
        };
        let total: usize = per_input.iter().map(|(f, _)| f.len()).sum();
        let mut out = ScanOutput {
            findings: Vec::with_capacity(total),
            ..ScanOutput::default()
        };
        for (mut findings, mut loaded) in per_input {
            out.findings.append(&mut findings);
            out.errors.append(&mut loaded.errors);
            out.stats.add(&loaded.stats);
        }
        out.findings
            .extend(self.config.expired_exceptions(self.today));
        out.findings.sort();
        out.errors.sort();
        // A broken parameters file is reported by its own input and by its
        // template's, which reads it: once is enough.
        out.errors.dedup();
        out
    }
}
