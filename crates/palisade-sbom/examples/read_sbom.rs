//! Reads an SBOM and prints what palisade sees in it.
//!
//! `cargo run -p palisade-sbom --example read_sbom -- FILE`

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: read_sbom FILE");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    match palisade_sbom::read(&bytes, &path) {
        Ok(s) => {
            println!("{} {}", s.format, s.spec_version);
            println!("subject: {:?}", s.subject);
            println!("os: {:?}", s.os);
            for p in &s.packages {
                println!(
                    "{}\t{}\t{}\t{}\tsrc={:?} {:?}\tlayer={} path={}",
                    p.ecosystem,
                    p.name,
                    p.version,
                    p.purl,
                    p.source_name,
                    p.source_version,
                    p.layer,
                    p.path
                );
            }
            for n in &s.notes {
                println!("note: {n}");
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
