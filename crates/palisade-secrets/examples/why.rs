//! Prints the matched secret text for each line of stdin (debug aid).
use std::io::BufRead;
fn main() {
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        for m in palisade_secrets::scan_text(&line) {
            println!(
                "{} {:?}",
                m.detector,
                line.get(m.range.clone()).unwrap_or_default()
            );
        }
    }
}
