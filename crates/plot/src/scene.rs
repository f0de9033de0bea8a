//! The display list both back ends draw: figures are laid out once, in pixels (y down), and the
//! SVG and PNG writers only translate these items, so the two outputs match.

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    pub(crate) const BLACK: Color = Color(0, 0, 0);
    pub(crate) const WHITE: Color = Color(255, 255, 255);
    pub(crate) const GRID: Color = Color(0xe4, 0xe4, 0xe4);
    pub(crate) const TEXT: Color = Color(0x22, 0x22, 0x22);

    pub(crate) fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// Series colours, cycled (a common ten-colour qualitative palette).
pub(crate) const PALETTE: [Color; 10] = [
    Color(0x1f, 0x77, 0xb4),
    Color(0xff, 0x7f, 0x0e),
    Color(0x2c, 0xa0, 0x2c),
    Color(0xd6, 0x27, 0x28),
    Color(0x94, 0x67, 0xbd),
    Color(0x8c, 0x56, 0x4b),
    Color(0xe3, 0x77, 0xc2),
    Color(0x7f, 0x7f, 0x7f),
    Color(0xbc, 0xbd, 0x22),
    Color(0x17, 0xbe, 0xcf),
];

/// An axis-aligned rectangle in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// Horizontal placement of text relative to its anchor point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

/// One drawing operation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// Polylines sharing one style; `clip` indexes [`Scene::clips`].
    Lines {
        lines: Vec<Vec<(f64, f64)>>,
        color: Color,
        width: f64,
        clip: Option<usize>,
    },
    /// Filled discs of one radius.
    Dots {
        centres: Vec<(f64, f64)>,
        radius: f64,
        color: Color,
        clip: Option<usize>,
    },
    /// A filled rectangle.
    Fill { rect: Rect, color: Color },
    /// Text on an alphabetic baseline through `at`, turned counter-clockwise by `angle` radians.
    Text {
        text: String,
        at: (f64, f64),
        size: f64,
        anchor: Anchor,
        angle: f64,
        color: Color,
    },
}

/// A whole figure.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scene {
    pub width: u32,
    pub height: u32,
    pub clips: Vec<Rect>,
    pub items: Vec<Item>,
}

impl Scene {
    pub(crate) fn new(width: u32, height: u32) -> Self {
        Scene {
            width,
            height,
            clips: Vec::new(),
            items: vec![Item::Fill {
                rect: Rect {
                    x: 0.0,
                    y: 0.0,
                    w: width as f64,
                    h: height as f64,
                },
                color: Color::WHITE,
            }],
        }
    }

    pub(crate) fn add_clip(&mut self, rect: Rect) -> usize {
        self.clips.push(rect);
        self.clips.len() - 1
    }

    pub(crate) fn text(
        &mut self,
        text: &str,
        at: (f64, f64),
        size: f64,
        anchor: Anchor,
        angle: f64,
    ) {
        if text.is_empty() {
            return;
        }
        self.items.push(Item::Text {
            text: text.to_string(),
            at,
            size,
            anchor,
            angle,
            color: Color::TEXT,
        });
    }
}
