//! Spike rasters: one mark per spike at (time, node id), one colour per population.

use crate::figure::{self, Frame, Style, Swatch, PAD};
use crate::scene::{Item, Rect, Scene, PALETTE};
use crate::ticks;
use crate::{Error, Marker, Options, SpikeSeries};

/// Lays out the raster figure.
pub(crate) fn scene(populations: &[SpikeSeries], opts: &Options) -> Result<Scene, Error> {
    for p in populations {
        if p.times.len() != p.node_ids.len() {
            return Err(Error::LengthMismatch {
                series: p.name.clone(),
                t: p.times.len(),
                y: p.node_ids.len(),
            });
        }
    }
    let style = Style::from(opts);
    let height = if opts.height == 0 { 420 } else { opts.height };
    crate::check_size(opts.width, height)?;

    let finite_times = || {
        populations
            .iter()
            .flat_map(|p| p.times.iter().copied())
            .filter(|t| t.is_finite())
    };
    let x_range = match opts.x_range {
        Some(r) if r.0.is_finite() && r.1.is_finite() && r.0 < r.1 => r,
        Some(r) => {
            return Err(Error::InvalidRange {
                what: "x_range",
                lo: r.0,
                hi: r.1,
            })
        }
        None => {
            // Spike times are ≥ tstart (usually 0): start the axis at 0 unless data go below.
            let lo = finite_times().fold(0.0_f64, f64::min);
            let hi = finite_times().fold(f64::MIN, f64::max);
            if hi > lo {
                (lo, hi + 0.02 * (hi - lo))
            } else {
                (lo, lo + 1.0)
            }
        }
    };
    let ids = || populations.iter().flat_map(|p| p.node_ids.iter().copied());
    let (id_lo, id_hi) = match (ids().min(), ids().max()) {
        (Some(lo), Some(hi)) => (lo as f64 - 0.5, hi as f64 + 0.5),
        _ => (-0.5, 0.5),
    };

    let top = style.top_margin(opts.title.is_some());
    let bottom = style.bottom_margin(!opts.x_label.is_empty());
    let plot_h = height as f64 - top - bottom;
    let y_ticks = ticks::integer_ticks(
        id_lo,
        id_hi,
        ((plot_h / 45.0).round() as usize).clamp(2, 10),
    );
    let y_label = "node id";
    let left = style.left_margin(figure::widest_label(&y_ticks, style.tick_font), true);
    let named = opts.legend && populations.len() > 1;
    let names: Vec<&str> = populations.iter().map(|p| p.name.as_str()).collect();
    let right = PAD
        + if named {
            figure::legend_width(&names, &style)
        } else {
            16.0
        };
    let plot_w = opts.width as f64 - left - right;
    if plot_w < 20.0 || plot_h < 20.0 {
        return Err(Error::InvalidSize {
            width: opts.width,
            height,
        });
    }
    let rect = Rect {
        x: left,
        y: top,
        w: plot_w,
        h: plot_h,
    };
    let frame = Frame {
        rect,
        x: x_range,
        y: (id_lo, id_hi),
    };
    let x_ticks = ticks::ticks(
        x_range.0,
        x_range.1,
        ((plot_w / 90.0).round() as usize).clamp(2, 10),
    );

    let mut scene = Scene::new(opts.width, height);
    figure::draw_grid(
        &mut scene,
        &frame,
        &x_ticks,
        &ticks::Ticks {
            values: Vec::new(),
            labels: Vec::new(),
            exponent: None,
        },
    );
    let clip = scene.add_clip(Rect {
        x: rect.x - 4.0,
        y: rect.y,
        w: rect.w + 8.0,
        h: rect.h,
    });
    // Marks shrink when rows get dense so neighbouring neurons stay apart.
    let row_px = plot_h / (id_hi - id_lo);
    for (k, p) in populations.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let points: Vec<(f64, f64)> = p
            .times
            .iter()
            .zip(p.node_ids.iter())
            .filter(|(t, _)| t.is_finite())
            .map(|(&t, &id)| (frame.px(t), frame.py(id as f64)))
            .collect();
        match opts.marker {
            Marker::Dot => scene.items.push(Item::Dots {
                centres: points,
                radius: (0.4 * row_px).clamp(0.6, 2.5),
                color,
                clip: Some(clip),
            }),
            Marker::Tick => {
                let half = (0.4 * row_px).clamp(0.5, 6.0);
                scene.items.push(Item::Lines {
                    lines: points
                        .iter()
                        .map(|&(x, y)| {
                            // On a pixel centre, so every tick is equally sharp.
                            let x = x.floor() + 0.5;
                            vec![(x, y - half), (x, y + half)]
                        })
                        .collect(),
                    color,
                    width: 1.5,
                    clip: Some(clip),
                });
            }
        }
    }
    figure::draw_axes(
        &mut scene, &frame, &x_ticks, &y_ticks, true, y_label, &style,
    );
    figure::draw_x_exponent(&mut scene, &frame, &x_ticks, &style);
    if named {
        let entries: Vec<(&str, _)> = names
            .iter()
            .enumerate()
            .map(|(k, n)| (*n, PALETTE[k % PALETTE.len()]))
            .collect();
        figure::draw_legend(&mut scene, &frame, &entries, Swatch::Dot, &style);
    }
    let centre = left + plot_w / 2.0;
    if let Some(title) = &opts.title {
        figure::draw_title(&mut scene, title, centre, &style);
    }
    figure::draw_x_label(&mut scene, &opts.x_label, centre, height, &style);
    Ok(scene)
}
