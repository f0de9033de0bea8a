//! Human-readable dump of a cell description (what `bmtk check X.hoc` prints).

use std::fmt::Write;

use model::CellDescription;

/// Shortest text that reads back as exactly `v` (so f32-derived values stay visible).
fn num(v: f64) -> String {
    let plain = format!("{v}");
    let sci = format!("{v:e}");
    if plain.len() <= sci.len() + 2 {
        plain
    } else {
        sci
    }
}

/// Sections (name, nseg, L, diam, parent), mechanisms with their values, ions and point
/// processes. Uniform values print once; varying ones print per segment.
pub fn describe(cell: &CellDescription) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "cell {}: {} section(s), {} segment(s)",
        cell.name,
        cell.sections.len(),
        cell.total_segments()
    );
    for s in &cell.sections {
        let parent = match s.parent {
            Some(a) => format!(
                "{}({}) at {}({})",
                s.name,
                num(a.child_x),
                cell.sections[a.parent].name,
                num(a.parent_x)
            ),
            None => "root".to_string(),
        };
        let _ = writeln!(
            out,
            "section {}  nseg={} L={} Ra={}  {}",
            s.name,
            s.nseg(),
            num(s.length),
            num(s.ra),
            parent
        );
        if !s.pt3d.is_empty() {
            let _ = writeln!(out, "  pt3d: {} point(s)", s.pt3d.len());
        }
        if !s.mechanisms.is_empty() {
            let _ = writeln!(out, "  mechanisms: {}", s.mechanisms.join(" "));
        }
        if !s.ions.is_empty() {
            let _ = writeln!(out, "  ions: {}", s.ions.join(" "));
        }
        for (name, values) in s.range_values() {
            let first = values[0];
            if values.iter().all(|v| *v == first) {
                let _ = writeln!(out, "  {name} = {}", num(first));
            } else {
                let list: Vec<String> = values.iter().map(|v| num(*v)).collect();
                let _ = writeln!(out, "  {name} = [{}]", list.join(", "));
            }
        }
    }
    for p in &cell.point_processes {
        let values: Vec<String> = p
            .values
            .iter()
            .map(|(k, v)| format!("{k}={}", num(*v)))
            .collect();
        let _ = writeln!(
            out,
            "point {} at {}({}) {}",
            p.mechanism,
            cell.sections[p.section].name,
            num(p.x),
            values.join(" ")
        );
    }
    out
}
