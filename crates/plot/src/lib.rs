//! Figures for `bmtk plot`: voltage/concentration traces and spike rasters, as SVG or PNG.
//!
//! # Design
//! A figure is laid out once into a small display list (lines, dots, rectangles, text) and then
//! written by one of two back ends:
//! - **SVG** is written by hand: one `<path>` per colour group, coordinates to 1/100 px, labels
//!   as real `<text>` elements (so they are searchable and the viewer's sans-serif font is used).
//! - **PNG** is rasterised with `tiny-skia` (pure Rust, anti-aliased). Text is drawn with a
//!   small **stroke font defined in this crate** (`font.rs`: digits, Latin letters, common
//!   symbols, µ, °, ×). No font file is loaded or bundled and no system library (fontconfig,
//!   freetype) is used, so PNGs render identically on a fresh machine. The font's metrics also
//!   drive the layout, and SVG text is sized to the same cap height.
//!
//! Output is deterministic: the same input gives the same bytes. Ticks use 1–2–5 steps; tiny or
//! huge values get a shared `×1e<k>` factor. Long traces are reduced to the first/min/max/last
//! sample per pixel column, which keeps every visible extreme and keeps SVGs small.
//!
//! # Example
//! ```no_run
//! use plot::{Figure, Options, Panel, Series, SpikeSeries};
//! let t: Vec<f64> = (0..=1000).map(|k| k as f64 * 0.1).collect();
//! let v: Vec<f64> = t.iter().map(|t| -65.0 + 10.0 * (t / 10.0).sin()).collect();
//! let cai: Vec<f64> = t.iter().map(|t| 5e-5 * (1.0 + t / 100.0)).collect();
//! let panels = [
//!     Panel::new("v (mV)", vec![Series::new("node 0", &t, &v)]),
//!     Panel::new("cai (mM)", vec![Series::new("node 0", &t, &cai)]),
//! ];
//! let opts = Options { title: Some("hco_net".into()), ..Options::default() };
//! plot::save("out/traces.png".as_ref(), Figure::Traces(&panels), &opts)?;
//!
//! let times = [12.5, 40.0, 41.0];
//! let ids = [0u64, 1, 0];
//! let spikes = [SpikeSeries { name: "hco_net".into(), times: &times, node_ids: &ids }];
//! let svg_bytes = plot::raster(&spikes, &Options { format: plot::Format::Svg, ..Options::default() })?;
//! # let _ = svg_bytes;
//! # Ok::<(), plot::Error>(())
//! ```

mod bitmap;
mod figure;
mod font;
mod scene;
mod spikes;
mod svg;
mod ticks;
mod traces;

use std::path::{Path, PathBuf};

/// Why a figure could not be made or saved.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nothing to draw: no panels, or panels without series.
    #[error("nothing to plot: no series given")]
    NoData,
    /// A series' time and value arrays differ in length.
    #[error("series `{series}`: {t} time values but {y} data values")]
    LengthMismatch {
        /// Series (or population) name.
        series: String,
        /// Number of times.
        t: usize,
        /// Number of values (or node ids).
        y: usize,
    },
    /// Image size out of range (16..=16384 px each way) or too small for the axes.
    #[error("image size {width}x{height} is unusable (each side 16..=16384 px, room for axes)")]
    InvalidSize {
        /// Requested width.
        width: u32,
        /// Requested (or computed) height.
        height: u32,
    },
    /// An explicit axis range is empty, reversed or not finite.
    #[error("{what} ({lo}, {hi}) must be finite with lo < hi")]
    InvalidRange {
        /// Which option.
        what: &'static str,
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// The output path's extension is neither `.png` nor `.svg`.
    #[error("{path}: unknown image format (use a .png or .svg file name)")]
    UnknownFormat {
        /// The path given.
        path: PathBuf,
    },
    /// The PNG encoder failed.
    #[error("PNG encoding failed: {0}")]
    Encode(String),
    /// Writing the output failed.
    #[error("{path}: cannot write: {source}")]
    Io {
        /// The output path.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Portable Network Graphics, rasterised here.
    #[default]
    Png,
    /// Scalable Vector Graphics text.
    Svg,
}

/// How spikes are marked in a raster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Marker {
    /// A small disc.
    #[default]
    Dot,
    /// A short vertical line.
    Tick,
}

/// One named curve: `y[k]` at time `t[k]`. Non-finite samples leave a gap.
#[derive(Debug, Clone, PartialEq)]
pub struct Series<'a> {
    /// Legend entry, e.g. `"node 0"`; empty for none.
    pub name: String,
    /// Sample times.
    pub t: &'a [f64],
    /// Sample values.
    pub y: &'a [f64],
}

impl<'a> Series<'a> {
    /// A series from borrowed arrays.
    pub fn new(name: impl Into<String>, t: &'a [f64], y: &'a [f64]) -> Self {
        Series {
            name: name.into(),
            t,
            y,
        }
    }
}

/// One stacked panel with its own y axis, e.g. all nodes' `v`.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel<'a> {
    /// Y-axis label with unit, e.g. `"v (mV)"`.
    pub y_label: String,
    /// Curves; colours follow the index, so node k has the same colour in every panel.
    pub series: Vec<Series<'a>>,
    /// Fixed y range; `None` fits the data with 5 % padding.
    pub y_range: Option<(f64, f64)>,
}

impl<'a> Panel<'a> {
    /// A panel with automatic y range.
    pub fn new(y_label: impl Into<String>, series: Vec<Series<'a>>) -> Self {
        Panel {
            y_label: y_label.into(),
            series,
            y_range: None,
        }
    }
}

/// Spikes of one population: `times[k]` (ms) fired by `node_ids[k]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SpikeSeries<'a> {
    /// Population name (legend when there are several).
    pub name: String,
    /// Spike times.
    pub times: &'a [f64],
    /// Node id of each spike.
    pub node_ids: &'a [u64],
}

/// Figure options shared by traces and rasters.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels; 0 = automatic (220 px per trace panel, 420 for a raster).
    pub height: u32,
    /// Title above the plot.
    pub title: Option<String>,
    /// Shared x-axis label.
    pub x_label: String,
    /// Fixed x range; `None` = data range (rasters start at 0).
    pub x_range: Option<(f64, f64)>,
    /// Label font size in pixels (tick labels are 90 % of it).
    pub font_size: f64,
    /// Trace line width in pixels.
    pub line_width: f64,
    /// Draw legends.
    pub legend: bool,
    /// Raster mark style.
    pub marker: Marker,
    /// Format for [`traces`] and [`raster`]; [`save`] takes it from the file name instead.
    pub format: Format,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            width: 900,
            height: 0,
            title: None,
            x_label: "time (ms)".to_string(),
            x_range: None,
            font_size: 14.0,
            line_width: 1.4,
            legend: true,
            marker: Marker::Dot,
            format: Format::Png,
        }
    }
}

/// A figure to draw with [`save`].
#[derive(Debug, Clone, Copy)]
pub enum Figure<'a> {
    /// Stacked trace panels.
    Traces(&'a [Panel<'a>]),
    /// A spike raster.
    Raster(&'a [SpikeSeries<'a>]),
}

pub(crate) fn check_size(width: u32, height: u32) -> Result<(), Error> {
    if (16..=16384).contains(&width) && (16..=16384).contains(&height) {
        Ok(())
    } else {
        Err(Error::InvalidSize { width, height })
    }
}

fn encode(scene: &scene::Scene, format: Format) -> Result<Vec<u8>, Error> {
    match format {
        Format::Png => bitmap::render(scene),
        Format::Svg => Ok(svg::render(scene)),
    }
}

/// Trace panels as image bytes in `opts.format`.
pub fn traces(panels: &[Panel], opts: &Options) -> Result<Vec<u8>, Error> {
    encode(&traces::scene(panels, opts)?, opts.format)
}

/// A spike raster as image bytes in `opts.format`.
pub fn raster(populations: &[SpikeSeries], opts: &Options) -> Result<Vec<u8>, Error> {
    encode(&spikes::scene(populations, opts)?, opts.format)
}

/// The format a file name asks for (`.png` / `.svg`, any case).
pub fn format_for_path(path: &Path) -> Result<Format, Error> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("png") => Ok(Format::Png),
        Some("svg") => Ok(Format::Svg),
        _ => Err(Error::UnknownFormat {
            path: path.to_path_buf(),
        }),
    }
}

/// Renders `figure` in the format of `path`'s extension and writes it atomically (temporary
/// sibling file, then rename), so a failed run never leaves a partial image.
pub fn save(path: &Path, figure: Figure, opts: &Options) -> Result<(), Error> {
    let opts = Options {
        format: format_for_path(path)?,
        ..opts.clone()
    };
    let bytes = match figure {
        Figure::Traces(panels) => traces(panels, &opts)?,
        Figure::Raster(populations) => raster(populations, &opts)?,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Err(e) = std::fs::write(&temp, &bytes).and_then(|()| std::fs::rename(&temp, path)) {
        let _ = std::fs::remove_file(&temp);
        return Err(io(e));
    }
    Ok(())
}
