//! SVG writer: one `<path>` per style group, real `<text>` for labels (searchable, selectable).
//!
//! Coordinates are printed with at most two decimals (1/100 px), which keeps files small and
//! output byte-for-byte deterministic.

use crate::font;
use crate::scene::{Anchor, Item, Scene};
use std::fmt::Write;

fn num(v: f64) -> String {
    let rounded = (v * 100.0).round() / 100.0;
    let text = format!("{rounded:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

fn clip_attr(clip: Option<usize>) -> String {
    clip.map(|i| format!(r#" clip-path="url(#clip{i})""#))
        .unwrap_or_default()
}

/// Renders `scene` as a standalone SVG document.
pub(crate) fn render(scene: &Scene) -> Vec<u8> {
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Helvetica, Arial, DejaVu Sans, sans-serif">"#,
        w = scene.width,
        h = scene.height
    );
    if !scene.clips.is_empty() {
        s.push_str("<defs>");
        for (i, r) in scene.clips.iter().enumerate() {
            let _ = write!(
                s,
                r#"<clipPath id="clip{i}"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath>"#,
                num(r.x),
                num(r.y),
                num(r.w),
                num(r.h)
            );
        }
        s.push_str("</defs>\n");
    }
    for item in &scene.items {
        match item {
            Item::Fill { rect, color } => {
                let _ = writeln!(
                    s,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
                    num(rect.x),
                    num(rect.y),
                    num(rect.w),
                    num(rect.h),
                    color.hex()
                );
            }
            Item::Lines {
                lines,
                color,
                width,
                clip,
            } => {
                let mut d = String::new();
                for line in lines.iter().filter(|l| !l.is_empty()) {
                    let mut previous = String::new();
                    for (k, &(x, y)) in line.iter().enumerate() {
                        // Points that round to the previous one add bytes but nothing visible.
                        let point = format!("{} {}", num(x), num(y));
                        if k > 0 && point == previous {
                            continue;
                        }
                        let _ = write!(d, "{}{point}", if k == 0 { 'M' } else { 'L' });
                        previous = point;
                    }
                }
                if d.is_empty() {
                    continue;
                }
                let _ = writeln!(
                    s,
                    r#"<path d="{d}" fill="none" stroke="{}" stroke-width="{}" stroke-linejoin="round" stroke-linecap="round"{}/>"#,
                    color.hex(),
                    num(*width),
                    clip_attr(*clip)
                );
            }
            Item::Dots {
                centres,
                radius,
                color,
                clip,
            } => {
                if centres.is_empty() {
                    continue;
                }
                // A dot is a zero-length round-capped segment: the shortest SVG for a disc.
                let mut d = String::new();
                for &(x, y) in centres {
                    let _ = write!(d, "M{} {}h0", num(x), num(y));
                }
                let _ = writeln!(
                    s,
                    r#"<path d="{d}" stroke="{}" stroke-width="{}" stroke-linecap="round"{}/>"#,
                    color.hex(),
                    num(2.0 * radius),
                    clip_attr(*clip)
                );
            }
            Item::Text {
                text,
                at,
                size,
                anchor,
                angle,
                color,
            } => {
                let anchor = match anchor {
                    Anchor::Start => "start",
                    Anchor::Middle => "middle",
                    Anchor::End => "end",
                };
                let transform = if *angle != 0.0 {
                    format!(
                        r#" transform="rotate({} {} {})""#,
                        num(-angle.to_degrees()),
                        num(at.0),
                        num(at.1)
                    )
                } else {
                    String::new()
                };
                // The layout was measured with the stroke font; a real face of the same size is
                // slightly wider, so it is scaled to the stroke font's cap height.
                let _ = writeln!(
                    s,
                    r#"<text x="{}" y="{}" font-size="{}" text-anchor="{anchor}" fill="{}"{transform}>{}</text>"#,
                    num(at.0),
                    num(at.1),
                    num(size * font::CAP_HEIGHT / font::UNITS_PER_EM / 0.72),
                    color.hex(),
                    escape(text)
                );
            }
        }
    }
    s.push_str("</svg>\n");
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_never_negative_zero() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.234), "1.23");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(12.5), "12.5");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
