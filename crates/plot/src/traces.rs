//! Trace figures: panels stacked vertically over one shared time axis.
//!
//! Long recordings (a million samples at dt = 0.001 ms) are reduced before drawing: for each
//! pixel column the first, lowest, highest and last sample are kept in time order. The line
//! then looks exactly as if every sample were drawn (every extreme is kept), while an SVG holds
//! at most four points per column.

use crate::figure::{self, Frame, Style, Swatch, PAD};
use crate::scene::{Item, Rect, Scene, PALETTE};
use crate::ticks::{self, Ticks};
use crate::{Error, Options, Panel};

/// Default height of one panel when the figure height is automatic.
const PANEL_HEIGHT: f64 = 220.0;

fn data_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

fn check_range(what: &'static str, range: (f64, f64)) -> Result<(f64, f64), Error> {
    if range.0.is_finite() && range.1.is_finite() && range.0 < range.1 {
        Ok(range)
    } else {
        Err(Error::InvalidRange {
            what,
            lo: range.0,
            hi: range.1,
        })
    }
}

/// Checks the panels and returns the shared time range.
fn validate(panels: &[Panel], opts: &Options) -> Result<(f64, f64), Error> {
    if panels.is_empty() || panels.iter().all(|p| p.series.is_empty()) {
        return Err(Error::NoData);
    }
    for panel in panels {
        for s in &panel.series {
            if s.t.len() != s.y.len() {
                return Err(Error::LengthMismatch {
                    series: s.name.clone(),
                    t: s.t.len(),
                    y: s.y.len(),
                });
            }
        }
        if let Some(r) = panel.y_range {
            check_range("y_range", r)?;
        }
    }
    if let Some(r) = opts.x_range {
        return check_range("x_range", r);
    }
    let all_t = panels
        .iter()
        .flat_map(|p| &p.series)
        .flat_map(|s| s.t.iter().copied());
    Ok(match data_range(all_t) {
        Some((lo, hi)) if hi > lo => (lo, hi),
        Some((lo, _)) => ticks::padded_range(lo, lo, 0.0),
        None => (0.0, 1.0),
    })
}

/// Min/max decimation per pixel column; non-finite samples break the line.
fn decimate(t: &[f64], y: &[f64], frame: &Frame) -> Vec<Vec<(f64, f64)>> {
    let mut lines: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    // Bucket: column, and indices of first, min, max, last sample in it.
    let mut bucket: Option<(i64, [usize; 4])> = None;
    let flush = |bucket: &mut Option<(i64, [usize; 4])>, current: &mut Vec<(f64, f64)>| {
        if let Some((_, idx)) = bucket.take() {
            let mut order = idx;
            order.sort_unstable();
            let mut last = usize::MAX;
            for i in order {
                if i != last {
                    current.push((frame.px(t[i]), frame.py(y[i])));
                    last = i;
                }
            }
        }
    };
    let width = frame.rect.w.max(1.0) as i64;
    for i in 0..t.len() {
        if !(t[i].is_finite() && y[i].is_finite()) {
            flush(&mut bucket, &mut current);
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            continue;
        }
        let column = ((frame.px(t[i]) - frame.rect.x).floor() as i64).clamp(-1, width + 1);
        match &mut bucket {
            Some((c, idx)) if *c == column => {
                if y[i] < y[idx[1]] {
                    idx[1] = i;
                }
                if y[i] > y[idx[2]] {
                    idx[2] = i;
                }
                idx[3] = i;
            }
            _ => {
                flush(&mut bucket, &mut current);
                bucket = Some((column, [i; 4]));
            }
        }
    }
    flush(&mut bucket, &mut current);
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

fn tick_target(pixels: f64, per_tick: f64) -> usize {
    ((pixels / per_tick).round() as usize).clamp(2, 10)
}

/// Lays out the trace figure.
pub(crate) fn scene(panels: &[Panel], opts: &Options) -> Result<Scene, Error> {
    let x_range = validate(panels, opts)?;
    let style = Style::from(opts);
    let n = panels.len() as f64;
    let top = style.top_margin(opts.title.is_some());
    let bottom = style.bottom_margin(!opts.x_label.is_empty());
    let gap = 8.0 + figure::Style::cap(style.tick_font) + 6.0;
    let height = if opts.height == 0 {
        (top + bottom + n * PANEL_HEIGHT + (n - 1.0) * gap).round() as u32
    } else {
        opts.height
    };
    crate::check_size(opts.width, height)?;
    let panel_h = (height as f64 - top - bottom - (n - 1.0) * gap) / n;
    if panel_h < 20.0 {
        return Err(Error::InvalidSize {
            width: opts.width,
            height,
        });
    }

    // Y ranges and ticks first: their label widths decide the left margin.
    let mut y_axes: Vec<((f64, f64), Ticks)> = Vec::new();
    for panel in panels {
        let range = panel.y_range.unwrap_or_else(|| {
            let visible = panel.series.iter().flat_map(|s| {
                s.t.iter()
                    .zip(s.y.iter())
                    .filter(|(t, _)| (x_range.0..=x_range.1).contains(*t))
                    .map(|(_, y)| *y)
            });
            match data_range(visible) {
                Some((lo, hi)) => ticks::padded_range(lo, hi, 0.05),
                None => (0.0, 1.0),
            }
        });
        let t = ticks::ticks(range.0, range.1, tick_target(panel_h, 45.0));
        y_axes.push((range, t));
    }
    let widest = y_axes
        .iter()
        .map(|(_, t)| figure::widest_label(t, style.tick_font))
        .fold(0.0, f64::max);
    let has_y_label = panels.iter().any(|p| !p.y_label.is_empty());
    let left = style.left_margin(widest, has_y_label);

    // A legend is drawn beside a panel when its names differ from the panel above.
    let legend_for: Vec<bool> = panels
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let named = p.series.iter().any(|s| !s.name.is_empty());
            let same_as_above = i > 0
                && panels[i - 1]
                    .series
                    .iter()
                    .map(|s| &s.name)
                    .eq(p.series.iter().map(|s| &s.name));
            opts.legend && named && !same_as_above
        })
        .collect();
    let legend_w = panels
        .iter()
        .zip(&legend_for)
        .filter(|(_, &shown)| shown)
        .map(|(p, _)| {
            let names: Vec<&str> = p.series.iter().map(|s| s.name.as_str()).collect();
            figure::legend_width(&names, &style)
        })
        .fold(0.0, f64::max);
    let right = PAD + legend_w.max(16.0);
    let plot_w = opts.width as f64 - left - right;
    if plot_w < 20.0 {
        return Err(Error::InvalidSize {
            width: opts.width,
            height,
        });
    }
    let x_ticks = ticks::ticks(x_range.0, x_range.1, tick_target(plot_w, 90.0));

    let mut scene = Scene::new(opts.width, height);
    for (i, (panel, (y_range, y_ticks))) in panels.iter().zip(&y_axes).enumerate() {
        let rect = Rect {
            x: left,
            y: top + i as f64 * (panel_h + gap),
            w: plot_w,
            h: panel_h,
        };
        let frame = Frame {
            rect,
            x: x_range,
            y: *y_range,
        };
        let last = i + 1 == panels.len();
        figure::draw_grid(&mut scene, &frame, &x_ticks, y_ticks);
        let clip = scene.add_clip(rect);
        for (k, series) in panel.series.iter().enumerate() {
            scene.items.push(Item::Lines {
                lines: decimate(series.t, series.y, &frame),
                color: PALETTE[k % PALETTE.len()],
                width: style.line,
                clip: Some(clip),
            });
        }
        figure::draw_axes(
            &mut scene,
            &frame,
            &x_ticks,
            y_ticks,
            last,
            &panel.y_label,
            &style,
        );
        if last {
            figure::draw_x_exponent(&mut scene, &frame, &x_ticks, &style);
        }
        if legend_for[i] {
            let entries: Vec<(&str, _)> = panel
                .series
                .iter()
                .enumerate()
                .map(|(k, s)| (s.name.as_str(), PALETTE[k % PALETTE.len()]))
                .collect();
            figure::draw_legend(&mut scene, &frame, &entries, Swatch::Line, &style);
        }
    }
    let centre = left + plot_w / 2.0;
    if let Some(title) = &opts.title {
        figure::draw_title(&mut scene, title, centre, &style);
    }
    figure::draw_x_label(&mut scene, &opts.x_label, centre, height, &style);
    Ok(scene)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(w: f64) -> Frame {
        Frame {
            rect: Rect {
                x: 0.0,
                y: 0.0,
                w,
                h: 100.0,
            },
            x: (0.0, 1.0),
            y: (-1.0, 1.0),
        }
    }

    #[test]
    fn decimation_keeps_extremes_and_bounds_point_count() {
        let n = 100_001;
        let t: Vec<f64> = (0..n).map(|k| k as f64 / (n - 1) as f64).collect();
        let y: Vec<f64> = t.iter().map(|t| (60.0 * t).sin()).collect();
        let lines = decimate(&t, &y, &frame(200.0));
        assert_eq!(lines.len(), 1);
        assert!(lines[0].len() <= 4 * 202, "{} points", lines[0].len());
        let f = frame(200.0);
        let top = lines[0].iter().map(|p| p.1).fold(f64::MAX, f64::min);
        let bottom = lines[0].iter().map(|p| p.1).fold(f64::MIN, f64::max);
        assert!((top - f.py(1.0)).abs() < 0.01 && (bottom - f.py(-1.0)).abs() < 0.01);
    }

    #[test]
    fn non_finite_samples_split_the_line() {
        let t = [0.0, 0.25, 0.5, 0.75, 1.0];
        let y = [0.0, 0.5, f64::NAN, 0.5, 0.0];
        assert_eq!(decimate(&t, &y, &frame(1000.0)).len(), 2);
    }
}
