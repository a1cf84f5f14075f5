//! Scans every YAML/JSON file under a directory line by line and prints what
//! fires: `cargo run -p palisade-secrets --example scan_tree -- DIR`.
use std::path::Path;

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(p);
        }
    }
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/conformance".into());
    let mut files = Vec::new();
    walk(Path::new(&dir), &mut files);
    files.sort();
    let (mut lines, mut pairs, mut hits) = (0usize, 0usize, 0usize);
    let t = std::time::Instant::now();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let mut env_name: Option<String> = None;
        for line in text.lines() {
            lines += 1;
            let l = line.trim().trim_start_matches("- ");
            let Some((k, v)) = l.split_once(':') else {
                continue;
            };
            let (k, v) = (
                k.trim().trim_matches('"'),
                v.trim().trim_matches(|c| c == '"' || c == '\''),
            );
            if k == "name" {
                env_name = Some(v.to_owned());
            } else if k != "value" {
                env_name = None;
            }
            let name = if k == "value" {
                env_name.clone().unwrap_or_default()
            } else {
                k.to_owned()
            };
            if v.is_empty() {
                continue;
            }
            pairs += 1;
            if let Some(m) = palisade_secrets::check_named_value(&name, v) {
                hits += 1;
                println!(
                    "{}: {name} = {} [{} {}]",
                    f.display(),
                    m.redacted,
                    m.detector,
                    m.confidence
                );
            }
        }
    }
    println!(
        "{} files, {lines} lines, {pairs} pairs, {hits} hits in {:?}",
        files.len(),
        t.elapsed()
    );
}
