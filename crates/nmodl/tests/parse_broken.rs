//! Broken input gives one located diagnostic per problem, never a panic or a hang.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use nmodl::{parse_and_check, Diagnostic};

/// Measures the CPU time of the calling thread where Linux reports it, else wall-clock time.
/// Tests share the machine with other builds; wall-clock time would measure the neighbours as
/// much as the parser.
struct Stopwatch {
    cpu_start: Option<Duration>,
    wall_start: Instant,
}

impl Stopwatch {
    fn start() -> Self {
        Stopwatch {
            cpu_start: thread_cpu_time(),
            wall_start: Instant::now(),
        }
    }

    fn elapsed(&self) -> Duration {
        match (self.cpu_start, thread_cpu_time()) {
            (Some(start), Some(now)) => now.saturating_sub(start),
            _ => self.wall_start.elapsed(),
        }
    }
}

/// Time the calling thread has spent on a CPU (first field of `/proc/thread-self/schedstat`,
/// in nanoseconds).
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

fn errors_of(name: &str, bytes: &[u8]) -> Vec<Diagnostic> {
    match parse_and_check(name, bytes) {
        Ok(_) => panic!("{name} was accepted"),
        Err(d) => d.into_iter().filter(Diagnostic::is_error).collect(),
    }
}

fn broken(name: &str) -> Vec<Diagnostic> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/broken")
        .join(name);
    let bytes = std::fs::read(&path).unwrap();
    errors_of(&format!("broken/{name}"), &bytes)
}

/// Exactly one error, rendered as `broken/<file>:line:col: error: …` containing `needle`.
fn single_error(name: &str, line: usize, col: usize, needle: &str) -> Diagnostic {
    let errors = broken(name);
    let rendered: Vec<String> = errors.iter().map(|d| d.to_string()).collect();
    assert_eq!(errors.len(), 1, "{name}: {rendered:#?}");
    let prefix = format!("broken/{name}:{line}:{col}: error: ");
    assert!(
        rendered[0].starts_with(&prefix),
        "{name}: {} does not start with {prefix}",
        rendered[0]
    );
    assert!(
        rendered[0].contains(needle),
        "{name}: {} lacks {needle}",
        rendered[0]
    );
    errors.into_iter().next().unwrap()
}

#[test]
fn unterminated_block() {
    single_error(
        "unterminated_block.mod",
        3,
        12,
        "BREAKPOINT block is not closed",
    );
}

#[test]
fn unknown_block() {
    single_error("unknown_block.mod", 3, 1, "unknown block `GIBBERISH`");
}

#[test]
fn undeclared_variable_with_suggestion() {
    let d = single_error("undeclared.mod", 5, 9, "`gbr` is not declared");
    assert_eq!(d.hint.as_deref(), Some("did you mean `gbar`?"));
}

#[test]
fn misspelt_keyword_with_suggestion() {
    let d = single_error("misspelt_keyword.mod", 3, 1, "unknown block `BREAKPONT`");
    assert_eq!(d.hint.as_deref(), Some("did you mean `BREAKPOINT`?"));
}

#[test]
fn empty_file_lacks_a_mechanism_name() {
    single_error(
        "empty.mod",
        1,
        1,
        "no SUFFIX, POINT_PROCESS or ARTIFICIAL_CELL",
    );
}

#[test]
fn c_code_in_verbatim_is_unsupported() {
    single_error(
        "unsupported_verbatim.mod",
        4,
        1,
        "unsupported C code in VERBATIM block",
    );
}

#[test]
fn cnexp_cannot_solve_kinetic() {
    let d = single_error(
        "wrong_method.mod",
        4,
        25,
        "METHOD cnexp cannot solve `scheme`",
    );
    assert!(d.hint.unwrap().contains("sparse"));
}

#[test]
fn semantic_checks_report_each_problem_once() {
    let text = "NEURON { SUFFIX s USEION ca READ cax WRITE ica }\n\
                PARAMETER { g = 1  g = 2 }\n\
                STATE { m }\n\
                ASSIGNED { ica }\n\
                BREAKPOINT { ica = foo(g) + exp(1, 2)\n m' = 1\n ~ m <-> m (1, 1) }\n\
                DERIVATIVE d { g' = 1 }\n";
    let errors = errors_of("sema.mod", text.as_bytes());
    let messages: Vec<String> = errors.iter().map(|d| d.message.clone()).collect();
    let expected = [
        "`cax` is not a variable of ion `ca`",
        "`g` is declared twice",
        "call to unknown function `foo`",
        "`exp` (built-in function) takes 1 argument but is called with 2",
        "a derivative equation `x' = …` is only allowed in DERIVATIVE blocks",
        "a `~` reaction is only allowed in KINETIC blocks",
        "`g'` is a derivative of `g`, which is a PARAMETER, not a STATE",
    ];
    assert_eq!(messages.len(), expected.len(), "{messages:#?}");
    for (m, e) in messages.iter().zip(expected) {
        assert!(m.contains(e), "{m} lacks {e}");
    }
}

#[test]
fn binary_garbage_is_reported_not_panicked() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..200_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let errors = errors_of("garbage.bin", &bytes);
    assert!(!errors.is_empty());
    assert!(errors.len() <= nmodl::parser::MAX_ERRORS + 1);
    assert!(errors
        .iter()
        .all(|d| d.to_string().starts_with("garbage.bin:")));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for (open, close) in [("(", ")"), ("-", ""), ("{", "}"), ("x^", "1"), ("y[", "]")] {
        let depth = 10_000;
        let body = format!("{}y{}", open.repeat(depth), close.repeat(depth));
        let text =
            format!("NEURON {{ SUFFIX deep }}\nASSIGNED {{ y }}\nBREAKPOINT {{ y = {body} }}\n");
        let text = if open == "{" {
            format!("NEURON {{ SUFFIX deep }}\nBREAKPOINT {body}\n")
        } else {
            text
        };
        let errors = errors_of("deep.mod", text.as_bytes());
        assert!(
            errors
                .iter()
                .any(|d| d.message.contains("too deep") || d.message.contains("too long")),
            "{open}: {errors:?}"
        );
        assert!(errors.len() <= 3, "{open}: {errors:#?}");
    }
    // A long flat chain is cut, not recursed into.
    let chain = vec!["y"; 50_000].join(" + ");
    let text =
        format!("NEURON {{ SUFFIX chain }}\nASSIGNED {{ y }}\nBREAKPOINT {{ y = {chain} }}\n");
    let errors = errors_of("chain.mod", text.as_bytes());
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].message.contains("too long"));
}

#[test]
fn long_else_if_chain_is_bounded() {
    let mut text =
        String::from("NEURON { SUFFIX c }\nASSIGNED { y }\nBREAKPOINT {\n if (y) { y = 1 }");
    for _ in 0..5000 {
        text.push_str(" else if (y) { y = 1 }");
    }
    text.push_str("\n}\n");
    let errors = errors_of("chain.mod", text.as_bytes());
    assert_eq!(errors.len(), 1, "{errors:#?}");
}

#[test]
fn fifty_megabytes_finish_quickly() {
    // A valid mechanism whose PROCEDURE holds ~50 MB of statements and comments.
    let mut text = String::with_capacity(52 << 20);
    text.push_str("NEURON { SUFFIX big RANGE a }\nASSIGNED { a }\nPROCEDURE p() {\n");
    let line = "    a = a + 1.5e-3 * (a - 2) ^ 2 : typical mod files comment most lines, at about this length\n";
    while text.len() < 50 << 20 {
        text.push_str(line);
    }
    text.push_str("}\nBREAKPOINT { p() }\n");
    let start = Stopwatch::start();
    let result = parse_and_check("big.mod", text.as_bytes());
    let elapsed = start.elapsed();
    assert!(
        result.is_ok(),
        "{:?}",
        result.err().map(|d| d[..d.len().min(3)].to_vec())
    );
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");

    // And 50 MB of one long unclosed COMMENT plus garbage.
    let mut junk = String::from("NEURON { SUFFIX junk }\nCOMMENT\n");
    junk.push_str(&"x".repeat(50 << 20));
    let start = Stopwatch::start();
    let errors = errors_of("junk.mod", junk.as_bytes());
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0]
        .to_string()
        .starts_with("junk.mod:2:1: error: COMMENT block is never closed"));
}

#[test]
fn miscased_keywords_are_errors_not_calls() {
    // `WHILE (x) { … }` used to parse as a call of `WHILE` followed by a block run once.
    let text = "NEURON { SUFFIX w }\nASSIGNED { x }\nINITIAL {\n  WHILE (x < 3) { x = x + 1 }\n  if (x) { x = 0 } ELSE { x = 1 }\n}\n";
    let errors = errors_of("w.mod", text.as_bytes());
    let rendered: Vec<String> = errors.iter().map(|d| d.to_string()).collect();
    assert_eq!(errors.len(), 2, "{rendered:#?}");
    assert!(rendered[0].starts_with("w.mod:4:3: error: `WHILE` is not an NMODL keyword"));
    assert!(
        rendered[0].contains("hint: write `while`"),
        "{}",
        rendered[0]
    );
    assert!(rendered[1].starts_with("w.mod:5:20: error: `ELSE` is not an NMODL keyword"));
}

#[test]
fn diagnostics_show_the_source_line_with_a_caret() {
    let text = "NEURON { SUFFIX c }\nASSIGNED { y }\nBREAKPOINT {\n\ty = undeclared_thing + 1\n}\n";
    let errors = errors_of("c.mod", text.as_bytes());
    assert_eq!(errors.len(), 1);
    let rendered = errors[0].to_string();
    let lines: Vec<&str> = rendered.lines().collect();
    assert!(lines[0].starts_with("c.mod:4:6: error: "), "{rendered}");
    assert_eq!(lines[1], "  |");
    assert_eq!(lines[2], "4 |     y = undeclared_thing + 1");
    assert_eq!(lines[3], "  |         ^^^^^^^^^^^^^^^^");
}

#[test]
fn fuzzer_found_inputs_stay_fixed() {
    // A span starting on a lone `\r` once made the caret renderer panic.
    let errors = broken("fuzz_crash_trailing_cr.bin");
    assert!(!errors.is_empty());
    for d in &errors {
        assert!(d
            .to_string()
            .starts_with("broken/fuzz_crash_trailing_cr.bin:"));
    }
}
