//! A4 documents with Japanese text (PRODUCT §4, WP 19): a small layout of blocks — headings,
//! wrapped paragraphs, table rows — placed down the page, a block never cut by a page
//! break, every page with its header (the tenant) and footer (the print time in JST and
//! "page n / m"). The PDF itself is written by krilla, which embeds the font as a subset;
//! the text stays selectable and searchable. Fonts are Debian's Noto Sans CJK (or IPAex
//! Gothic), whose licences allow embedding: `scripts/setup.sh` installs them.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use std::sync::{Arc, OnceLock};

/// A4 portrait, in points.
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 42.0;
const HEADER: f32 = 26.0;
const FOOTER: f32 = 26.0;
/// The width text may take.
pub const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

/// Where the fonts are looked for, regular then bold: (path, face index in a collection).
const FONT_CANDIDATES: &[(&str, &str, u32)] = &[
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        0,
    ),
    (
        "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
        "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
        0,
    ),
];

/// One face: its bytes (for measuring) and krilla's font (for drawing).
#[derive(Clone)]
struct Face {
    data: Arc<Vec<u8>>,
    index: u32,
    font: Font,
}

impl Face {
    fn load(path: &str, index: u32) -> Option<Face> {
        let data = Arc::new(std::fs::read(path).ok()?);
        let font = Font::new(data.clone().into(), index)?;
        Some(Face { data, index, font })
    }

    /// Each character's advance at `size` points (CJK text has no kerning; a character
    /// the font lacks counts half an em).
    fn advances(&self, chars: &[char], size: f32) -> Vec<f32> {
        use skrifa::MetadataProvider;
        let Ok(font) = skrifa::FontRef::from_index(&self.data, self.index) else {
            return vec![size * 0.5; chars.len()];
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(
            skrifa::instance::Size::new(size),
            skrifa::instance::LocationRef::default(),
        );
        chars
            .iter()
            .map(|c| {
                charmap
                    .map(*c)
                    .and_then(|glyph| metrics.advance_width(glyph))
                    .unwrap_or(size * 0.5)
            })
            .collect()
    }

    /// The width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        let chars: Vec<char> = text.chars().collect();
        self.advances(&chars, size).iter().sum()
    }
}

/// The fonts of every document, read once per process.
#[derive(Clone)]
pub struct Fonts {
    regular: Face,
    bold: Face,
}

/// Why no document can be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("no Japanese font found (install Debian's fonts-noto-cjk or fonts-ipaexfont)")]
    NoFont,
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

impl Fonts {
    /// The first candidate installed, loaded once.
    pub fn get() -> Result<Fonts, PdfError> {
        static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
        FONTS
            .get_or_init(|| {
                FONT_CANDIDATES.iter().find_map(|(regular, bold, index)| {
                    let regular = Face::load(regular, *index)?;
                    let bold = Face::load(bold, *index).unwrap_or_else(|| regular.clone());
                    Some(Fonts { regular, bold })
                })
            })
            .clone()
            .ok_or(PdfError::NoFont)
    }

    fn face(&self, bold: bool) -> &Face {
        if bold { &self.bold } else { &self.regular }
    }
}

/// Characters a line should not begin with (禁則: closing marks and small kana).
const NO_LINE_START: &str =
    "、。，．・：；？！）」』】〕〉》ー～ぁぃぅぇぉっゃゅょァィゥェォッャュョ,.)!?:;";

fn is_wide(c: char) -> bool {
    c as u32 >= 0x2E80
}

/// `text` broken into lines no wider than `width` at `size`: at line breaks, between wide
/// (CJK) characters, and at spaces between words; a word longer than the line is cut.
pub fn wrap(fonts: &Fonts, bold: bool, text: &str, size: f32, width: f32) -> Vec<String> {
    let face = fonts.face(bold);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let chars: Vec<char> = paragraph.trim_end().chars().collect();
        let advances = face.advances(&chars, size);
        let mut start = 0;
        while start < chars.len() {
            let mut end = start;
            let mut last_break: Option<usize> = None;
            let mut used = 0.0;
            while end < chars.len() {
                let w = advances[end];
                if used + w > width && end > start {
                    break;
                }
                used += w;
                end += 1;
                if end < chars.len() {
                    let (before, after) = (chars[end - 1], chars[end]);
                    let may_break = (before == ' ' || is_wide(before) || is_wide(after))
                        && !NO_LINE_START.contains(after);
                    if may_break {
                        last_break = Some(end);
                    }
                }
            }
            if end < chars.len()
                && let Some(at) = last_break.filter(|at| *at > start)
            {
                end = at;
            }
            // A closing mark that would begin the next line hangs at the end of this one.
            while end < chars.len() && NO_LINE_START.contains(chars[end]) {
                end += 1;
            }
            lines.push(
                chars[start..end]
                    .iter()
                    .collect::<String>()
                    .trim()
                    .to_owned(),
            );
            start = end;
            while start < chars.len() && chars[start] == ' ' {
                start += 1;
            }
        }
        if chars.is_empty() {
            lines.push(String::new());
        }
    }
    lines
}

/// Something drawn, placed relative to its block's top-left corner.
#[derive(Clone, Debug)]
enum Mark {
    Text {
        x: f32,
        /// The baseline, from the block's top.
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Rule {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
    Shade {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
}

/// A piece of the document that stays on one page.
#[derive(Clone, Debug, Default)]
pub struct Block {
    height: f32,
    marks: Vec<Mark>,
}

/// The font sizes and line height.
pub const BODY: f32 = 9.0;
pub const SMALL: f32 = 7.5;
const LINE: f32 = 1.45;

/// A table's column: its width and whether its text is bold.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub width: f32,
}

/// Builds the blocks of a document.
pub struct Layout {
    fonts: Fonts,
    blocks: Vec<Block>,
}

impl Layout {
    pub fn new(fonts: Fonts) -> Layout {
        Layout {
            fonts,
            blocks: Vec::new(),
        }
    }

    /// The document's title, large.
    pub fn title(&mut self, text: &str) {
        self.text_block(text, 15.0, true, 0.0, 6.0);
    }

    /// A section's heading, with a rule under it; kept with nothing (a short heading at a
    /// page's foot is acceptable where a cut row is not).
    pub fn heading(&mut self, text: &str) {
        let size = 11.5;
        let lines = wrap(&self.fonts, true, text, size, CONTENT_WIDTH);
        let mut block = Block::default();
        let mut y = 10.0;
        for line in lines {
            y += size * LINE;
            block.marks.push(Mark::Text {
                x: 0.0,
                y: y - size * 0.35,
                size,
                bold: true,
                text: line,
            });
        }
        block.marks.push(Mark::Rule {
            x1: 0.0,
            y1: y + 2.0,
            x2: CONTENT_WIDTH,
            y2: y + 2.0,
        });
        block.height = y + 6.0;
        self.blocks.push(block);
    }

    /// A paragraph, one block per line (it may continue on the next page).
    pub fn paragraph(&mut self, text: &str) {
        for line in wrap(&self.fonts, false, text, BODY, CONTENT_WIDTH) {
            let mut block = Block::default();
            block.marks.push(Mark::Text {
                x: 0.0,
                y: BODY * 1.1,
                size: BODY,
                bold: false,
                text: line,
            });
            block.height = BODY * LINE;
            self.blocks.push(block);
        }
    }

    /// Some space.
    pub fn gap(&mut self, height: f32) {
        self.blocks.push(Block {
            height,
            marks: Vec::new(),
        });
    }

    fn text_block(&mut self, text: &str, size: f32, bold: bool, before: f32, after: f32) {
        let mut block = Block::default();
        let mut y = before;
        for line in wrap(&self.fonts, bold, text, size, CONTENT_WIDTH) {
            y += size * LINE;
            block.marks.push(Mark::Text {
                x: 0.0,
                y: y - size * 0.35,
                size,
                bold,
                text: line,
            });
        }
        block.height = y + after;
        self.blocks.push(block);
    }

    /// One table row: each cell's text wrapped in its column, the row as tall as its
    /// tallest cell, never cut by a page break. `header` rows are shaded and bold.
    pub fn row(&mut self, columns: &[Column], cells: &[String], header: bool) {
        let padding = 3.0;
        let size = if header { SMALL + 0.5 } else { BODY };
        let mut block = Block::default();
        let mut x = 0.0;
        let mut tallest: f32 = 0.0;
        let mut texts = Vec::new();
        for (column, cell) in columns.iter().zip(cells) {
            let lines = wrap(
                &self.fonts,
                header,
                cell,
                size,
                column.width - 2.0 * padding,
            );
            let mut y = padding;
            for line in lines {
                y += size * LINE;
                texts.push(Mark::Text {
                    x: x + padding,
                    y: y - size * 0.35,
                    size,
                    bold: header,
                    text: line,
                });
            }
            tallest = tallest.max(y + padding);
            x += column.width;
        }
        if header {
            block.marks.push(Mark::Shade {
                x: 0.0,
                y: 0.0,
                width: x,
                height: tallest,
            });
        }
        block.marks.extend(texts);
        // The row's borders: top, bottom and between the cells.
        block.marks.push(Mark::Rule {
            x1: 0.0,
            y1: 0.0,
            x2: x,
            y2: 0.0,
        });
        block.marks.push(Mark::Rule {
            x1: 0.0,
            y1: tallest,
            x2: x,
            y2: tallest,
        });
        let mut edge = 0.0;
        block.marks.push(Mark::Rule {
            x1: 0.0,
            y1: 0.0,
            x2: 0.0,
            y2: tallest,
        });
        for column in columns {
            edge += column.width;
            block.marks.push(Mark::Rule {
                x1: edge,
                y1: 0.0,
                x2: edge,
                y2: tallest,
            });
        }
        block.height = tallest;
        self.blocks.push(block);
    }

    /// The document: the blocks placed on A4 pages, each page with `header` at its top
    /// and `footer` and "n / m" at its foot.
    pub fn finish(self, header: &str, footer: &str, title: &str) -> Result<Vec<u8>, PdfError> {
        let top = MARGIN + HEADER;
        let bottom = PAGE_HEIGHT - MARGIN - FOOTER;
        let mut pages: Vec<Vec<(f32, Block)>> = vec![Vec::new()];
        let mut y = top;
        for block in self.blocks {
            if y + block.height > bottom && y > top {
                pages.push(Vec::new());
                y = top;
            }
            // A block taller than a page (never in practice) is placed anyway.
            pages.last_mut().expect("a page").push((y, block.clone()));
            y += block.height;
        }
        let mut document = Document::new();
        document.set_metadata(
            krilla::metadata::Metadata::new()
                .title(title.to_owned())
                .creator("Kouka".to_owned()),
        );
        let total = pages.len();
        for (n, blocks) in pages.into_iter().enumerate() {
            let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
                .ok_or_else(|| PdfError::Write("A4".into()))?;
            let mut page = document.start_page_with(settings);
            let mut surface = page.surface();
            let fonts = &self.fonts;
            let muted = |surface: &mut Surface<'_>| {
                surface.set_fill(Some(Fill {
                    paint: rgb::Color::new(90, 90, 90).into(),
                    ..Default::default()
                }));
            };
            muted(&mut surface);
            surface.draw_text(
                Point::from_xy(MARGIN, MARGIN + 8.0),
                fonts.regular.font.clone(),
                SMALL,
                header,
                false,
                TextDirection::Auto,
            );
            surface.draw_text(
                Point::from_xy(MARGIN, PAGE_HEIGHT - MARGIN),
                fonts.regular.font.clone(),
                SMALL,
                footer,
                false,
                TextDirection::Auto,
            );
            let number = format!("{} / {}", n + 1, total);
            let width = fonts.regular.width(&number, SMALL);
            surface.draw_text(
                Point::from_xy(PAGE_WIDTH - MARGIN - width, PAGE_HEIGHT - MARGIN),
                fonts.regular.font.clone(),
                SMALL,
                &number,
                false,
                TextDirection::Auto,
            );
            for (top, block) in blocks {
                draw_block(&mut surface, fonts, MARGIN, top, &block);
            }
            surface.finish();
            page.finish();
        }
        document
            .finish()
            .map_err(|error| PdfError::Write(format!("{error:?}")))
    }
}

fn draw_block(surface: &mut Surface<'_>, fonts: &Fonts, left: f32, top: f32, block: &Block) {
    for mark in &block.marks {
        match mark {
            Mark::Shade {
                x,
                y,
                width,
                height,
            } => {
                if let Some(rect) = Rect::from_xywh(left + x, top + y, *width, *height) {
                    let mut path = PathBuilder::new();
                    path.push_rect(rect);
                    if let Some(path) = path.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill {
                            paint: rgb::Color::new(238, 241, 245).into(),
                            ..Default::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
            }
            Mark::Rule { x1, y1, x2, y2 } => {
                let mut path = PathBuilder::new();
                path.move_to(left + x1, top + y1);
                path.line_to(left + x2, top + y2);
                if let Some(path) = path.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: rgb::Color::new(170, 176, 186).into(),
                        width: 0.5,
                        ..Default::default()
                    }));
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                }
            }
            Mark::Text {
                x,
                y,
                size,
                bold,
                text,
            } => {
                if text.is_empty() {
                    continue;
                }
                surface.set_fill(Some(Fill {
                    paint: rgb::Color::new(20, 24, 31).into(),
                    ..Default::default()
                }));
                surface.draw_text(
                    Point::from_xy(left + x, top + y),
                    fonts.face(*bold).font.clone(),
                    *size,
                    text,
                    false,
                    TextDirection::Auto,
                );
            }
        }
    }
}
