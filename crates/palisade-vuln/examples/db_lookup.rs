//! Times opening a database and looking up many package names:
//! `cargo run --release -p palisade-vuln --example db_lookup -- DB_DIR [COUNT]`.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = Path::new(args.get(1).map_or(".", String::as_str));
    let count: usize = args.get(2).and_then(|c| c.parse().ok()).unwrap_or(10_000);
    let t = Instant::now();
    let db = palisade_vuln::Database::open(dir).unwrap();
    let opened = t.elapsed();
    let real = [
        ("PyPI", "django"),
        ("Ubuntu", "pam"),
        ("AlmaLinux", "kernel"),
        ("crates.io", "openssl"),
        ("Alpine", "openssl"),
    ];
    let t = Instant::now();
    let mut hits = 0;
    for i in 0..count {
        let (fam, name) = if i % 10 == 0 && std::env::var_os("ONLY_EMPTY").is_none() {
            real[i / 10 % real.len()]
        } else {
            ("npm", "no-such-package")
        };
        hits += db.advisories_for(fam, name).unwrap().len();
    }
    println!(
        "open {opened:?}, {count} lookups {:?}, {hits} entries",
        t.elapsed()
    );
}
