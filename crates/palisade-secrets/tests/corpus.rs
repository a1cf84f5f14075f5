//! Precision and recall of `check_named_value` over the corpus in
//! `tests/corpus/` (see its README). Run with
//! `cargo test -p palisade-secrets --test corpus -- --nocapture` to see the numbers.

use palisade_secrets::check_named_value;

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn load(file: &str) -> Vec<(String, String)> {
    let path = format!("{}/tests/corpus/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, value) = l.split_once('\t').unwrap_or_else(|| panic!("no tab: {l}"));
            (name.to_owned(), unescape(value))
        })
        .collect()
}

#[test]
fn precision_and_recall() {
    let positives = load("positives.txt");
    let negatives = load("negatives.txt");
    assert!(positives.len() >= 60, "{}", positives.len());
    assert!(negatives.len() >= 300, "{}", negatives.len());

    let mut missed = Vec::new();
    for (name, value) in &positives {
        match check_named_value(name, value) {
            Some(m) => {
                if std::env::var_os("CORPUS_VERBOSE").is_some() {
                    println!(
                        "{name:40} {:28} {:6} {}",
                        m.detector, m.confidence, m.redacted
                    );
                }
                // The reported range must be inside the value and redacted.
                assert!(value.get(m.range.clone()).is_some(), "{name}: bad range");
                assert!(!m.redacted.contains(value.as_str()));
            }
            None => missed.push(name.as_str()),
        }
    }
    let mut false_pos = Vec::new();
    for (name, value) in &negatives {
        if let Some(m) = check_named_value(name, value) {
            false_pos.push(format!("{name} -> {} ({})", m.detector, m.redacted));
        }
    }
    let tp = (positives.len() - missed.len()) as f64;
    let fp = false_pos.len() as f64;
    let recall = tp / positives.len() as f64;
    let precision = tp / (tp + fp);
    let fp_rate = fp / negatives.len() as f64;
    println!(
        "corpus: {} positives, {} negatives; recall {recall:.3}, precision {precision:.3}, false-positive rate {fp_rate:.4}",
        positives.len(),
        negatives.len()
    );
    println!("missed: {missed:?}");
    println!("false positives: {false_pos:#?}");
    assert!(recall >= 0.95, "recall {recall:.3}, missed {missed:?}");
    assert!(
        fp_rate <= 0.01,
        "false-positive rate {fp_rate:.4}: {false_pos:#?}"
    );
}

#[test]
fn every_positive_detector_id_is_documented() {
    let docs = std::fs::read_to_string(format!(
        "{}/../../docs/secrets.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    for (id, _) in palisade_secrets::detectors() {
        assert!(
            docs.contains(&format!("`{id}`")),
            "docs/secrets.md lacks `{id}`"
        );
    }
}
