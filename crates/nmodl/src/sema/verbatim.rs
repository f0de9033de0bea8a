//! Deciding whether a VERBATIM block is harmless.
//!
//! bmtk-rs cannot run C. About 43 % of the VERBATIM blocks in ModelDB only hold `#include`,
//! `#define` or `extern` declarations (design doc, NMODL census §2.4); those change nothing the
//! mechanism computes and are accepted. Anything else is C code we cannot execute.

/// Whether the C text only holds preprocessor lines, `extern` declarations and comments.
pub fn is_harmless(c_code: &str) -> bool {
    let code = strip_c_comments(c_code);
    let mut rest = String::new();
    let mut continued_directive = false;
    for line in code.lines() {
        let trimmed = line.trim();
        if continued_directive {
            continued_directive = trimmed.ends_with('\\');
            continue;
        }
        if let Some(directive) = trimmed.strip_prefix('#') {
            let word = directive
                .trim_start()
                .split(|c: char| !c.is_ascii_alphabetic())
                .next()
                .unwrap_or("");
            if !matches!(
                word,
                "include"
                    | "define"
                    | "undef"
                    | "if"
                    | "ifdef"
                    | "ifndef"
                    | "else"
                    | "elif"
                    | "endif"
                    | "pragma"
            ) {
                return false;
            }
            continued_directive = trimmed.ends_with('\\');
            continue;
        }
        rest.push_str(line);
        rest.push('\n');
    }
    rest.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .all(|decl| {
            decl.strip_prefix("extern")
                .is_some_and(|after| after.starts_with(char::is_whitespace))
        })
}

fn strip_c_comments(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('/', Some('*')) => {
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    if c == '\n' {
                        out.push('\n');
                    }
                    prev = c;
                }
                out.push(' ');
            }
            ('/', Some('/')) => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::is_harmless;

    #[test]
    fn includes_externs_and_comments_are_harmless() {
        assert!(is_harmless("\n#include <stdlib.h>\n#define X 3\n/* note */\nextern double* vector_vec();\nextern int\n  ifarg(int);\n// done\n"));
        assert!(is_harmless("#define LONG(a) \\\n   (a + 1)\n"));
        assert!(is_harmless("   "));
    }

    #[test]
    fn real_code_is_not() {
        assert!(!is_harmless("_p_space = (double*)0;"));
        assert!(!is_harmless("#include <x.h>\nif (ifarg(1)) { x = 1; }"));
        assert!(!is_harmless("extern double a; a = 2;"));
        assert!(!is_harmless("#error nope"));
    }
}
