//! PNG writer: rasterises the scene with `tiny-skia` (pure Rust, anti-aliased) and draws text with
//! the built-in stroke font, so no font file, fontconfig or freetype is ever needed.

use crate::font;
use crate::scene::{Anchor, Color, Item, Rect, Scene};
use crate::Error;
use tiny_skia::{FillRule, LineCap, LineJoin, Mask, Paint, PathBuilder, Pixmap, Stroke, Transform};

fn paint(color: Color) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color_rgba8(color.0, color.1, color.2, 255);
    p.anti_alias = true;
    p
}

fn stroke(width: f64) -> Stroke {
    Stroke {
        width: width as f32,
        line_cap: LineCap::Round,
        line_join: LineJoin::Round,
        ..Stroke::default()
    }
}

/// Coordinates far outside the canvas only cost time and can upset the rasteriser.
fn sane(v: f64) -> f32 {
    v.clamp(-1e5, 1e5) as f32
}

fn polyline_path(lines: &[Vec<(f64, f64)>]) -> Option<tiny_skia::Path> {
    let mut pb = PathBuilder::new();
    for line in lines {
        let mut points = line.iter();
        let Some(&(x0, y0)) = points.next() else {
            continue;
        };
        pb.move_to(sane(x0), sane(y0));
        if line.len() == 1 {
            // A lone point still shows as a round-capped dot.
            pb.line_to(sane(x0) + 0.01, sane(y0));
        }
        for &(x, y) in points {
            pb.line_to(sane(x), sane(y));
        }
    }
    pb.finish()
}

fn clip_mask(rect: &Rect, width: u32, height: u32) -> Option<Mask> {
    let mut mask = Mask::new(width, height)?;
    let r = tiny_skia::Rect::from_xywh(rect.x as f32, rect.y as f32, rect.w as f32, rect.h as f32)?;
    mask.fill_path(
        &PathBuilder::from_rect(r),
        FillRule::Winding,
        false,
        Transform::identity(),
    );
    Some(mask)
}

/// Renders `scene` to PNG bytes.
pub(crate) fn render(scene: &Scene) -> Result<Vec<u8>, Error> {
    let mut pixmap = Pixmap::new(scene.width, scene.height).ok_or(Error::InvalidSize {
        width: scene.width,
        height: scene.height,
    })?;
    let masks: Vec<Option<Mask>> = scene
        .clips
        .iter()
        .map(|r| clip_mask(r, scene.width, scene.height))
        .collect();
    let mask_of = |clip: &Option<usize>| clip.and_then(|i| masks.get(i).and_then(|m| m.as_ref()));
    for item in &scene.items {
        match item {
            Item::Fill { rect, color } => {
                if let Some(r) = tiny_skia::Rect::from_xywh(
                    rect.x as f32,
                    rect.y as f32,
                    rect.w as f32,
                    rect.h as f32,
                ) {
                    pixmap.fill_rect(r, &paint(*color), Transform::identity(), None);
                }
            }
            Item::Lines {
                lines,
                color,
                width,
                clip,
            } => {
                if let Some(path) = polyline_path(lines) {
                    pixmap.stroke_path(
                        &path,
                        &paint(*color),
                        &stroke(*width),
                        Transform::identity(),
                        mask_of(clip),
                    );
                }
            }
            Item::Dots {
                centres,
                radius,
                color,
                clip,
            } => {
                let mut pb = PathBuilder::new();
                for &(x, y) in centres {
                    pb.push_circle(sane(x), sane(y), *radius as f32);
                }
                if let Some(path) = pb.finish() {
                    pixmap.fill_path(
                        &path,
                        &paint(*color),
                        FillRule::Winding,
                        Transform::identity(),
                        mask_of(clip),
                    );
                }
            }
            Item::Text {
                text,
                at,
                size,
                anchor,
                angle,
                color,
            } => {
                let width = font::text_width(text, *size);
                let shift = match anchor {
                    Anchor::Start => 0.0,
                    Anchor::Middle => width / 2.0,
                    Anchor::End => width,
                };
                // Move the start back along the text direction.
                let origin = (at.0 - shift * angle.cos(), at.1 + shift * angle.sin());
                let strokes = font::text_strokes(text, origin, *size, *angle);
                if let Some(path) = polyline_path(&strokes) {
                    pixmap.stroke_path(
                        &path,
                        &paint(*color),
                        &stroke((size / 11.0).max(0.8)),
                        Transform::identity(),
                        None,
                    );
                }
            }
        }
    }
    pixmap
        .encode_png()
        .map_err(|e| Error::Encode(e.to_string()))
}
