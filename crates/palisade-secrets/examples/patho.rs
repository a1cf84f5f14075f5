//! Timing of pathological inputs: `cargo run -p palisade-secrets --example patho`.
fn main() {
    for piece in [
        "password=x ",
        "eyJ.",
        "://a:b@",
        "==",
        "-----BEGIN PRIVATE KEY-----",
        "A",
        "--token x ",
        "\"auth\":\"QQ==\"",
        "sig=aaaaaaaaaaaaaaaaaaaaaaaa&",
    ] {
        let text = piece.repeat(200_000 / piece.len());
        let t = std::time::Instant::now();
        let n = palisade_secrets::scan_text(&text).len();
        println!("{piece:30} {n:6} {:?}", t.elapsed());
    }
}
