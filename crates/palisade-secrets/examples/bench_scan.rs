//! Rough throughput check: `cargo run -p palisade-secrets --example bench_scan`.
use std::time::Instant;

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/");
    let mut values = Vec::new();
    for f in ["positives.txt", "negatives.txt"] {
        let text = std::fs::read_to_string(format!("{dir}{f}")).unwrap_or_default();
        for line in text.lines() {
            if let Some((n, v)) = line.split_once('\t') {
                values.push((n.to_owned(), v.replace("\\n", "\n")));
            }
        }
    }
    let rounds = 20;
    let start = Instant::now();
    let mut hits = 0;
    for _ in 0..rounds {
        for (n, v) in &values {
            hits += usize::from(palisade_secrets::check_named_value(n, v).is_some());
        }
    }
    let el = start.elapsed();
    let n = values.len() * rounds;
    println!(
        "{n} values in {el:?}: {:.1} µs/value ({hits} hits)",
        el.as_micros() as f64 / n as f64
    );
    let big: String = values
        .iter()
        .map(|(_, v)| v.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let big = big.repeat(4);
    let start = Instant::now();
    let found = palisade_secrets::scan_text(&big);
    println!(
        "one text of {} bytes in {:?}: {} matches",
        big.len(),
        start.elapsed(),
        found.len()
    );
}
