//! Turns HOC source text into tokens with line/column positions.
//!
//! Newlines are tokens because HOC ends statements at line ends. Comments (`//` and `/* */`)
//! are skipped. Bad characters become [`Tok::Error`] tokens so that the parser can report them
//! with a position and carry on.

use std::rc::Rc;

/// A position in a source file (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub file: Rc<str>,
    pub line: u32,
    pub col: u32,
}

/// One lexical token.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    /// `$1`, `$s2`, `$o3`: argument references (kind letter, 1-based index).
    Arg(char, usize),
    Op(&'static str),
    Newline,
    Eof,
    /// A character or construct the lexer could not read, with a message.
    Error(String),
}

/// A token with where it starts.
#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub line: u32,
    pub col: u32,
}

const OPERATORS: [&str; 33] = [
    "&&", "||", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "+", "-", "*", "/", "%", "^", "<",
    ">", "=", "!", "(", ")", "[", "]", "{", "}", ",", ".", ":", ";", "&", "?", "@",
];

/// Splits `src` into tokens; always ends with [`Tok::Eof`].
pub fn tokenize(src: &str) -> Vec<Token> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1u32, 1u32);
    let advance = |i: &mut usize, line: &mut u32, col: &mut u32, chars: &[char]| {
        if chars[*i] == '\n' {
            *line += 1;
            *col = 1;
        } else {
            *col += 1;
        }
        *i += 1;
    };
    while i < chars.len() {
        let c = chars[i];
        let (tl, tc) = (line, col);
        let push = |out: &mut Vec<Token>, tok: Tok| {
            out.push(Token {
                tok,
                line: tl,
                col: tc,
            })
        };
        if c == '\n' {
            push(&mut out, Tok::Newline);
            advance(&mut i, &mut line, &mut col, &chars);
        } else if c.is_whitespace() || c == '\0' {
            advance(&mut i, &mut line, &mut col, &chars);
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                advance(&mut i, &mut line, &mut col, &chars);
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            advance(&mut i, &mut line, &mut col, &chars);
            advance(&mut i, &mut line, &mut col, &chars);
            let mut closed = false;
            while i < chars.len() {
                if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    advance(&mut i, &mut line, &mut col, &chars);
                    advance(&mut i, &mut line, &mut col, &chars);
                    closed = true;
                    break;
                }
                advance(&mut i, &mut line, &mut col, &chars);
            }
            if !closed {
                push(&mut out, Tok::Error("unterminated /* comment".into()));
            }
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                advance(&mut i, &mut line, &mut col, &chars);
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let save = (i, line, col);
                advance(&mut i, &mut line, &mut col, &chars);
                if i < chars.len() && (chars[i] == '+' || chars[i] == '-') {
                    advance(&mut i, &mut line, &mut col, &chars);
                }
                if i < chars.len() && chars[i].is_ascii_digit() {
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        advance(&mut i, &mut line, &mut col, &chars);
                    }
                } else {
                    (i, line, col) = save;
                }
            }
            let text: String = chars[start..i].iter().collect();
            match text.parse::<f64>() {
                Ok(v) => push(&mut out, Tok::Num(v)),
                Err(_) => push(&mut out, Tok::Error(format!("malformed number `{text}`"))),
            }
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                advance(&mut i, &mut line, &mut col, &chars);
            }
            push(&mut out, Tok::Ident(chars[start..i].iter().collect()));
        } else if c == '"' {
            advance(&mut i, &mut line, &mut col, &chars);
            let mut s = String::new();
            let mut closed = false;
            while i < chars.len() && chars[i] != '\n' {
                let ch = chars[i];
                advance(&mut i, &mut line, &mut col, &chars);
                if ch == '"' {
                    closed = true;
                    break;
                }
                if ch == '\\' && i < chars.len() {
                    let e = chars[i];
                    advance(&mut i, &mut line, &mut col, &chars);
                    match e {
                        'n' => s.push('\n'),
                        't' => s.push('\t'),
                        '\n' => {}
                        other => {
                            // Keep unknown escapes (e.g. `\[` in regexes) as written.
                            if other != '"' && other != '\\' {
                                s.push('\\');
                            }
                            s.push(other);
                        }
                    }
                } else {
                    s.push(ch);
                }
            }
            if closed {
                push(&mut out, Tok::Str(s));
            } else {
                push(&mut out, Tok::Error("unterminated string".into()));
            }
        } else if c == '$' {
            advance(&mut i, &mut line, &mut col, &chars);
            let mut kind = 'n';
            if i < chars.len() && matches!(chars[i], 's' | 'o' | '&') {
                kind = chars[i];
                advance(&mut i, &mut line, &mut col, &chars);
            }
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                advance(&mut i, &mut line, &mut col, &chars);
            }
            let digits: String = chars[start..i].iter().collect();
            match digits.parse::<usize>() {
                Ok(n) if n >= 1 && kind != '&' => push(&mut out, Tok::Arg(kind, n)),
                _ => push(
                    &mut out,
                    Tok::Error("unsupported argument reference after `$`".into()),
                ),
            }
        } else if c == '\\' && chars.get(i + 1) == Some(&'\n') {
            // Line continuation.
            advance(&mut i, &mut line, &mut col, &chars);
            advance(&mut i, &mut line, &mut col, &chars);
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let op = OPERATORS
                .iter()
                .find(|op| op.len() == 2 && **op == two)
                .or_else(|| {
                    OPERATORS
                        .iter()
                        .find(|op| op.len() == 1 && op.starts_with(c))
                });
            match op {
                Some(op) => {
                    for _ in 0..op.len() {
                        advance(&mut i, &mut line, &mut col, &chars);
                    }
                    push(&mut out, Tok::Op(op));
                }
                None => {
                    let shown = if c.is_control() || !c.is_ascii() {
                        format!("U+{:04X}", c as u32)
                    } else {
                        c.to_string()
                    };
                    push(
                        &mut out,
                        Tok::Error(format!("unexpected character `{shown}`")),
                    );
                    advance(&mut i, &mut line, &mut col, &chars);
                }
            }
        }
    }
    out.push(Token {
        tok: Tok::Eof,
        line,
        col,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s).into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn numbers_names_args_and_operators() {
        assert_eq!(
            toks("x1 = .5e-3 + $2 // c\n$s1 $o3 a>=b"),
            vec![
                Tok::Ident("x1".into()),
                Tok::Op("="),
                Tok::Num(0.0005),
                Tok::Op("+"),
                Tok::Arg('n', 2),
                Tok::Newline,
                Tok::Arg('s', 1),
                Tok::Arg('o', 3),
                Tok::Ident("a".into()),
                Tok::Op(">="),
                Tok::Ident("b".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn strings_comments_and_positions() {
        let t = tokenize("/* a\n b */ \"x\\ty\"\n  @?");
        assert_eq!(t[0].tok, Tok::Str("x\ty".into()));
        assert_eq!((t[0].line, t[0].col), (2, 7));
        assert_eq!(t[2].tok, Tok::Op("@"));
        assert_eq!((t[2].line, t[2].col), (3, 3));
    }

    #[test]
    fn errors_are_tokens() {
        assert!(matches!(toks("\"abc")[0], Tok::Error(_)));
        assert!(matches!(toks("#")[0], Tok::Error(_)));
        assert!(matches!(toks("/* x")[0], Tok::Error(_)));
        assert_eq!(toks("1e")[0], Tok::Num(1.0));
    }
}
