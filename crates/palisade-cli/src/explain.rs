//! `palisade rules` and `palisade explain`: rendered only from rule metadata.

use std::io::Write;

use palisade_engine::config::config_rules;
use palisade_engine::rules::rule_metas;
use palisade_model::RuleMeta;

use crate::args::{ExplainArgs, InfoFormat, RulesArgs};

/// Every rule's metadata: engine rules, then configuration rules.
fn metas() -> Vec<&'static RuleMeta> {
    rule_metas()
        .into_iter()
        .chain(config_rules().iter())
        .chain(std::iter::once(&crate::vulns::VULN_RULE))
        .collect()
}

fn to_json(meta: &RuleMeta) -> serde_json::Value {
    let mut v = serde_json::to_value(meta).unwrap_or(serde_json::Value::Null);
    if let (Some(obj), Some((level, check))) = (v.as_object_mut(), meta.pss) {
        obj.insert(
            "pss".into(),
            serde_json::json!({ "level": level.as_str(), "check": check }),
        );
    }
    v
}

pub fn list_rules(args: &RulesArgs) -> std::io::Result<u8> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let metas = metas();
    match args.format {
        InfoFormat::Json => {
            let all: Vec<_> = metas.iter().map(|m| to_json(m)).collect();
            serde_json::to_writer_pretty(&mut out, &all).map_err(std::io::Error::other)?;
            writeln!(out)?;
        }
        InfoFormat::Text => {
            let width = metas.iter().map(|m| m.id.len()).max().unwrap_or(10);
            writeln!(out, "{:<width$}  {:<8}  TITLE", "ID", "SEVERITY")?;
            for m in &metas {
                writeln!(
                    out,
                    "{:<width$}  {:<8}  {}",
                    m.id,
                    m.severity.as_str(),
                    m.title
                )?;
            }
            writeln!(
                out,
                "\n{} rules; `palisade explain ID` for details",
                metas.len()
            )?;
        }
    }
    out.flush()?;
    Ok(0)
}

pub fn explain(args: &ExplainArgs) -> std::io::Result<u8> {
    let metas = metas();
    let Some(meta) = metas.iter().find(|m| m.id.eq_ignore_ascii_case(&args.id)) else {
        let mut close: Vec<&str> = metas
            .iter()
            .map(|m| m.id)
            .filter(|id| {
                let a = id.to_ascii_uppercase();
                let b = args.id.to_ascii_uppercase();
                a.contains(&b) || b.contains(&a)
            })
            .collect();
        close.truncate(5);
        eprintln!("palisade: error: no rule `{}`", args.id);
        if !close.is_empty() {
            eprintln!("  did you mean: {}", close.join(", "));
        }
        eprintln!("  `palisade rules` lists every rule");
        return Ok(2);
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        InfoFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &to_json(meta))
                .map_err(std::io::Error::other)?;
            writeln!(out)?;
        }
        InfoFormat::Text => render_text(meta, &mut out)?,
    }
    out.flush()?;
    Ok(0)
}

fn render_text(m: &RuleMeta, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "{}: {}", m.id, m.title)?;
    writeln!(out)?;
    writeln!(out, "Severity:  {}", m.severity)?;
    if let Some((level, check)) = m.pss {
        writeln!(
            out,
            "Standard:  Pod Security Standards, {level} level, check `{check}`"
        )?;
    }
    let kinds = if m.kinds.contains(&"*") {
        "every kind".to_string()
    } else {
        m.kinds.join(", ")
    };
    writeln!(out, "Applies to: {kinds}")?;
    writeln!(out, "Practice:  {}", m.practice)?;
    writeln!(out)?;
    writeln!(out, "Why it matters")?;
    writeln!(out, "  {}", m.rationale)?;
    writeln!(out)?;
    writeln!(out, "How to fix")?;
    writeln!(out, "  {}", m.remediation)?;
    if !m.example.trim().is_empty() {
        writeln!(out)?;
        writeln!(out, "Example")?;
        for line in m.example.trim_end().lines() {
            writeln!(out, "  {line}")?;
        }
    }
    if !m.references.is_empty() {
        writeln!(out)?;
        writeln!(out, "References")?;
        for r in m.references {
            writeln!(out, "  - {r}")?;
        }
    }
    Ok(())
}
