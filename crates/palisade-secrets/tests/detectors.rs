//! Per-detector true positives and near misses. Secret-shaped values are built
//! at run time (prefix + pseudo-random body) so the source holds no literal
//! credential.

use palisade_secrets::{check_named_value, scan_text, Confidence, SecretMatch};

/// Deterministic xorshift generator for test bodies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick(&mut self, n: usize, alphabet: &str) -> String {
        let a: Vec<char> = alphabet.chars().collect();
        (0..n)
            .map(|_| a[(self.next() % a.len() as u64) as usize])
            .collect()
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn b64(bytes: &[u8], url: bool) -> String {
    let alphabet: &[u8] = if url {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(alphabet[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
        if !url {
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

fn only(text: &str) -> SecretMatch {
    let found = scan_text(text);
    assert_eq!(found.len(), 1, "{text:?} -> {found:?}");
    found.into_iter().next().expect("one match")
}

fn ids(text: &str) -> Vec<&'static str> {
    scan_text(text).iter().map(|m| m.detector).collect()
}

fn secret_of<'a>(text: &'a str, m: &SecretMatch) -> &'a str {
    &text[m.range.clone()]
}

fn pem(label: &str, body: &str) -> String {
    let dashes = "-----";
    format!("{dashes}BEGIN {label}{dashes}\n{body}\n{dashes}END {label}{dashes}\n")
}

#[test]
fn private_keys() {
    let mut r = Rng(1);
    for label in [
        "RSA PRIVATE KEY",
        "EC PRIVATE KEY",
        "DSA PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
        "PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
        "PGP PRIVATE KEY BLOCK",
    ] {
        let body = b64(&r.bytes(120), false);
        let text = format!("key: |\n{}", pem(label, &body));
        let m = only(&text);
        assert_eq!(m.detector, "private-key", "{label}");
        assert_eq!(m.confidence, Confidence::High);
        assert!(secret_of(&text, &m).starts_with("-----BEGIN"));
        assert!(secret_of(&text, &m).ends_with(&format!("END {label}-----")));
    }
    // JSON-escaped newlines and an encrypted legacy header.
    let body = b64(&r.bytes(120), false);
    let text = pem(
        "RSA PRIVATE KEY",
        &format!("Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00FF\n\n{body}"),
    )
    .replace('\n', "\\n");
    assert_eq!(ids(&text), ["private-key"]);
    // Missing END line: the body still counts.
    let text = format!("-----BEGIN PRIVATE KEY-----\n{}", b64(&r.bytes(120), false));
    assert_eq!(only(&text).range, 0..text.len());
    // Near misses: header only, elided body, public material.
    assert!(scan_text("-----BEGIN PRIVATE KEY-----").is_empty());
    assert!(scan_text(&pem("PRIVATE KEY", "...")).is_empty());
    assert!(scan_text(&pem("PUBLIC KEY", &b64(&r.bytes(120), false))).is_empty());
    assert!(scan_text(&pem("CERTIFICATE", &b64(&r.bytes(300), false))).is_empty());
}

#[test]
fn aws_keys() {
    let mut r = Rng(2);
    let id = format!("{}{}", "AKIA", r.pick(16, B32));
    let secret = r.pick(40, &format!("{ALNUM}+/"));
    let m = only(&format!("export AWS_ACCESS_KEY_ID={id}"));
    assert_eq!((m.detector, m.range.clone()), ("aws-access-key-id", 25..45));
    let text = format!("[default]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n");
    assert_eq!(ids(&text), ["aws-access-key-id", "aws-secret-access-key"]);
    let m = &scan_text(&text)[1];
    assert_eq!(secret_of(&text, m), secret);
    // Session key ids.
    assert_eq!(
        ids(&format!("{}{}", "ASIA", r.pick(16, B32))),
        ["aws-access-key-id"]
    );
    // Named secret key without the id nearby.
    let m = check_named_value("AWS_SECRET_ACCESS_KEY", &secret).unwrap();
    assert_eq!(m.detector, "aws-secret-access-key");
    // Near misses: documentation key, wrong alphabet, too long, a lone 40-char
    // token, a git SHA next to a key id.
    assert!(scan_text(&format!("{}{}", "AKIAIOSFODNN7", "EXAMPLE")).is_empty());
    assert!(scan_text(&format!("{}{}", "AKIA", r.pick(16, "abcdefghij0189"))).is_empty());
    assert!(scan_text(&format!("{}{}", "AKIA", r.pick(20, B32))).is_empty());
    assert!(!ids(&format!("token {secret}")).contains(&"aws-secret-access-key"));
    let sha = r.pick(40, "0123456789abcdef");
    assert_eq!(ids(&format!("{id} commit {sha}")), ["aws-access-key-id"]);
}

#[test]
fn azure_storage_keys_and_connection_strings() {
    let mut r = Rng(3);
    let key = b64(&r.bytes(64), false);
    assert_eq!(key.len(), 88);
    assert_eq!(ids(&key), ["azure-storage-account-key"]);
    let conn = format!(
        "DefaultEndpointsProtocol=https;AccountName=logs;AccountKey={key};EndpointSuffix=core.windows.net"
    );
    let m = only(&conn);
    assert_eq!(m.detector, "azure-storage-account-key");
    assert_eq!(secret_of(&conn, &m), key);
    let sb_key = b64(&r.bytes(32), false);
    let sb = format!("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={sb_key}");
    let m = only(&sb);
    assert_eq!(
        (m.detector, secret_of(&sb, &m)),
        ("connection-string-password", sb_key.as_str())
    );
    let pw = r.pick(14, ALNUM);
    for text in [
        format!("Server=tcp:db.example.net,1433;Initial Catalog=app;User ID=app;Password={pw};"),
        format!("Data Source=sql01;User Id=app;Pwd={pw}"),
        format!("host=pg user=etl password={pw} dbname=dw"),
        format!("host=pg user=etl password='{pw}' dbname=dw"),
        format!("cache.redis:6380,password={pw},ssl=True"),
    ] {
        let m = only(&text);
        assert_eq!(
            (m.detector, secret_of(&text, &m)),
            ("connection-string-password", pw.as_str()),
            "{text}"
        );
    }
    // Near misses: digests of the same shape, base64 text, placeholders, no
    // connection-string context.
    assert!(scan_text(&format!("sha512-{key}")).is_empty());
    let text_b64 = b64(&[b'a'; 64], false);
    assert!(!ids(&text_b64).contains(&"azure-storage-account-key"));
    assert!(scan_text("Server=db;User Id=app;Password=${DB_PASSWORD};").is_empty());
    assert!(scan_text("Server=db;User Id=app;Password=<password>;").is_empty());
    assert!(!ids(&format!("password={pw}")).contains(&"connection-string-password"));
}

#[test]
fn sas_tokens() {
    let mut r = Rng(4);
    let sig = b64(&r.bytes(32), false)
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let url = format!(
        "https://acct.blob.core.windows.net/c/f.csv?sv=2022-11-02&ss=b&sp=r&se=2026-01-01T00:00:00Z&sig={sig}"
    );
    let m = only(&url);
    assert_eq!(
        (m.detector, secret_of(&url, &m)),
        ("azure-sas-token", sig.as_str())
    );
    let reordered = format!("sp=r&sig={sig}&sv=2021-06-08&sr=b");
    assert_eq!(ids(&reordered), ["azure-sas-token"]);
    // Near misses: no SAS version, placeholder signature.
    assert!(!ids(&format!("https://example.com/cb?sig={sig}")).contains(&"azure-sas-token"));
    assert!(scan_text("?sv=2022-11-02&sig=xxxxxxxxxxxxxxxxxxxxxxxx").is_empty());
}

#[test]
fn jwts() {
    let mut r = Rng(5);
    let header = b64(br#"{"alg":"RS256","typ":"JWT"}"#, true);
    let payload = b64(br#"{"sub":"system:serviceaccount:ci:deployer"}"#, true);
    let sig = b64(&r.bytes(64), true);
    let jwt = format!("{header}.{payload}.{sig}");
    let text = format!("Authorization: Bearer {jwt}");
    let m = only(&text);
    assert_eq!((m.detector, secret_of(&text, &m)), ("jwt", jwt.as_str()));
    // Near misses: no alg, alg none, payload not JSON.
    let no_alg = b64(br#"{"typ":"JWT","kid":"k1"}"#, true);
    assert!(!ids(&format!("{no_alg}.{payload}.{sig}")).contains(&"jwt"));
    let none = b64(br#"{"alg":"none"}"#, true);
    assert!(!ids(&format!("{none}.{payload}.{sig}")).contains(&"jwt"));
    let not_json = b64(b"hello world, not json", true);
    assert!(!ids(&format!("{header}.{not_json}.{sig}")).contains(&"jwt"));
}

#[test]
fn prefixed_tokens() {
    let mut r = Rng(6);
    let digits = "0123456789";
    let cases: Vec<(String, &str)> = vec![
        (format!("{}{}", "ghp_", r.pick(36, ALNUM)), "github-token"),
        (format!("{}{}", "gho_", r.pick(36, ALNUM)), "github-token"),
        (format!("{}{}", "ghs_", r.pick(36, ALNUM)), "github-token"),
        (format!("{}{}", "ghu_", r.pick(36, ALNUM)), "github-token"),
        (format!("{}{}", "ghr_", r.pick(36, ALNUM)), "github-token"),
        (
            format!(
                "{}{}_{}",
                "github_pat_",
                r.pick(22, ALNUM),
                r.pick(59, ALNUM)
            ),
            "github-token",
        ),
        (format!("{}{}", "glpat-", r.pick(20, ALNUM)), "gitlab-token"),
        (
            format!(
                "{}{}-{}-{}",
                "xoxb-",
                r.pick(12, digits),
                r.pick(13, digits),
                r.pick(24, ALNUM)
            ),
            "slack-token",
        ),
        (
            format!(
                "{}{}-{}-{}",
                "xoxp-",
                r.pick(12, digits),
                r.pick(12, digits),
                r.pick(32, ALNUM)
            ),
            "slack-token",
        ),
        (
            format!(
                "{}T{}/B{}/{}",
                "https://hooks.slack.com/services/",
                r.pick(8, B32),
                r.pick(10, B32),
                r.pick(24, ALNUM)
            ),
            "slack-webhook",
        ),
        (format!("{}{}", "AIza", r.pick(35, ALNUM)), "google-api-key"),
        (
            format!("{}{}", "sk_live_", r.pick(24, ALNUM)),
            "stripe-secret-key",
        ),
        (
            format!("{}{}", "rk_live_", r.pick(24, ALNUM)),
            "stripe-secret-key",
        ),
        (
            format!("{}{}", "sk_test_", r.pick(24, ALNUM)),
            "stripe-test-key",
        ),
        (format!("{}{}", "npm_", r.pick(36, ALNUM)), "npm-token"),
        (
            format!("{}{}", "sk-proj-", r.pick(64, ALNUM)),
            "openai-api-key",
        ),
        (
            format!("{}{}", "sk-ant-api03-", r.pick(93, ALNUM)),
            "anthropic-api-key",
        ),
        (
            format!("{}{}", "hf_", r.pick(34, ALNUM)),
            "huggingface-token",
        ),
        (
            format!("{}{}.{}", "SG.", r.pick(22, ALNUM), r.pick(43, ALNUM)),
            "sendgrid-api-key",
        ),
        (format!("{}{}", "hvs.", r.pick(90, ALNUM)), "vault-token"),
        (
            format!("{}{}{}", r.pick(3, ALNUM), "8Q~", r.pick(34, ALNUM)),
            "azure-ad-client-secret",
        ),
    ];
    for (token, id) in &cases {
        let text = format!("value: \"{token}\"");
        let m = only(&text);
        assert_eq!(
            (m.detector, secret_of(&text, &m)),
            (*id, token.as_str()),
            "{token}"
        );
    }
    // Near misses: too short, glued into a longer word, publishable key.
    assert!(scan_text(&format!("{}{}", "ghp_", r.pick(20, ALNUM))).is_empty());
    assert!(!ids(&format!("x{}{}", "npm_", r.pick(36, ALNUM))).contains(&"npm-token"));
    assert!(scan_text(&format!("{}{}", "AIza", r.pick(20, ALNUM))).is_empty());
    assert!(check_named_value(
        "STRIPE_PUBLISHABLE_KEY",
        &format!("{}{}", "pk_live_", r.pick(99, ALNUM))
    )
    .is_none());
    assert!(scan_text("xoxb-not-a-token").is_empty());
}

#[test]
fn basic_auth_and_docker_config() {
    let mut r = Rng(7);
    let pw = r.pick(16, ALNUM);
    let auth = b64(format!("deploy:{pw}").as_bytes(), false);
    let cfg = format!(r#"{{"auths":{{"registry.example.com":{{"auth":"{auth}"}}}}}}"#);
    assert_eq!(ids(&cfg), ["docker-config-auth"]);
    let hdr = format!("proxy_set_header Authorization \"Basic {auth}\";");
    assert_eq!(ids(&hdr), ["http-basic-auth"]);
    // Near misses: no password, placeholder password.
    let no_pw = b64(b"deploy:", false);
    assert!(!ids(&format!(r#"{{"auth":"{no_pw}"}}"#)).contains(&"docker-config-auth"));
    let placeholder = b64(b"user:changeme", false);
    assert!(scan_text(&format!("Basic {placeholder}")).is_empty());
}

#[test]
fn url_passwords() {
    let mut r = Rng(8);
    let pw = r.pick(16, ALNUM);
    for url in [
        format!("postgres://orders:{pw}@db:5432/orders"),
        format!("redis://:{pw}@redis:6379/0"),
        format!("jdbc:mysql://app:{pw}@mysql:3306/app"),
        format!("git clone https://x-access-token:{pw}@git.example.com/a/b.git"),
    ] {
        let m = only(&url);
        assert_eq!(
            (m.detector, secret_of(&url, &m)),
            ("url-password", pw.as_str()),
            "{url}"
        );
    }
    for near in [
        "postgres://orders:${DB_PASSWORD}@db/orders",
        "postgres://orders:$(DB_PASSWORD)@db/orders",
        "postgres://{{ .user }}:{{ .pass }}@db/orders",
        "postgres://orders:password@db/orders",
        "https://key123@o1.ingest.sentry.io/42",
        "http://db:5432/orders",
        "amqp://user:<password>@rabbit/",
    ] {
        assert!(scan_text(near).is_empty(), "{near}");
    }
}

#[test]
fn flags_and_assignments() {
    let mut r = Rng(9);
    let pw = r.pick(14, ALNUM);
    let cmd = format!("mysqldump --user=root --password={pw} --all-databases");
    let m = only(&cmd);
    assert_eq!(
        (m.detector, m.confidence, secret_of(&cmd, &m)),
        ("credential-flag", Confidence::High, pw.as_str())
    );
    let spaced = format!("vault login --token {pw}");
    assert_eq!(only(&spaced).confidence, Confidence::Medium);
    for near in [
        "--password-file=/run/secrets/pw",
        "--token-auth-file /etc/tokens.csv",
        "--password=$(cat /run/secrets/pw)",
        "--auth --verbose",
        "--anonymous-auth=false",
    ] {
        assert!(scan_text(near).is_empty(), "{near}");
    }
    let props = format!("spring.datasource.username=app\nspring.datasource.password={pw}\n");
    let m = only(&props);
    assert_eq!(
        (m.detector, secret_of(&props, &m)),
        ("named-credential", pw.as_str())
    );
    let json = format!(r#"{{"apiKey": "{pw}", "apiUrl": "https://x"}}"#);
    assert_eq!(ids(&json), ["named-credential"]);
    let yaml = format!("auth:\n  password: \"{pw}\"\n  passwordFile: /x\n");
    assert_eq!(ids(&yaml), ["named-credential"]);
    assert!(scan_text("password: ${DB_PASSWORD}\ntoken_url: https://x/token").is_empty());
}

#[test]
fn generic_high_entropy() {
    let mut r = Rng(10);
    let token = r.pick(40, ALNUM);
    let m = only(&format!("seed {token}"));
    assert_eq!(
        (m.detector, m.confidence),
        ("generic-high-entropy", Confidence::Medium)
    );
    let uuid = "7f3c2a9e-1b4d-4c8e-9a6f-2d5e8b1c4a7f";
    let digest = format!("sha256:{}", r.pick(64, "0123456789abcdef"));
    let blob = b64(
        b"log:\n  level: info\nserver:\n  port: 8080\n  readTimeout: 30s\n",
        false,
    );
    for near in [
        uuid.to_owned(),
        format!("ghcr.io/acme/app@{digest}"),
        blob,
        "ThisIsAVeryLongCamelCaseIdentifierForTheOrdersApi2".to_owned(),
        "orders-api-prod-westeurope-deployment-controller-manager".to_owned(),
        "/subscriptions/0000/resourceGroups/rg-orders-prod/providers/Microsoft.Storage".to_owned(),
        "https://stordersprodweu.blob.core.windows.net/invoices/2024/06/invoice-000123.pdf"
            .to_owned(),
        r.pick(31, ALNUM),
    ] {
        assert!(
            scan_text(&near).is_empty(),
            "{near} -> {:?}",
            scan_text(&near)
        );
    }
    // Names that say public or identifier veto the generic match.
    assert!(check_named_value("RECAPTCHA_SITE_KEY", &token).is_none());
    assert!(check_named_value("BUILD_ID", &token).is_none());
    assert_eq!(
        check_named_value("SEED", &token).unwrap().detector,
        "generic-high-entropy"
    );
}

#[test]
fn named_values() {
    let mut r = Rng(11);
    let pw = r.pick(12, ALNUM);
    let m = check_named_value("DB_PASSWORD", &format!("  {pw} ")).unwrap();
    assert_eq!(
        (m.detector, m.range.clone(), m.confidence),
        ("named-credential", 2..14, Confidence::High)
    );
    assert_eq!(
        check_named_value("--db-password", "s3cr")
            .unwrap()
            .confidence,
        Confidence::Medium
    );
    for (name, value) in [
        ("DB_PASSWORD", ""),
        ("DB_PASSWORD", "changeme"),
        ("DB_PASSWORD", "<password>"),
        ("DB_PASSWORD", "${DB_PASSWORD}"),
        ("DB_PASSWORD", "$(DB_PASSWORD)"),
        ("DB_PASSWORD", "{{ .Values.x }}"),
        ("DB_PASSWORD", "REPLACE_ME"),
        ("DB_PASSWORD", "xxx"),
        ("DB_PASSWORD", "/run/secrets/db"),
        ("DB_PASSWORD", "https://vault.example.com/v1/secret"),
        ("DB_PASSWORD", "true"),
        ("DB_PASSWORD", "8080"),
        (
            "DB_PASSWORD",
            "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/db/)",
        ),
        ("DB_PASSWORD", "vault:secret/data/db#password"),
        ("TOKEN_URL", "https://x/token"),
        ("PASSWORD_FILE", "/run/secrets/db"),
        ("SECRET_NAME", "db-credentials"),
        ("HOST", pw.as_str()),
    ] {
        assert!(check_named_value(name, value).is_none(), "{name}={value}");
    }
    // A known format wins over the name, whatever the name.
    let gh = format!("{}{}", "ghp_", r.pick(36, ALNUM));
    assert_eq!(
        check_named_value("args", &format!("--token={gh}"))
            .unwrap()
            .detector,
        "github-token"
    );
    assert_eq!(
        check_named_value("GITHUB_TOKEN", &gh).unwrap().detector,
        "github-token"
    );
}

#[test]
fn matches_are_sorted_and_disjoint() {
    let mut r = Rng(12);
    let text = format!(
        "a={} b=postgres://u:{}@h/db c={}{} d={}",
        r.pick(40, ALNUM),
        r.pick(12, ALNUM),
        "AKIA",
        r.pick(16, B32),
        r.pick(44, ALNUM)
    );
    let found = scan_text(&text);
    assert_eq!(found.len(), 4, "{found:?}");
    for w in found.windows(2) {
        assert!(w[0].range.end <= w[1].range.start);
    }
    for m in &found {
        let s = secret_of(&text, m);
        assert_eq!(m.redacted, palisade_secrets::redact(s));
        assert!(!m.redacted.contains(s));
    }
}

#[test]
fn generic_recall_on_random_tokens() {
    // Random key material in the usual alphabets must mostly fire; the
    // filters (entropy, word-likeness, path shape) cost a little recall.
    let mut r = Rng(13);
    for (alphabet, len) in [
        (ALNUM.to_owned(), 32),
        (ALNUM.to_owned(), 40),
        (format!("{ALNUM}+/"), 44),
        (format!("{ALNUM}-_"), 64),
    ] {
        let total = 2000;
        let hits = (0..total)
            .filter(|_| {
                let token = r.pick(len, &alphabet);
                scan_text(&format!("k {token}")).len() == 1
            })
            .count();
        let rate = hits as f64 / total as f64;
        println!("generic recall, {len} chars: {rate:.3}");
        assert!(rate >= 0.9, "{len}: {rate}");
    }
}
