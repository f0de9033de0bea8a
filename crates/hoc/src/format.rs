//! C-style `printf` formatting and `sscanf` scanning for HOC's string functions.

use crate::value::Value;

/// Formats `v` like C's `%.{precision}g`.
pub fn format_g(v: f64, precision: usize) -> String {
    format_g_alt(v, precision, false)
}

fn format_g_alt(v: f64, precision: usize, keep_zeros: bool) -> String {
    if !v.is_finite() {
        return nonfinite(v);
    }
    let p = precision.max(1);
    if v == 0.0 {
        return if keep_zeros {
            format!("{:.*}", p - 1, 0.0)
        } else {
            "0".into()
        };
    }
    let exp = format!("{:.*e}", p - 1, v);
    let e: i32 = exp
        .rsplit('e')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let s = if e < -4 || e >= p as i32 {
        let (mant, _) = exp.split_once('e').unwrap_or((&exp, ""));
        let mant = if keep_zeros {
            mant.to_string()
        } else {
            trim_zeros(mant)
        };
        format!("{mant}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
    } else {
        let decimals = (p as i32 - 1 - e).max(0) as usize;
        let f = format!("{:.*}", decimals, v);
        if keep_zeros {
            f
        } else {
            trim_zeros(&f)
        }
    };
    s
}

fn nonfinite(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v > 0.0 {
        "inf".into()
    } else {
        "-inf".into()
    }
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

fn c_exp(v: f64, precision: usize, upper: bool) -> String {
    if !v.is_finite() {
        return nonfinite(v);
    }
    let s = format!("{:.*e}", precision, v);
    let (mant, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let out = format!("{mant}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    if upper {
        out.to_uppercase()
    } else {
        out
    }
}

/// C `sprintf` with the conversions HOC programs use (`d i f e g s c x o %`, flags `-+ 0#`,
/// width, precision, `l` modifiers ignored).
pub fn sprintf(fmt: &str, args: &[Value]) -> Result<String, String> {
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut next = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        if i < chars.len() && chars[i] == '%' {
            out.push('%');
            i += 1;
            continue;
        }
        let mut flags = String::new();
        while i < chars.len() && "-+ 0#".contains(chars[i]) {
            flags.push(chars[i]);
            i += 1;
        }
        let mut width = String::new();
        while i < chars.len() && chars[i].is_ascii_digit() {
            width.push(chars[i]);
            i += 1;
        }
        let mut precision: Option<usize> = None;
        if i < chars.len() && chars[i] == '.' {
            i += 1;
            let mut p = String::new();
            while i < chars.len() && chars[i].is_ascii_digit() {
                p.push(chars[i]);
                i += 1;
            }
            precision = Some(p.parse().unwrap_or(0));
        }
        while i < chars.len() && (chars[i] == 'l' || chars[i] == 'h') {
            i += 1;
        }
        let Some(&conv) = chars.get(i) else {
            return Err("format ends inside a % conversion".into());
        };
        i += 1;
        let arg = args
            .get(next)
            .ok_or_else(|| format!("not enough arguments for format \"{fmt}\""))?;
        next += 1;
        let number = |a: &Value| match a {
            Value::Num(v) => Ok(*v),
            other => Err(format!("%{conv} needs a number, got {}", other.type_name())),
        };
        let body = match conv {
            'd' | 'i' => {
                let v = number(arg)?;
                let mut s = format!("{}", v.trunc() as i64);
                if flags.contains('+') && v >= 0.0 {
                    s.insert(0, '+');
                }
                s
            }
            'x' | 'X' | 'o' => {
                let v = number(arg)? as i64;
                match conv {
                    'x' => format!("{v:x}"),
                    'X' => format!("{v:X}"),
                    _ => format!("{v:o}"),
                }
            }
            'f' | 'F' => {
                let v = number(arg)?;
                let mut s = if v.is_finite() {
                    format!("{:.*}", precision.unwrap_or(6), v)
                } else {
                    nonfinite(v)
                };
                if flags.contains('+') && v >= 0.0 {
                    s.insert(0, '+');
                }
                s
            }
            'e' | 'E' => {
                let v = number(arg)?;
                let mut s = c_exp(v, precision.unwrap_or(6), conv == 'E');
                if flags.contains('+') && v >= 0.0 {
                    s.insert(0, '+');
                }
                s
            }
            'g' | 'G' => {
                let v = number(arg)?;
                let mut s = format_g_alt(v, precision.unwrap_or(6), flags.contains('#'));
                if conv == 'G' {
                    s = s.to_uppercase();
                }
                if flags.contains('+') && v >= 0.0 {
                    s.insert(0, '+');
                }
                s
            }
            's' => match arg {
                Value::Str(s) => match precision {
                    Some(p) => s.chars().take(p).collect(),
                    None => s.clone(),
                },
                Value::Num(v) => format_g(*v, 6),
                other => other.type_name().to_string(),
            },
            'c' => char::from_u32(number(arg)? as u32)
                .map(String::from)
                .unwrap_or_default(),
            other => {
                return Err(format!(
                    "unsupported conversion %{other} in format \"{fmt}\""
                ))
            }
        };
        let width: usize = width.parse().unwrap_or(0);
        let len = body.chars().count();
        if len < width {
            let pad = width - len;
            if flags.contains('-') {
                out.push_str(&body);
                out.extend(std::iter::repeat_n(' ', pad));
            } else if flags.contains('0') && conv != 's' {
                let (sign, digits) = if body.starts_with(['-', '+']) {
                    body.split_at(1)
                } else {
                    ("", body.as_str())
                };
                out.push_str(sign);
                out.extend(std::iter::repeat_n('0', pad));
                out.push_str(digits);
            } else {
                out.extend(std::iter::repeat_n(' ', pad));
                out.push_str(&body);
            }
        } else {
            out.push_str(&body);
        }
    }
    Ok(out)
}

/// C `sscanf` for `%d %i %f %lf %g %e %s` and literal text; returns the converted values.
pub fn sscanf(input: &str, fmt: &str) -> Vec<Value> {
    let inp: Vec<char> = input.chars().collect();
    let f: Vec<char> = fmt.chars().collect();
    let (mut i, mut k) = (0usize, 0usize);
    let mut out = Vec::new();
    while k < f.len() {
        if f[k].is_whitespace() {
            while i < inp.len() && inp[i].is_whitespace() {
                i += 1;
            }
            k += 1;
            continue;
        }
        if f[k] != '%' {
            if i < inp.len() && inp[i] == f[k] {
                i += 1;
                k += 1;
                continue;
            }
            break;
        }
        k += 1;
        while k < f.len() && (f[k] == 'l' || f[k] == 'h' || f[k].is_ascii_digit()) {
            k += 1;
        }
        let Some(&conv) = f.get(k) else { break };
        k += 1;
        while i < inp.len() && inp[i].is_whitespace() {
            i += 1;
        }
        let start = i;
        match conv {
            's' => {
                while i < inp.len() && !inp[i].is_whitespace() {
                    i += 1;
                }
                if i == start {
                    break;
                }
                out.push(Value::Str(inp[start..i].iter().collect()));
            }
            'd' | 'i' | 'f' | 'g' | 'e' => {
                let integer = conv == 'd' || conv == 'i';
                if i < inp.len() && (inp[i] == '-' || inp[i] == '+') {
                    i += 1;
                }
                while i < inp.len()
                    && (inp[i].is_ascii_digit() || (!integer && ".eE".contains(inp[i])))
                {
                    if (inp[i] == 'e' || inp[i] == 'E')
                        && i + 1 < inp.len()
                        && (inp[i + 1] == '-' || inp[i + 1] == '+')
                    {
                        i += 1;
                    }
                    i += 1;
                }
                let text: String = inp[start..i].iter().collect();
                match text.parse::<f64>() {
                    Ok(v) => out.push(Value::Num(v)),
                    Err(_) => break,
                }
            }
            _ => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printf_conversions_match_c() {
        let args = [
            Value::Num(3.0),
            Value::Str("dend".into()),
            Value::Num(0.000123456),
            Value::Num(2.5),
        ];
        assert_eq!(
            sprintf("%d %s %g %5.2f|", &args).unwrap(),
            "3 dend 0.000123456  2.50|"
        );
        assert_eq!(
            sprintf(
                "%-4d|%04d|%e",
                &[Value::Num(7.0), Value::Num(-7.0), Value::Num(12345.678)]
            )
            .unwrap(),
            "7   |-007|1.234568e+04"
        );
        assert_eq!(format_g(1e-5, 6), "1e-05");
        assert_eq!(format_g(100000.0, 6), "100000");
        assert_eq!(format_g(1234567.0, 6), "1.23457e+06");
        assert_eq!(format_g(0.5, 6), "0.5");
        assert_eq!(
            sprintf("%-5.10f", &[Value::Num(0.5)]).unwrap(),
            "0.5000000000"
        );
        assert!(sprintf("%d", &[]).is_err());
    }

    #[test]
    fn sscanf_reads_numbers_and_words() {
        let v = sscanf("12 3.5e-2 abc", "%d %lf %s");
        assert!(matches!(v[0], Value::Num(x) if x == 12.0));
        assert!(matches!(v[1], Value::Num(x) if x == 0.035));
        assert!(matches!(&v[2], Value::Str(s) if s == "abc"));
        assert_eq!(sscanf("x", "%d").len(), 0);
    }
}
