//! A small stroke font of our own, so PNG output needs no font file and no system library.
//!
//! Each glyph is a set of polylines on a grid where the baseline is y = 0, capitals and digits
//! reach y = 10, lower-case letters y = 7 and descenders y = −3 (y up). The advance of a glyph is
//! its rightmost x plus [`GAP`]. A font size of `s` pixels maps 14 grid units to `s`, so capitals
//! are about 0.71·s tall, close to a sans-serif face of the same size; that is why SVG output can
//! use plain `<text>` and still fit the layout computed from these metrics.
//!
//! Characters without a glyph are drawn as an empty box, so missing coverage is visible.

/// Horizontal space after each glyph's rightmost point, in grid units.
const GAP: f64 = 2.2;
/// Grid units per pixel of font size.
pub(crate) const UNITS_PER_EM: f64 = 14.0;
/// Cap height in grid units.
pub(crate) const CAP_HEIGHT: f64 = 10.0;

/// Polylines of one glyph in the mini format "x,y x,y|x,y ...": `|` starts a new stroke.
fn glyph_source(c: char) -> Option<&'static str> {
    Some(match c {
        '0' => "2,0 4,0 5.5,1 6,3 6,7 5.5,9 4,10 2,10 0.5,9 0,7 0,3 0.5,1 2,0",
        '1' => "1,8 3,10 3,0|1,0 5,0",
        '2' => "0,8 1,9.5 2.5,10 3.5,10 5,9.5 6,8 6,6.5 5,5 0,0 6,0",
        '3' => "0,9 1.5,10 4.5,10 6,8.8 6,7 4.5,5.5 2,5.5|4.5,5.5 6,4 6,1.5 4.5,0 1.5,0 0,1",
        '4' => "4.5,0 4.5,10 0,3 6,3",
        '5' => "5.5,10 0.5,10 0,5.5 1.5,6.5 4,6.5 6,5 6,1.5 4.5,0 1.5,0 0,1",
        '6' => "5.5,9 4,10 2,10 0.5,8.5 0,6 0,2 1.5,0 4.5,0 6,1.5 6,4 4.5,5.8 1.5,5.8 0,4",
        '7' => "0,10 6,10 2,0",
        '8' => "3,5.5 1,6.3 0.5,8 1.5,9.7 3,10 4.5,9.7 5.5,8 5,6.3 3,5.5 0.8,4.6 0,2.5 1,0.5 3,0 5,0.5 6,2.5 5.2,4.6 3,5.5",
        '9' => "6,6 4.5,4.2 1.5,4.2 0,6 0,8.5 1.5,10 4.5,10 6,8 6,4 5.5,1.5 4,0 2,0 0.5,1",
        'A' => "0,0 3,10 6,0|1.1,3.5 4.9,3.5",
        'B' => "0,5.5 4,5.5 5.5,6.2 6,7.8 5.5,9.2 4,10 0,10 0,0 4,0 5.5,0.8 6,3 5.5,4.8 4,5.5",
        'C' => "6,8.5 4.5,10 1.5,10 0,8 0,2 1.5,0 4.5,0 6,1.5",
        'D' => "0,0 0,10 3.5,10 5.5,8.5 6,6 6,4 5.5,1.5 3.5,0 0,0",
        'E' => "6,10 0,10 0,0 6,0|0,5.2 4.5,5.2",
        'F' => "6,10 0,10 0,0|0,5.2 4.5,5.2",
        'G' => "6,8.5 4.5,10 1.5,10 0,8 0,2 1.5,0 4.5,0 6,1.5 6,4.5 3.5,4.5",
        'H' => "0,0 0,10|6,0 6,10|0,5.2 6,5.2",
        'I' => "0.5,10 3.5,10|2,10 2,0|0.5,0 3.5,0",
        'J' => "5,10 5,2 3.5,0 1.5,0 0,1.5",
        'K' => "0,0 0,10|6,10 0,3.5|2,5.5 6,0",
        'L' => "0,10 0,0 6,0",
        'M' => "0,0 0,10 3.5,3 7,10 7,0",
        'N' => "0,0 0,10 6,0 6,10",
        'O' => "1.5,0 4.5,0 6,2 6,8 4.5,10 1.5,10 0,8 0,2 1.5,0",
        'P' => "0,0 0,10 4.5,10 6,8.8 6,6.2 4.5,5 0,5",
        'Q' => "1.5,0 4.5,0 6,2 6,8 4.5,10 1.5,10 0,8 0,2 1.5,0|3.5,2.5 6.5,-0.5",
        'R' => "0,0 0,10 4.5,10 6,8.8 6,6.2 4.5,5 0,5|3.5,5 6,0",
        'S' => "6,8.8 4.5,10 1.5,10 0,8.8 0,6.8 1.5,5.5 4.5,4.8 6,3.5 6,1.2 4.5,0 1.5,0 0,1.2",
        'T' => "0,10 6,10|3,10 3,0",
        'U' => "0,10 0,2 1.5,0 4.5,0 6,2 6,10",
        'V' => "0,10 3,0 6,10",
        'W' => "0,10 1.8,0 3.5,7 5.2,0 7,10",
        'X' => "0,0 6,10|0,10 6,0",
        'Y' => "0,10 3,5 6,10|3,5 3,0",
        'Z' => "0,10 6,10 0,0 6,0",
        'a' => "5,7 5,0|5,5.5 3.5,7 1.5,7 0,5.5 0,1.5 1.5,0 3.5,0 5,1.5",
        'b' => "0,10 0,0|0,5.5 1.5,7 3.5,7 5,5.5 5,1.5 3.5,0 1.5,0 0,1.5",
        'c' => "5,5.8 3.7,7 1.5,7 0,5.5 0,1.5 1.5,0 3.7,0 5,1.2",
        'd' => "5,10 5,0|5,5.5 3.5,7 1.5,7 0,5.5 0,1.5 1.5,0 3.5,0 5,1.5",
        'e' => "0,3.8 5,3.8 5,5.5 3.5,7 1.5,7 0,5.5 0,1.5 1.5,0 3.7,0 5,1.2",
        'f' => "4,10 2.8,10 1.8,9 1.8,0|0,7 4,7",
        'g' => "5,7 5,-1.5 3.5,-3 1.2,-3 0,-2|5,5.5 3.5,7 1.5,7 0,5.5 0,1.5 1.5,0 3.5,0 5,1.5",
        'h' => "0,10 0,0|0,5.5 1.5,7 3.5,7 5,5.5 5,0",
        'i' => "0,7 0,0|0,9.3 0,9.8",
        'j' => "1.5,7 1.5,-1.8 0.5,-3 -0.8,-3|1.5,9.3 1.5,9.8",
        'k' => "0,10 0,0|4.5,7 0,2.5|1.6,4 5,0",
        'l' => "0,10 0,1 1,0",
        'm' => "0,7 0,0|0,5.5 1.2,7 2.5,7 3.5,5.8 3.5,0|3.5,5.8 4.7,7 6,7 7,5.5 7,0",
        'n' => "0,7 0,0|0,5.5 1.5,7 3.5,7 5,5.5 5,0",
        'o' => "1.5,0 3.5,0 5,1.5 5,5.5 3.5,7 1.5,7 0,5.5 0,1.5 1.5,0",
        'p' => "0,7 0,-3|0,5.5 1.5,7 3.5,7 5,5.5 5,1.5 3.5,0 1.5,0 0,1.5",
        'q' => "5,7 5,-3|5,5.5 3.5,7 1.5,7 0,5.5 0,1.5 1.5,0 3.5,0 5,1.5",
        'r' => "0,7 0,0|0,4.5 1.5,6.5 3,7 4,7",
        's' => "4.8,6 3.5,7 1.3,7 0,6 0,4.6 1.2,3.8 3.8,3.2 5,2.3 5,1 3.7,0 1.3,0 0,1",
        't' => "1.5,9.5 1.5,1 2.5,0 3.8,0|0,7 3.8,7",
        'u' => "0,7 0,1.5 1.5,0 3.5,0 5,1.5|5,7 5,0",
        'v' => "0,7 2.5,0 5,7",
        'w' => "0,7 1.6,0 3.5,5.5 5.4,0 7,7",
        'x' => "0,7 5,0|0,0 5,7",
        'y' => "0,7 2.5,0|5,7 1.8,-2 0.6,-3 -0.3,-3",
        'z' => "0,7 5,7 0,0 5,0",
        'µ' | 'μ' => "0,7 0,-3|0,1.5 1.5,0 3.5,0 5,1.5|5,7 5,0",
        // The dot sits one unit in, so it stays apart from a preceding foot (the "1." in "51.0").
        '.' => "1,0 1,0.8",
        ',' => "0.5,0.6 0.5,0 -0.5,-2",
        ':' => "0,0 0,0.5|0,5.5 0,6",
        ';' => "0.5,5.5 0.5,6|0.5,0.6 0.5,0 -0.5,-2",
        '-' | '−' | '–' => "0,4 4,4",
        '+' => "0,4.5 5,4.5|2.5,2 2.5,7",
        '=' => "0,3 5,3|0,6 5,6",
        '×' => "0,2 4,6|0,6 4,2",
        '*' => "2.5,9 2.5,4|0.3,7.8 4.7,5.2|0.3,5.2 4.7,7.8",
        '/' => "0,-1 5,11",
        '\\' => "0,11 5,-1",
        '(' => "2.5,11 1,9 0,6 0,2 1,-1 2.5,-3",
        ')' => "0,11 1.5,9 2.5,6 2.5,2 1.5,-1 0,-3",
        '[' => "2.5,11 0,11 0,-3 2.5,-3",
        ']' => "0,11 2.5,11 2.5,-3 0,-3",
        '<' => "5,8 0,4.5 5,1",
        '>' => "0,8 5,4.5 0,1",
        '_' => "0,-1.5 6,-1.5",
        '\'' => "0,10 0,7.5",
        '"' => "0,10 0,7.5|2,10 2,7.5",
        '°' => "1.5,10 3,8.5 1.5,7 0,8.5 1.5,10",
        '%' => "0,0 6,10|0.8,10 1.6,9.2 0.8,8.4 0,9.2 0.8,10|5.2,1.6 6,0.8 5.2,0 4.4,0.8 5.2,1.6",
        '#' => "1.5,0 2.5,10|3.5,0 4.5,10|0,3.3 6,3.3|0,6.7 6,6.7",
        '!' => "0,10 0,3|0,0 0,0.5",
        '?' => "0,8.5 1.5,10 3.5,10 5,8.5 5,6.5 2.5,5 2.5,3|2.5,0 2.5,0.5",
        '~' => "0,4 1.2,5 2.8,4 4,5",
        '^' => "0,7 2,10 4,7",
        '|' => "0,11 0,-3",
        _ => return None,
    })
}

/// One glyph: strokes in grid units and the horizontal advance.
pub(crate) struct Glyph {
    pub strokes: Vec<Vec<(f64, f64)>>,
    pub advance: f64,
}

/// The glyph for `c`; spaces have no strokes, unknown characters become a box.
pub(crate) fn glyph(c: char) -> Glyph {
    if c == ' ' {
        return Glyph {
            strokes: Vec::new(),
            advance: 4.0,
        };
    }
    let source = glyph_source(c).unwrap_or("0,0 5,0 5,10 0,10 0,0");
    let strokes: Vec<Vec<(f64, f64)>> = source
        .split('|')
        .map(|stroke| {
            stroke
                .split_whitespace()
                .filter_map(|point| {
                    let (x, y) = point.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                })
                .collect()
        })
        .collect();
    let right = strokes
        .iter()
        .flatten()
        .map(|p| p.0)
        .fold(0.0_f64, f64::max);
    Glyph {
        strokes,
        advance: right + GAP,
    }
}

/// Width of `text` in pixels at font size `size`, without the gap after the last glyph.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    let units: f64 = text.chars().map(|c| glyph(c).advance).sum();
    ((units - GAP).max(0.0)) * size / UNITS_PER_EM
}

/// Strokes of `text` in pixel coordinates (y down), starting at `origin` on the baseline, turned
/// counter-clockwise as seen on the page by `angle` radians about the origin (π/2 = reading
/// bottom to top, as a y-axis label).
pub(crate) fn text_strokes(
    text: &str,
    origin: (f64, f64),
    size: f64,
    angle: f64,
) -> Vec<Vec<(f64, f64)>> {
    let scale = size / UNITS_PER_EM;
    let (sin, cos) = angle.sin_cos();
    let mut pen = 0.0;
    let mut out = Vec::new();
    for c in text.chars() {
        let g = glyph(c);
        for stroke in &g.strokes {
            out.push(
                stroke
                    .iter()
                    .map(|&(gx, gy)| {
                        // Grid y is up; pixel y is down. Rotate in the y-up frame, then flip.
                        let (x, y) = ((pen + gx) * scale, gy * scale);
                        (origin.0 + x * cos - y * sin, origin.1 - (x * sin + y * cos))
                    })
                    .collect(),
            );
        }
        pen += g.advance;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_printable_ascii_character_has_a_real_glyph() {
        let missing: String = (' '..='~')
            .filter(|&c| {
                c != ' ' && c != '{' && c != '}' && c != '`' && c != '&' && c != '@' && c != '$'
            })
            .filter(|&c| glyph_source(c).is_none())
            .collect();
        assert!(missing.is_empty(), "no glyph for {missing:?}");
    }

    #[test]
    fn glyphs_stay_inside_the_grid() {
        for c in (' '..='~').chain("µ°×−".chars()) {
            for (x, y) in glyph(c).strokes.into_iter().flatten() {
                assert!(
                    (-1.0..=7.5).contains(&x) && (-3.0..=11.0).contains(&y),
                    "{c:?} at {x},{y}"
                );
            }
        }
    }

    #[test]
    fn rotation_by_a_quarter_turn_reads_upwards() {
        // A stroke going right along the baseline goes up the page (pixel y decreases).
        let strokes = text_strokes("-", (100.0, 100.0), 14.0, std::f64::consts::FRAC_PI_2);
        let line = &strokes[0];
        assert!((line[0].0 - line[1].0).abs() < 1e-9);
        assert!(line[1].1 < line[0].1);
    }

    #[test]
    fn decimal_point_stands_apart_from_a_preceding_one() {
        // "51.0" once rendered as "510": the dot touched the foot of the "1".
        let one = glyph('1');
        let one_right = one
            .strokes
            .iter()
            .flatten()
            .map(|p| p.0)
            .fold(f64::MIN, f64::max);
        let dot_left = glyph('.')
            .strokes
            .iter()
            .flatten()
            .map(|p| p.0)
            .fold(f64::MAX, f64::min);
        assert!(one.advance - one_right + dot_left >= 3.0);
    }

    #[test]
    fn width_grows_with_text_and_size() {
        assert!(text_width("time (ms)", 12.0) > text_width("time", 12.0));
        assert!((text_width("v (mV)", 24.0) - 2.0 * text_width("v (mV)", 12.0)).abs() < 1e-9);
    }
}
