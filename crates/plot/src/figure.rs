//! Pieces shared by trace and raster figures: data-to-pixel frames, axes with ticks, grid and
//! labels, legends, and the margin arithmetic that keeps labels inside the canvas.

use crate::font;
use crate::scene::{Anchor, Color, Item, Rect, Scene};
use crate::ticks::Ticks;
use crate::Options;
use std::f64::consts::FRAC_PI_2;

/// Outward tick length in pixels.
const TICK_LEN: f64 = 5.0;
/// Space between a tick and its label.
const TICK_GAP: f64 = 4.0;
/// Canvas edge padding.
pub(crate) const PAD: f64 = 10.0;

/// Text sizes and line widths derived from the options.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub font: f64,
    pub tick_font: f64,
    pub line: f64,
}

impl Style {
    pub(crate) fn from(opts: &Options) -> Self {
        Style {
            font: opts.font_size,
            tick_font: opts.font_size * 0.9,
            line: opts.line_width,
        }
    }

    /// Pixel height of capitals at `size`.
    pub(crate) fn cap(size: f64) -> f64 {
        size * font::CAP_HEIGHT / font::UNITS_PER_EM
    }

    /// Height of the bottom margin holding x tick labels and the x label.
    pub(crate) fn bottom_margin(&self, has_x_label: bool) -> f64 {
        let ticks = TICK_LEN + TICK_GAP + Style::cap(self.tick_font);
        let label = if has_x_label {
            10.0 + Style::cap(self.font) + 0.3 * self.font
        } else {
            0.0
        };
        ticks + label + PAD
    }

    /// Height above a panel kept for the title (if any) and an axis exponent.
    pub(crate) fn top_margin(&self, has_title: bool) -> f64 {
        let title = if has_title {
            1.25 * self.font + 8.0
        } else {
            0.0
        };
        PAD + title + Style::cap(self.tick_font) + 6.0
    }

    /// Width left of the plot area: y label, tick labels, ticks.
    pub(crate) fn left_margin(&self, widest_tick_label: f64, has_y_label: bool) -> f64 {
        let label = if has_y_label {
            Style::cap(self.font) + 0.3 * self.font + 10.0
        } else {
            0.0
        };
        PAD + label + widest_tick_label + TICK_GAP + TICK_LEN
    }
}

/// A plot area and the data ranges it shows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub rect: Rect,
    pub x: (f64, f64),
    pub y: (f64, f64),
}

impl Frame {
    pub(crate) fn px(&self, x: f64) -> f64 {
        self.rect.x + (x - self.x.0) / (self.x.1 - self.x.0) * self.rect.w
    }

    pub(crate) fn py(&self, y: f64) -> f64 {
        self.rect.y + self.rect.h - (y - self.y.0) / (self.y.1 - self.y.0) * self.rect.h
    }

    fn contains_x(&self, x: f64) -> bool {
        (self.x.0 - 1e-9 * (self.x.1 - self.x.0)..=self.x.1 + 1e-9 * (self.x.1 - self.x.0))
            .contains(&x)
    }

    fn contains_y(&self, y: f64) -> bool {
        (self.y.0 - 1e-9 * (self.y.1 - self.y.0)..=self.y.1 + 1e-9 * (self.y.1 - self.y.0))
            .contains(&y)
    }
}

/// Widest tick label of `ticks` in pixels.
pub(crate) fn widest_label(ticks: &Ticks, size: f64) -> f64 {
    ticks
        .labels
        .iter()
        .map(|l| font::text_width(l, size))
        .fold(0.0, f64::max)
}

/// Light grid lines behind the data at every tick.
pub(crate) fn draw_grid(scene: &mut Scene, frame: &Frame, xt: &Ticks, yt: &Ticks) {
    let r = frame.rect;
    let mut lines = Vec::new();
    for &x in xt.values.iter().filter(|&&x| frame.contains_x(x)) {
        let px = crisp(frame.px(x));
        lines.push(vec![(px, r.y), (px, r.y + r.h)]);
    }
    for &y in yt.values.iter().filter(|&&y| frame.contains_y(y)) {
        let py = crisp(frame.py(y));
        lines.push(vec![(r.x, py), (r.x + r.w, py)]);
    }
    scene.items.push(Item::Lines {
        lines,
        color: Color::GRID,
        width: 1.0,
        clip: None,
    });
}

/// Puts a 1-px line on a pixel centre so it renders sharp rather than as two grey rows.
fn crisp(v: f64) -> f64 {
    v.floor() + 0.5
}

/// Left and bottom spines, ticks, tick labels and the y label; x tick labels only if asked
/// (stacked panels share the bottom panel's).
pub(crate) fn draw_axes(
    scene: &mut Scene,
    frame: &Frame,
    xt: &Ticks,
    yt: &Ticks,
    x_tick_labels: bool,
    y_label: &str,
    style: &Style,
) {
    let r = frame.rect;
    let (left, bottom) = (crisp(r.x) - 1.0, crisp(r.y + r.h));
    let mut marks = vec![vec![(left, r.y), (left, bottom), (r.x + r.w, bottom)]];
    let tick_cap = Style::cap(style.tick_font);
    for (value, label) in yt.values.iter().zip(&yt.labels) {
        if !frame.contains_y(*value) {
            continue;
        }
        let py = crisp(frame.py(*value));
        marks.push(vec![(left - TICK_LEN, py), (left, py)]);
        scene.text(
            label,
            (left - TICK_LEN - TICK_GAP, py + tick_cap / 2.0),
            style.tick_font,
            Anchor::End,
            0.0,
        );
    }
    for (value, label) in xt.values.iter().zip(&xt.labels) {
        if !frame.contains_x(*value) {
            continue;
        }
        let px = crisp(frame.px(*value));
        marks.push(vec![(px, bottom), (px, bottom + TICK_LEN)]);
        if x_tick_labels {
            scene.text(
                label,
                (px, bottom + TICK_LEN + TICK_GAP + tick_cap),
                style.tick_font,
                Anchor::Middle,
                0.0,
            );
        }
    }
    scene.items.push(Item::Lines {
        lines: marks,
        color: Color::BLACK,
        width: 1.0,
        clip: None,
    });
    if let Some(e) = yt.exponent {
        scene.text(
            &format!("×1e{e}"),
            (left, r.y - 5.0),
            style.tick_font,
            Anchor::Start,
            0.0,
        );
    }
    if !y_label.is_empty() {
        let widest = widest_label(yt, style.tick_font);
        let x = left - TICK_LEN - TICK_GAP - widest - 10.0 - 0.3 * style.font;
        scene.text(
            y_label,
            (x, r.y + r.h / 2.0),
            style.font,
            Anchor::Middle,
            FRAC_PI_2,
        );
    }
}

/// Exponent of the x axis (under the axis, right end) for the bottom panel.
pub(crate) fn draw_x_exponent(scene: &mut Scene, frame: &Frame, xt: &Ticks, style: &Style) {
    if let Some(e) = xt.exponent {
        let r = frame.rect;
        let y = r.y + r.h + TICK_LEN + TICK_GAP + 2.0 * Style::cap(style.tick_font) + 8.0;
        scene.text(
            &format!("×1e{e}"),
            (r.x + r.w, y),
            style.tick_font,
            Anchor::End,
            0.0,
        );
    }
}

/// How a legend entry's swatch looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Swatch {
    Line,
    Dot,
}

const SWATCH_W: f64 = 22.0;
const SWATCH_GAP: f64 = 6.0;
const LEGEND_INSET: f64 = 14.0;

/// Width a legend of `names` needs right of the plot area.
pub(crate) fn legend_width(names: &[&str], style: &Style) -> f64 {
    let text = names
        .iter()
        .map(|n| font::text_width(n, style.tick_font))
        .fold(0.0, f64::max);
    LEGEND_INSET + SWATCH_W + SWATCH_GAP + text
}

/// A legend starting at the top right outside of `frame`; never covers data.
pub(crate) fn draw_legend(
    scene: &mut Scene,
    frame: &Frame,
    entries: &[(&str, Color)],
    swatch: Swatch,
    style: &Style,
) {
    let x = frame.rect.x + frame.rect.w + LEGEND_INSET;
    let row = 1.6 * style.tick_font;
    let cap = Style::cap(style.tick_font);
    for (i, (name, color)) in entries.iter().enumerate() {
        let baseline = frame.rect.y + cap + i as f64 * row;
        let mid = baseline - cap / 2.0;
        match swatch {
            Swatch::Line => scene.items.push(Item::Lines {
                lines: vec![vec![(x, mid), (x + SWATCH_W, mid)]],
                color: *color,
                width: (2.0 * style.line).max(2.0),
                clip: None,
            }),
            Swatch::Dot => scene.items.push(Item::Dots {
                centres: vec![(x + SWATCH_W / 2.0, mid)],
                radius: 3.0,
                color: *color,
                clip: None,
            }),
        }
        scene.text(
            name,
            (x + SWATCH_W + SWATCH_GAP, baseline),
            style.tick_font,
            Anchor::Start,
            0.0,
        );
    }
}

/// Title centred over the plot areas.
pub(crate) fn draw_title(scene: &mut Scene, title: &str, centre_x: f64, style: &Style) {
    let size = 1.15 * style.font;
    scene.text(
        title,
        (centre_x, PAD + Style::cap(size)),
        size,
        Anchor::Middle,
        0.0,
    );
}

/// X-axis label centred under the plot areas.
pub(crate) fn draw_x_label(
    scene: &mut Scene,
    label: &str,
    centre_x: f64,
    height: u32,
    style: &Style,
) {
    scene.text(
        label,
        (centre_x, height as f64 - PAD - 0.3 * style.font),
        style.font,
        Anchor::Middle,
        0.0,
    );
}
