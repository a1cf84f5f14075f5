#![allow(clippy::unwrap_used)] // tests may unwrap

use super::*;

fn parse(text: &str) -> Dockerfile {
    match parse_dockerfile("Dockerfile", text, &Limits::default()) {
        Ok(d) => d,
        Err(e) => panic!("{text:?}: {e}"),
    }
}

fn fail(text: &str) -> InputError {
    match parse_dockerfile("Dockerfile", text, &Limits::default()) {
        Ok(d) => panic!("{text:?}: parsed as {d:#?}"),
        Err(e) => e,
    }
}

/// All instructions of all stages, `FROM`s included, in order.
fn all(d: &Dockerfile) -> Vec<&Instruction> {
    let mut out: Vec<&Instruction> = d.global_args.iter().collect();
    for s in &d.stages {
        out.push(&s.from);
        out.extend(s.instructions.iter());
    }
    out
}

fn pos(line: u32, column: u32) -> Pos {
    Pos { line, column }
}

fn span(l1: u32, c1: u32, l2: u32, c2: u32) -> Span {
    Span::new(pos(l1, c1), pos(l2, c2))
}

/// (Dockerfile, keyword and args of the last instruction).
#[test]
fn constructs_parse_like_buildkit() {
    let cases: &[(&str, &str, &str)] = &[
        ("FROM alpine\nRUN echo hi\n", "RUN", "echo hi"),
        ("from alpine\nrun echo hi", "RUN", "echo hi"),
        ("FROM alpine\n  Run   echo hi  \n", "RUN", "echo hi"),
        ("FROM alpine\r\nRUN echo hi\r\n", "RUN", "echo hi"),
        // continuations keep the whitespace of continued lines
        (
            "FROM a\nRUN echo hello\\\n  world\n",
            "RUN",
            "echo hello  world",
        ),
        (
            "FROM a\nRUN echo hello  \\  \nworld\n",
            "RUN",
            "echo hello  world",
        ),
        // comment and empty lines inside a continuation are skipped
        (
            "FROM a\nRUN apt-get update && \\\n# a comment\n\n    apt-get install -y curl\n",
            "RUN",
            "apt-get update &&     apt-get install -y curl",
        ),
        (
            "FROM a\nRUN a \\\n  # indented comment\n  b\n",
            "RUN",
            "a   b",
        ),
        // a line holding only the escape continues and adds nothing
        ("FROM a\nENV E hello\\\n\\\nworld\n", "ENV", "E helloworld"),
        // an escaped escape does not continue
        ("FROM a\nENV C trailing\\\\\nENV D next\n", "ENV", "D next"),
        // continuation into the end of the file ends the instruction
        ("FROM alpine:3.5\n\nRUN something \\", "RUN", "something"),
        // the backtick escape
        (
            "# escape=`\nFROM windows\nRUN dir `\n  c:\\\n",
            "RUN",
            "dir   c:\\",
        ),
        // after a comment, escape is no directive any more
        (
            "# a comment\n# escape = `\n\nFROM image\nENV GOPATH \\\n\\go\n",
            "ENV",
            "GOPATH \\go",
        ),
        (
            "FROM a\nCMD [\"nginx\", \"-g\", \"daemon off;\"]",
            "CMD",
            "[\"nginx\", \"-g\", \"daemon off;\"]",
        ),
        (
            "FROM a\nHEALTHCHECK --interval=5s CMD curl -f http://x/",
            "HEALTHCHECK",
            "CMD curl -f http://x/",
        ),
        ("FROM a\nONBUILD RUN make", "ONBUILD", "RUN make"),
        ("FROM a\nMAINTAINER me", "MAINTAINER", "me"),
        ("FROM a\nSTOPSIGNAL SIGTERM", "STOPSIGNAL", "SIGTERM"),
        (
            "FROM a\nSHELL [\"/bin/bash\", \"-c\"]",
            "SHELL",
            "[\"/bin/bash\", \"-c\"]",
        ),
        ("FROM a\nVOLUME /data", "VOLUME", "/data"),
        ("FROM a\nEXPOSE 80/tcp 443", "EXPOSE", "80/tcp 443"),
        ("FROM a\nWORKDIR /app", "WORKDIR", "/app"),
        ("FROM a\nLABEL a=b c=\"d e\"", "LABEL", "a=b c=\"d e\""),
        ("FROM a\nENTRYPOINT exec app", "ENTRYPOINT", "exec app"),
        ("FROM a\nUSER 1000:1000", "USER", "1000:1000"),
        (
            "FROM a\nCOPY --from=build --chown=1:1 /a /b",
            "COPY",
            "/a /b",
        ),
        (
            "FROM a\nADD --checksum=sha256:00 https://x/y /y",
            "ADD",
            "https://x/y /y",
        ),
        (
            "FROM a\nRUN --mount=type=cache,target=/root/.cache -- pip install x",
            "RUN",
            "pip install x",
        ),
        ("FROM a\nARG A B=c", "ARG", "A B=c"),
        ("\u{feff}FROM a\nRUN x", "RUN", "x"),
    ];
    for (text, keyword, args) in cases {
        let d = parse(text);
        let last = *all(&d).last().unwrap();
        assert_eq!(
            (last.keyword.value.as_str(), last.args.value.as_str()),
            (*keyword, *args),
            "{text:?}"
        );
    }
}

#[test]
fn spans_are_exact() {
    let text = "# syntax=docker/dockerfile:1\nARG BASE=alpine:3.20\n\nFROM --platform=$BUILDPLATFORM ${BASE} AS build\n  RUN --mount=type=cache,target=/c \\\n    make all\nFROM build\nCMD [\"app\", \"--port\", \"80\"]\n";
    let d = parse(text);
    assert_eq!(d.directives.len(), 1);
    let (name, value) = &d.directives[0];
    assert_eq!(
        (name.value.as_str(), name.span),
        ("syntax", span(1, 3, 1, 9))
    );
    assert_eq!(
        (value.value.as_str(), value.span),
        ("docker/dockerfile:1", span(1, 10, 1, 29))
    );
    assert_eq!(d.global_args.len(), 1);
    assert_eq!(d.global_args[0].span, span(2, 1, 2, 21));
    let build = &d.stages[0];
    assert_eq!(build.base.value, "${BASE}");
    assert_eq!(build.base.span, span(4, 32, 4, 39));
    assert_eq!(build.name.as_ref().unwrap().value, "build");
    assert_eq!(build.name.as_ref().unwrap().span, span(4, 43, 4, 48));
    let platform = build.platform.as_ref().unwrap();
    assert_eq!(platform.value, "$BUILDPLATFORM");
    assert_eq!(platform.span, span(4, 6, 4, 31));
    let run = &build.instructions[0];
    assert_eq!(run.keyword.span, span(5, 3, 5, 6));
    assert_eq!(run.span, span(5, 3, 6, 13));
    assert_eq!(run.flags[0].value, "--mount=type=cache,target=/c");
    assert_eq!(run.flags[0].span, span(5, 7, 5, 35));
    assert_eq!(run.args.value, "make all");
    assert_eq!(run.args.span, span(6, 5, 6, 13));
    let second = &d.stages[1];
    assert_eq!(second.index, 1);
    assert_eq!(second.base.value, "build");
    assert_eq!(d.stage_named("build", 1).unwrap().index, 0);
    assert_eq!(d.ancestors(second).len(), 1);
    let cmd = &second.instructions[0];
    let items = cmd.exec_form.as_ref().unwrap();
    let values: Vec<&str> = items.iter().map(|i| i.value.as_str()).collect();
    assert_eq!(values, ["app", "--port", "80"]);
    assert_eq!(items[1].span, span(8, 13, 8, 21));
}

#[test]
fn json_form_and_its_fallback() {
    let cases: &[(&str, Option<&[&str]>)] = &[
        ("RUN [\"echo\", \"hi\"]", Some(&["echo", "hi"])),
        ("RUN []", Some(&[])),
        ("CMD [ \"a\\\"b\", \"\\u00e9\\n\" ]", Some(&["a\"b", "é\n"])),
        ("ENTRYPOINT [\"x\"]  ", Some(&["x"])),
        ("COPY [\"a b\", \"/c\"]", Some(&["a b", "/c"])),
        ("VOLUME [\"/data\"]", Some(&["/data"])),
        (
            "HEALTHCHECK CMD [\"curl\", \"-f\", \"http://x\"]",
            Some(&["curl", "-f", "http://x"]),
        ),
        // invalid JSON is the shell form, as BuildKit reads it
        ("RUN ['echo', 'hi']", None),
        ("RUN [\"echo\", \"hi\"", None),
        ("RUN [\"echo\" \"hi\"]", None),
        ("RUN [\"unterminated]", None),
        ("CMD [\"a\"] trailing", None),
        ("RUN [ -f x ] && echo", None),
        // instructions without a JSON form never have one
        ("ENV A [\"x\"]", None),
        ("LABEL a=[\"x\"]", None),
    ];
    for (line, want) in cases {
        let d = parse(&format!("FROM a\n{line}\n"));
        let got = d.stages[0].instructions[0]
            .exec_form
            .as_ref()
            .map(|v| v.iter().map(|i| i.value.as_str()).collect::<Vec<_>>());
        assert_eq!(got.as_deref(), *want, "{line}");
    }
}

#[test]
fn heredocs() {
    let d = parse(
        "FROM a\nRUN <<EOF\necho one\n  echo two\nEOF\nRUN <<-\"EOT\" bash\n\tset -e\n\t\techo hi\n\tEOT\n\
         COPY <<one.txt <<'two.txt' /dst/\nfirst\none.txt\nsecond $X\ntwo.txt\nRUN 3<<E cat <&3\nE\nRUN echo done\n",
    );
    let ins = &d.stages[0].instructions;
    assert_eq!(ins.len(), 5, "{ins:#?}");
    let h = &ins[0].heredocs[0];
    assert_eq!(h.delimiter, "EOF");
    assert_eq!(h.body.value, "echo one\n  echo two\n");
    assert_eq!(h.body.span, span(3, 1, 4, 11));
    assert!(h.expand && !h.strip_tabs);
    assert_eq!(ins[0].span, span(2, 1, 5, 4));
    let h = &ins[1].heredocs[0];
    assert_eq!(h.delimiter, "EOT");
    assert_eq!(h.body.value, "set -e\necho hi\n");
    assert!(!h.expand && h.strip_tabs);
    assert_eq!(ins[2].heredocs.len(), 2);
    assert_eq!(ins[2].heredocs[0].delimiter, "one.txt");
    assert_eq!(ins[2].heredocs[0].body.value, "first\n");
    assert_eq!(ins[2].heredocs[1].body.value, "second $X\n");
    assert!(!ins[2].heredocs[1].expand);
    assert_eq!(ins[3].heredocs[0].body.value, "");
    assert_eq!(ins[3].heredocs[0].body.span, span(16, 1, 16, 1));
    assert_eq!(ins[4].args.value, "echo done");
    assert!(ins[2].command_text().contains("second $X"));

    // Not heredocs: other instructions, the exec form, `<<<` and `<< EOF`.
    for line in [
        "ENV A=<<EOF",
        "RUN [\"cat\", \"<<EOF\"]",
        "RUN cat <<<EOF",
        "RUN cat << EOF",
        "RUN echo '<<EOF'",
    ] {
        let d = parse(&format!("FROM a\n{line}\nRUN next\n"));
        let ins = &d.stages[0].instructions;
        assert_eq!(ins.len(), 2, "{line}");
        assert!(ins[0].heredocs.is_empty(), "{line}");
    }
    // ONBUILD RUN may carry one.
    let d = parse("FROM a\nONBUILD RUN <<X\nmake\nX\n");
    assert_eq!(d.stages[0].instructions[0].heredocs[0].body.value, "make\n");
}

#[test]
fn stages_args_and_directives() {
    let d = parse(
        "# syntax=docker/dockerfile:1.7\n# escape=`\n# check=skip=all\nARG A=1\nARG B\n\
         FROM golang:1.22 as Build\nRUN go build\nFROM --platform=linux/amd64 scratch\nCOPY --from=build /app /app\n",
    );
    assert_eq!(d.directives.len(), 3);
    assert_eq!(d.escape(), '`');
    assert_eq!(d.global_args.len(), 2);
    assert_eq!(d.stages.len(), 2);
    assert_eq!(d.stages[0].name.as_ref().unwrap().value, "build");
    assert_eq!(d.stages[1].platform.as_ref().unwrap().value, "linux/amd64");
    assert_eq!(d.final_stage().unwrap().base.value, "scratch");
    assert_eq!(d.stages[1].instructions[0].flag("from"), Some("build"));
    let arg = &d.global_args[0];
    assert_eq!(
        arg.key_values('`'),
        vec![("A".to_string(), Some("1".to_string()))]
    );
    // A directive after an instruction is a comment.
    let d = parse("FROM a\n# escape=`\nRUN x \\\n y\n");
    assert_eq!(d.escape(), '\\');
    assert_eq!(d.stages[0].instructions[0].args.value, "x  y");
    // Unknown directive names end the directives.
    let d = parse("# foo=bar\n# escape=`\nFROM a\n");
    assert!(d.directives.is_empty());
}

#[test]
fn env_and_label_pairs() {
    let d = parse(
        "FROM a\nENV A=1 B=\"two words\" C=three\\ words\nENV LEGACY value with spaces\nARG X Y=z\n",
    );
    let ins = &d.stages[0].instructions;
    let kv = ins[0].key_values('\\');
    assert_eq!(
        kv,
        vec![
            ("A".into(), Some("1".into())),
            ("B".into(), Some("two words".into())),
            ("C".into(), Some("three words".into())),
        ]
    );
    assert_eq!(
        ins[1].key_values('\\'),
        vec![("LEGACY".into(), Some("value with spaces".into()))]
    );
    assert_eq!(
        ins[2].key_values('\\'),
        vec![("X".into(), None), ("Y".into(), Some("z".into()))]
    );
}

/// (Dockerfile, line, column, start of the message).
#[test]
fn every_error_has_a_place_and_a_fix() {
    let cases: &[(&str, u32, u32, &str)] = &[
        ("", 1, 1, "file with no instructions"),
        ("# only a comment\n\n", 3, 1, "file with no instructions"),
        ("ARG A=1\n", 2, 1, "no FROM instruction"),
        ("FROM a\nFORM b\n", 2, 1, "unknown instruction: FORM"),
        ("FROM a\nRUN a\n  b\n", 3, 3, "unknown instruction: b"),
        ("RUN echo\nFROM a\n", 1, 1, "RUN before the first FROM"),
        (
            "FROM a\nRUN <<EOF\necho\n",
            2,
            5,
            "unterminated heredoc `EOF`",
        ),
        (
            "FROM a\nRUN <<A <<B\na\nA\nb\n",
            2,
            9,
            "unterminated heredoc `B`",
        ),
        (
            "FROM a\nRUN <<-EOF\n\techo\n  EOF\n",
            2,
            5,
            "unterminated heredoc",
        ),
        (
            "FROM a\nRUN x\n\\",
            3,
            1,
            "line continuation `\\` at the end",
        ),
        ("FROM a\nRUN x\n  \\\n\n# c\n", 3, 3, "line continuation"),
        ("# escape=x\nFROM a\n", 1, 10, "invalid escape token `x`"),
        (
            "# escape=`\n# escape=\\\nFROM a\n",
            2,
            3,
            "only one escape parser directive",
        ),
        (
            "FROM a\nCMD [\"a\", 1]\n",
            2,
            5,
            "CMD: when using JSON array syntax",
        ),
        (
            "FROM a\nRUN [[\"a\"]]\n",
            2,
            5,
            "RUN: when using JSON array syntax",
        ),
        (
            "FROM\n",
            1,
            1,
            "FROM requires either one or three arguments",
        ),
        (
            "FROM a b\n",
            1,
            6,
            "FROM requires either one or three arguments",
        ),
        ("FROM a AS 1abc\n", 1, 11, "invalid name for build stage"),
        (
            "FROM a\nENV ONLYNAME\n",
            2,
            5,
            "ENV must have two arguments",
        ),
        (
            "FROM a\nENV A=1 B\n",
            2,
            5,
            "syntax error - can't find = in \"B\"",
        ),
        (
            "FROM a\nLABEL\n",
            2,
            1,
            "LABEL requires at least one argument",
        ),
    ];
    for (text, line, column, message) in cases {
        let e = fail(text);
        assert!(
            e.message.starts_with(message),
            "{text:?}: got {:?}, want {message:?}",
            e.message
        );
        let s = e.span.unwrap_or_else(|| panic!("{text:?}: no span"));
        assert_eq!((s.line(), s.column()), (*line, *column), "{text:?}: {e}");
        assert!(e.help.as_deref().is_some_and(|h| !h.is_empty()), "{text:?}");
        assert_eq!(&*e.file, "Dockerfile");
    }
}

#[test]
fn limits_bound_the_work() {
    let limits = Limits {
        max_file_size: 64,
        ..Limits::default()
    };
    let e = parse_dockerfile("Dockerfile", &"#".repeat(65), &limits).unwrap_err();
    assert!(e.message.contains("larger than 64 bytes"));

    let mut text = String::from("FROM a\n");
    for _ in 0..MAX_INSTRUCTIONS {
        text.push_str("RUN x\n");
    }
    let e = fail(&text);
    assert!(e.message.contains("more than"), "{e}");

    let mut text = String::from("FROM a\nRUN <<EOF\n");
    let line = "x".repeat(1023) + "\n";
    for _ in 0..(MAX_HEREDOC_BYTES / 1024 + 2) {
        text.push_str(&line);
    }
    text.push_str("EOF\n");
    let e = fail(&text);
    assert!(e.message.contains("here-document longer than"), "{e}");
}

#[test]
fn file_names() {
    for yes in [
        "Dockerfile",
        "dir/Dockerfile",
        "C:\\x\\Dockerfile",
        "Containerfile",
        "api.Dockerfile",
        "api.dockerfile",
        "Dockerfile.prod",
        "dockerfile.dev",
        "x/Containerfile.arm64",
    ] {
        assert!(is_dockerfile_name(yes), "{yes}");
    }
    for no in [
        "Dockerfile.dockerignore",
        "api.Dockerfile.dockerignore",
        "Dockerfile.yaml",
        "Dockerfile.md",
        "Dockerfile.",
        "deployment.yaml",
        "Dockerfiles/x.yaml",
        "MyDockerfile.txt",
        "-",
    ] {
        assert!(!is_dockerfile_name(no), "{no}");
    }
}

#[test]
fn loads_as_one_resource() {
    let loaded = crate::load_str(
        "svc/api.Dockerfile",
        "ARG V=1\nFROM alpine:3.20\nUSER app\n",
        &Limits::default(),
    );
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(loaded.stats.files, 1);
    assert_eq!(loaded.stats.objects, 1);
    let r = &loaded.resources[0];
    assert_eq!(r.kind, "Dockerfile");
    assert_eq!(r.name(), "api.Dockerfile");
    assert_eq!(r.api_version, "");
    assert_eq!(r.span, Span::new(pos(1, 1), pos(1, 8)));
    assert!(r.pod.is_none());
    assert_eq!(r.dockerfile.as_ref().unwrap().stages.len(), 1);

    let loaded = crate::load_str("Dockerfile", "FROM a\nBAD x\n", &Limits::default());
    assert!(loaded.resources.is_empty());
    assert_eq!(loaded.errors.len(), 1);
    assert_eq!(loaded.stats.files, 1);
    // Standard input stays YAML.
    let loaded = crate::load_str("-", "FROM a\n", &Limits::default());
    assert!(loaded.resources.is_empty());
}

/// Generated and hostile input never panics, and work stays bounded.
#[test]
fn hostile_input_never_panics() {
    let mut inputs: Vec<String> = vec![
        "FROM a\nRUN ".to_string() + &"x".repeat(1 << 20),
        "FROM a\nRUN x".to_string() + &" \\\n".repeat(20_000),
        "FROM a\nRUN x \\\n".to_string() + &"# c\n\n".repeat(20_000) + "y",
        "FROM a\n".to_string() + &"RUN <<EOF\n".repeat(1000),
        "FROM a\nRUN ".to_string() + &"<<A ".repeat(10_000) + "\nA\n",
        "FROM a\nRUN ".to_string() + &"--f ".repeat(50_000) + "x",
        "FROM a\nRUN ".to_string() + &"[".repeat(10_000) + &"]".repeat(10_000),
        "FROM a\nCMD [\"".to_string() + &"\\u".repeat(1000),
        "FROM a\nRUN \"".to_string() + &"'<<".repeat(1000),
        "\u{feff}\u{feff}# escape=`\nFROM a\nRUN `".to_string(),
        "FROM a\nRUN \\\u{e9}\u{1F600}\\\n\u{e9}".to_string(),
        "FROM a\nCMD [\"\\ud800\\udc00\", \"\\ud800\", \"\\udc00\"]\n".to_string(),
        "FROM a AS b\nFROM b AS a\nFROM a\n".to_string(),
        "\r\r\n\r\nFROM a\r".to_string(),
    ];
    // Pseudo-random NUL-free "binary-ish" text from a fixed seed.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let alphabet: Vec<char> = "FROMRUNADDCOPYENV <>-=\\`\"'[]{},:\n\r\t#$@é€😀\u{b}\u{c}\u{feff}"
        .chars()
        .collect();
    for _ in 0..300 {
        let mut s = String::from("FROM a\n");
        for _ in 0..400 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        inputs.push(s);
    }
    for text in &inputs {
        let start = std::time::Instant::now();
        let loaded = crate::load_str("Dockerfile", text, &Limits::default());
        for e in &loaded.errors {
            assert!(e.span.is_some_and(|s| s.line() >= 1 && s.column() >= 1));
        }
        for r in &loaded.resources {
            for i in all(r.dockerfile.as_ref().unwrap()) {
                assert!(i.span.start <= i.span.end, "{i:?}");
                assert!(i.span.line() >= 1 && i.keyword.span.column() >= 1);
            }
            let d = r.dockerfile.as_ref().unwrap();
            if let Some(s) = d.final_stage() {
                let _ = d.ancestors(s);
            }
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "slow on input of {} bytes",
            text.len()
        );
    }
}
