//! SVG charts drawn with plotters, to one standard (UI.md 8): a light card of its own in either
//! theme, so its text is dark ink at 8:1 contrast and 13 px at the least; no minor grid; whole
//! numbers on a count or points axis; the legend in a strip below the plot, never over it;
//! values written on bars; a "today" rule on time charts. Every series also differs by shape
//! (dashes, markers, hollow or filled bars) so the charts read without colour.
//!
//! Charts are images scaled to their column, so each is drawn at two sizes ([`Canvas`]): a
//! phone gets the narrow one through `<picture>`, drawn near its own width so that the text
//! keeps its size instead of shrinking to half, with fewer ticks.

use plotters::chart::{ChartContext, MeshStyle};
use plotters::coord::ranged1d::AsRangedCoord;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::{cartesian::Cartesian2d, Shift};
use plotters::prelude::*;
use serde::Deserialize;

mod flow;
mod spark;
mod sprint;
pub use flow::{bars, scatter, stacked};
pub use spark::sparkline;
pub use sprint::{burndown, histogram, paired_bars, BurnPoint};

const INK: RGBColor = RGBColor(74, 77, 90);
/// The card a chart is drawn on, in both themes.
const PAPER: RGBColor = RGBColor(252, 252, 253);
/// The smallest text of a chart: tick labels, legends, notes.
const SMALL: u32 = 13;
const ACCENT: RGBColor = RGBColor(59, 111, 216);
const WARM: RGBColor = RGBColor(214, 120, 40);
/// One row of the legend strip.
const LEGEND_ROW: u32 = 20;

/// The size a chart is drawn at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Canvas {
    pub width: u32,
    pub height: u32,
}

impl Canvas {
    /// A laptop's column.
    pub const WIDE: Canvas = Canvas {
        width: 720,
        height: 300,
    };
    /// A phone's column (390 px less the page's margins).
    pub const NARROW: Canvas = Canvas {
        width: 360,
        height: 300,
    };

    fn narrow(self) -> bool {
        self.width < 640
    }

    /// How many labels fit along x, at most `wanted`.
    fn x_ticks(self, wanted: usize) -> usize {
        wanted.clamp(1, if self.narrow() { 4 } else { 12 })
    }

    /// Every how many labels one is written, so that `n` of them fit.
    fn every(self, n: usize) -> usize {
        n.div_ceil(self.x_ticks(n)).max(1)
    }

    /// A title that fits: on a phone, a long one keeps what comes before its colon.
    fn title(self, title: &str) -> String {
        match title.split_once(':') {
            Some((head, _)) if self.narrow() && title.chars().count() > 40 => head.to_string(),
            _ => title.to_string(),
        }
    }
}

/// The query that picks a chart's size: `?w=narrow` for a phone, the wide one otherwise.
#[derive(Deserialize, Default, Debug)]
pub struct Size {
    w: Option<String>,
}

impl Size {
    pub fn canvas(&self) -> Canvas {
        match self.w.as_deref() {
            Some("narrow") => Canvas::NARROW,
            _ => Canvas::WIDE,
        }
    }
}

/// How a series is drawn in the legend.
#[derive(Clone, Copy)]
enum Swatch {
    Line(RGBColor),
    Dashed(RGBColor),
    Dots(RGBColor),
    Hollow(RGBColor),
    Filled(RGBAColor),
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Drawn = Result<(), String>;

/// Draws a chart on its card: `plot` gets the area above the legend strip, which lists
/// `legend` left to right, wrapping to a second row on a phone.
fn draw(canvas: Canvas, legend: &[(Swatch, String)], plot: impl FnOnce(&Area) -> Drawn) -> String {
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (canvas.width, canvas.height)).into_drawing_area();
        let places = legend_places(canvas.width, legend);
        let rows = places.iter().map(|p| p.1).max().map_or(0, |r| r + 1);
        let drawn = root.fill(&PAPER).map_err(|e| e.to_string()).and_then(|_| {
            if rows == 0 {
                return plot(&root);
            }
            let (area, strip) = root.split_vertically(canvas.height - rows * LEGEND_ROW - 6);
            plot(&area)?;
            draw_legend(&strip, legend, &places)
        });
        if let Err(e) = drawn.and_then(|_| root.present().map_err(|e| e.to_string())) {
            tracing::warn!(error = %e, "drawing a chart failed");
        }
    }
    svg
}

/// Where each legend entry goes: (x, row). Widths are estimated from the text (7 px a
/// character at 13 px), which is enough to keep entries apart.
fn legend_places(width: u32, legend: &[(Swatch, String)]) -> Vec<(i32, u32)> {
    let (mut x, mut row) = (16i32, 0u32);
    legend
        .iter()
        .map(|(_, label)| {
            let w = 24 + 7 * label.chars().count() as i32 + 20;
            if x > 16 && x + w > width as i32 {
                (x, row) = (16, row + 1);
            }
            let at = (x, row);
            x += w;
            at
        })
        .collect()
}

fn draw_legend(strip: &Area, legend: &[(Swatch, String)], places: &[(i32, u32)]) -> Drawn {
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    for ((swatch, label), (x, row)) in legend.iter().zip(places) {
        let (x, y) = (*x, (row * LEGEND_ROW + LEGEND_ROW / 2) as i32);
        match *swatch {
            Swatch::Line(c) => strip.draw(&PathElement::new(
                vec![(x, y), (x + 18, y)],
                c.stroke_width(2),
            )),
            Swatch::Dashed(c) => strip
                .draw(&PathElement::new(
                    vec![(x, y), (x + 7, y)],
                    c.stroke_width(2),
                ))
                .and_then(|_| {
                    strip.draw(&PathElement::new(
                        vec![(x + 11, y), (x + 18, y)],
                        c.stroke_width(2),
                    ))
                }),
            Swatch::Dots(c) => strip.draw(&Circle::new((x + 9, y), 4, c.filled())),
            Swatch::Hollow(c) => strip.draw(&Rectangle::new(
                [(x + 2, y - 6), (x + 16, y + 6)],
                c.stroke_width(2),
            )),
            Swatch::Filled(c) => strip.draw(&Rectangle::new(
                [(x + 2, y - 6), (x + 16, y + 6)],
                c.filled(),
            )),
        }
        .map_err(e)?;
        strip
            .draw(&Text::new(label.clone(), (x + 24, y - 8), text(SMALL)))
            .map_err(e)?;
    }
    Ok(())
}

/// Text of `px` pixels as drawn: plotters' SVG backend writes a font's size divided by 1.24
/// (its points to pixels), so 13 asked for would be 10.5 px on the page.
fn text(px: u32) -> TextStyle<'static> {
    ("sans-serif", f64::from(px) * 1.24).into_font().color(&INK)
}

/// The plot's frame: the title above, room for the tick labels, the given axes.
#[allow(clippy::type_complexity)]
fn frame<'a, 'b, X: AsRangedCoord, Y: AsRangedCoord>(
    area: &'a Area<'b>,
    canvas: Canvas,
    title: &str,
    x: X,
    y: Y,
) -> Result<ChartContext<'a, SVGBackend<'b>, Cartesian2d<X::CoordDescType, Y::CoordDescType>>, String>
{
    ChartBuilder::on(area)
        .caption(canvas.title(title), text(15))
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(44)
        .build_cartesian_2d(x, y)
        .map_err(|e| e.to_string())
}

/// The grid of every chart: bold lines only, ink axes, small dark labels.
fn styled<'m, 'a, 'b, X: Ranged, Y: Ranged, DB: DrawingBackend>(
    m: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB> {
    m.light_line_style(TRANSPARENT)
        .bold_line_style(INK.mix(0.2))
        .axis_style(INK)
        .label_style(text(SMALL))
        .axis_desc_style(text(SMALL))
}

/// A count or points axis from 0 to `top`, labelled in whole numbers: asking for no more
/// labels than there are whole numbers makes plotters step by 1, 2, 5, 10… and never by ½.
fn whole_numbers<'m, 'a, 'b, X: Ranged, DB: DrawingBackend>(
    m: &'m mut MeshStyle<'a, 'b, X, RangedCoordf64, DB>,
    canvas: Canvas,
    top: f64,
) -> &'m mut MeshStyle<'a, 'b, X, RangedCoordf64, DB> {
    let most = if canvas.narrow() { 5 } else { 7 };
    m.y_labels((top.floor() as usize + 1).clamp(2, most))
        .y_label_formatter(&|v| format!("{v:.0}"))
}

/// A tick label cut to what fits in `slot` pixels (about 7 a character), with an ellipsis.
fn fit(label: &str, slot: u32) -> String {
    let most = (slot / 7).max(3) as usize;
    if label.chars().count() <= most {
        return label.to_string();
    }
    let cut: String = label.chars().take(most - 1).collect();
    format!("{}…", cut.trim_end())
}

/// A value as written on a bar or a line: whole when it is whole.
fn trim(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A chart with nothing to plot yet says so in one sentence, on a card one line high, instead
/// of drawing empty axes.
pub fn empty(canvas: Canvas, title: &str, message: &str) -> String {
    let line = Canvas {
        height: 48,
        ..canvas
    };
    draw(line, &[], |root| {
        let words = format!("{}: {message}", canvas.title(title));
        root.draw(&Text::new(words, (16, 16), text(SMALL)))
            .map_err(|e| e.to_string())
    })
}

/// The text of a drawn chart, as (y, words) in drawing order: for tests of what it says where.
#[cfg(test)]
pub(crate) fn texts(svg: &str) -> Vec<(f64, String)> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let y = t.split(" y=\"").nth(1)?.split('"').next()?.parse().ok()?;
            let body = t.split_once('>')?.1.split("</text>").next()?;
            Some((y, body.trim().to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrow_canvas_has_fewer_ticks_a_short_title_and_a_wrapped_legend() {
        assert_eq!(Canvas::WIDE.x_ticks(30), 12);
        assert_eq!(Canvas::NARROW.x_ticks(30), 4);
        assert_eq!(Canvas::NARROW.every(10), 3);
        assert_eq!(Canvas::WIDE.every(10), 1);
        assert_eq!(fit("2. Retention of new accounts", 100), "2. Retention…");
        assert_eq!(fit("unaligned", 100), "unaligned");
        let long = "Cumulative flow: items per status at the end of each day";
        assert_eq!(Canvas::NARROW.title(long), "Cumulative flow");
        assert_eq!(Canvas::WIDE.title(long), long);
        let legend: Vec<(Swatch, String)> = ["remaining (dots)", "ideal (dashed)", "scope (thin)"]
            .iter()
            .map(|l| (Swatch::Line(INK), l.to_string()))
            .collect();
        assert_eq!(
            legend_places(720, &legend).iter().map(|p| p.1).max(),
            Some(0)
        );
        assert_eq!(
            legend_places(360, &legend).iter().map(|p| p.1).max(),
            Some(1)
        );
        let narrow = empty(
            Canvas::NARROW,
            "Velocity: committed vs completed points per sprint",
            "none yet",
        );
        assert!(narrow.contains("width=\"360\""), "{narrow}");
        assert_eq!(texts(&narrow)[0].1, "Velocity: none yet");
        // Small text is 13 px as drawn.
        assert!(narrow.contains("font-size=\"13"), "{narrow}");
    }
}
