//! `scan_text`, `check_named_value`, `redact` and `is_credential_name` never
//! panic and always return well-formed results, on generated strings built
//! from detector fragments, multi-byte characters and very long inputs.

use palisade_secrets::{
    check_named_value, is_credential_name, redact, scan_text, shannon_entropy, MAX_SCAN_BYTES,
};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Pieces that steer the generator into every detector's code paths.
const FRAGMENTS: &[&str] = &[
    "-----BEGIN PRIVATE KEY-----",
    "-----END PRIVATE KEY-----",
    "-----BEGIN CERTIFICATE-----",
    "-----END CERTIFICATE-----",
    "Proc-Type: 4,ENCRYPTED\n",
    "\\n",
    "AKIA",
    "ASIA",
    "aws_secret_access_key=",
    "==",
    "sig=",
    "?sv=2022-11-02&",
    "eyJ",
    "eyJhbGciOiJIUzI1NiJ9",
    ".",
    "ghp_",
    "github_pat_",
    "xoxb-1234567-",
    "https://hooks.slack.com/services/",
    "AIza",
    "sk_live_",
    "npm_",
    "sk-proj-",
    "hvs.",
    "8Q~",
    "\"auth\":\"",
    "Basic ",
    "Bearer ",
    "://",
    "user:",
    "@",
    "Password=",
    "Server=db;",
    "--password=",
    "--token ",
    "password: ",
    "\"apiKey\": \"",
    "${",
    "}}",
    "sha512-",
    "é",
    "日本",
    "🎉",
    "\u{0}",
    "\r\n",
    "\t",
    " ",
    ";",
    "'",
    "\"",
    "/",
    "+",
    "-",
    "_",
];

const ALPHABET: &str =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-.:éß日🎉";

fn generate(r: &mut Rng, max_parts: usize) -> String {
    let alphabet: Vec<char> = ALPHABET.chars().collect();
    let mut s = String::new();
    for _ in 0..r.below(max_parts) + 1 {
        if r.below(3) == 0 {
            s.push_str(FRAGMENTS[r.below(FRAGMENTS.len())]);
        } else {
            for _ in 0..r.below(48) + 1 {
                s.push(alphabet[r.below(alphabet.len())]);
            }
        }
    }
    s
}

fn check_well_formed(text: &str) {
    let found = scan_text(text);
    let mut last_end = 0;
    for m in &found {
        assert!(m.range.start >= last_end, "overlap or unsorted in {text:?}");
        assert!(m.range.start < m.range.end && m.range.end <= text.len().min(MAX_SCAN_BYTES));
        let secret = text.get(m.range.clone()).expect("char boundaries");
        assert_eq!(m.redacted, redact(secret));
        last_end = m.range.end;
    }
}

#[test]
fn generated_strings_never_panic() {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..3000 {
        let text = generate(&mut r, 24);
        check_well_formed(&text);
        let name = generate(&mut r, 3);
        let _ = is_credential_name(&name);
        if let Some(m) = check_named_value(&name, &text) {
            assert!(
                text.get(m.range.clone()).is_some(),
                "case {i}: {name:?}={text:?}"
            );
        }
        let _ = check_named_value(&text, &name);
        let red = redact(&text);
        let n = text.chars().count();
        if n < 8 {
            assert_eq!(red, "****");
        } else {
            let shown = red.chars().count() - 1;
            assert!(shown * 3 <= n, "{text:?} -> {red:?}");
        }
        assert!(shannon_entropy(&text) >= 0.0);
    }
}

#[test]
fn redaction_at_multibyte_boundaries() {
    for c in ['é', '日', '🎉', 'a'] {
        for n in 0..40 {
            let s: String = std::iter::repeat_n(c, n).collect();
            let red = redact(&s);
            if n < 8 {
                assert_eq!(red, "****");
            } else {
                assert!(red.contains('…'));
                assert!(red.chars().filter(|&x| x == c).count() * 3 <= n);
            }
        }
    }
    // Mixed widths around the cut points.
    let s = "🎉é日a🎉é日a🎉é日a";
    assert_eq!(redact(s), "🎉é…日a");
}

#[test]
fn very_long_inputs_are_bounded() {
    let mut r = Rng(42);
    // 3 MiB of generated text with a multi-byte character straddling the cap.
    let mut big = String::new();
    while big.len() < MAX_SCAN_BYTES - 1 {
        big.push('a');
    }
    big.push('日'); // starts one byte before the cap, ends past it
    while big.len() < 3 * MAX_SCAN_BYTES {
        big.push_str(&generate(&mut r, 8));
    }
    check_well_formed(&big);
    let _ = check_named_value("PASSWORD", &big);
    let _ = redact(&big);
    let _ = is_credential_name(&big);

    // A secret past the cap is not reported; one before it is.
    let token = format!("{}{}", "ghp_", "aB3".repeat(12));
    let late = format!("{}{token}", " ".repeat(MAX_SCAN_BYTES));
    assert!(scan_text(&late).is_empty());
    let early = format!("{token}{}", " ".repeat(MAX_SCAN_BYTES));
    assert_eq!(scan_text(&early).len(), 1);

    // Pathological repetition: many candidate starts, one huge run.
    for piece in [
        "password=x ",
        "eyJ.",
        "://a:b@",
        "==",
        "-----BEGIN PRIVATE KEY-----",
        "A",
    ] {
        let text = piece.repeat(200_000 / piece.len());
        check_well_formed(&text);
    }
}
