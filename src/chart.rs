//! SVG charts drawn with plotters: lines for burndowns, paired bars for velocity, histograms.
//!
//! One chart standard (UI.md 8): a light card of its own in either theme, so its text is dark
//! ink at 8:1 contrast, 13 px at the least; no minor grid. Every series also differs by shape
//! (dashes, markers, hollow or filled bars) so the charts read without colour.

use plotters::prelude::*;

mod flow;
mod spark;
pub use flow::{bars, scatter, stacked};
pub use spark::sparkline;

const INK: RGBColor = RGBColor(74, 77, 90);
/// The card a chart is drawn on, in both themes.
const PAPER: RGBColor = RGBColor(252, 252, 253);
/// The smallest text of a chart: tick labels, legends, notes.
const SMALL: u32 = 13;
const ACCENT: RGBColor = RGBColor(59, 111, 216);
const WARM: RGBColor = RGBColor(214, 120, 40);
const SIZE: (u32, u32) = (720, 300);

fn draw(
    f: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> Result<(), String>,
) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let drawn = root.fill(&PAPER).map_err(|e| e.to_string());
        if let Err(e) = drawn
            .and_then(|_| f(&root))
            .and_then(|_| root.present().map_err(|e| e.to_string()))
        {
            tracing::warn!(error = %e, "drawing a chart failed");
        }
    }
    svg
}

fn text(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&INK)
}

/// One line per day: `(label, remaining, ideal, scope, change)`; `change` marks scope changes.
/// Days after today carry only the ideal line.
pub struct BurnPoint {
    pub label: String,
    pub remaining: Option<f64>,
    pub ideal: f64,
    pub scope: Option<f64>,
    pub change: Option<String>,
}

/// A chart with nothing to plot yet says so instead of drawing empty axes.
pub fn empty(title: &str, message: &str) -> String {
    draw(|root| {
        root.draw(&Text::new(
            format!("{title}: {message}"),
            (20, (SIZE.1 / 2) as i32),
            text(13),
        ))
        .map_err(|e| e.to_string())
    })
}

pub fn burndown(title: &str, points: &[BurnPoint]) -> String {
    if points.is_empty() {
        return empty(title, "the line starts on the sprint's first day");
    }
    draw(|root| {
        let n = points.len().max(2) as u32;
        let top = points
            .iter()
            .flat_map(|p| [p.remaining.unwrap_or(0.0), p.ideal, p.scope.unwrap_or(0.0)])
            .fold(1.0f64, f64::max)
            * 1.15;
        let mut c = ChartBuilder::on(root)
            .caption(title, text(15))
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(40)
            .build_cartesian_2d(0u32..n - 1, 0f64..top)
            .map_err(|e| e.to_string())?;
        let labels: Vec<String> = points.iter().map(|p| p.label.clone()).collect();
        c.configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(INK.mix(0.2))
            .axis_style(INK)
            .label_style(text(SMALL))
            .x_labels(points.len().clamp(2, 14))
            .x_label_formatter(&|i| labels.get(*i as usize).cloned().unwrap_or_default())
            .y_desc("points")
            .axis_desc_style(text(SMALL))
            .draw()
            .map_err(|e| e.to_string())?;
        let at = |f: fn(&BurnPoint) -> Option<f64>| {
            points
                .iter()
                .enumerate()
                .filter_map(move |(i, p)| f(p).map(|v| (i as u32, v)))
        };
        c.draw_series(DashedLineSeries::new(
            at(|p| Some(p.ideal)),
            6,
            4,
            INK.stroke_width(1),
        ))
        .map_err(|e| e.to_string())?
        .label("ideal (dashed)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], INK));
        c.draw_series(LineSeries::new(at(|p| p.scope), WARM.stroke_width(1)))
            .map_err(|e| e.to_string())?
            .label("scope (thin)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], WARM));
        c.draw_series(LineSeries::new(at(|p| p.remaining), ACCENT.stroke_width(2)).point_size(3))
            .map_err(|e| e.to_string())?
            .label("remaining (dots)")
            .legend(|(x, y)| Circle::new((x + 8, y), 3, ACCENT.filled()));
        c.draw_series(points.iter().enumerate().filter_map(|(i, p)| {
            p.change.as_ref().map(|t| {
                EmptyElement::at((i as u32, p.scope.unwrap_or(0.0)))
                    + TriangleMarker::new((0, -6), 5, WARM.filled())
                    + Text::new(t.clone(), (4, -18), text(SMALL))
            })
        }))
        .map_err(|e| e.to_string())?;
        c.configure_series_labels()
            .label_font(text(SMALL))
            .border_style(INK.mix(0.3))
            .background_style(WHITE.mix(0.0))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(|e| e.to_string())
    })
}

/// Paired bars per label: the first hollow (e.g. committed), the second filled (completed).
pub fn paired_bars(title: &str, names: (&str, &str), rows: &[(String, f64, f64)]) -> String {
    if rows.is_empty() {
        return empty(title, "no closed sprint yet");
    }
    draw(|root| {
        let n = rows.len().max(1) as u32;
        let top = rows.iter().flat_map(|r| [r.1, r.2]).fold(1.0f64, f64::max) * 1.15;
        let mut c = ChartBuilder::on(root)
            .caption(title, text(15))
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(40)
            .build_cartesian_2d(0u32..n * 3, 0f64..top)
            .map_err(|e| e.to_string())?;
        let labels: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        c.configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(INK.mix(0.2))
            .axis_style(INK)
            .label_style(text(SMALL))
            .x_labels(rows.len() * 3)
            .x_label_formatter(&|x| {
                if x % 3 == 1 {
                    labels.get((x / 3) as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .draw()
            .map_err(|e| e.to_string())?;
        c.draw_series(rows.iter().enumerate().map(|(i, r)| {
            let x = i as u32 * 3;
            Rectangle::new([(x, 0.0), (x + 1, r.1)], ACCENT.stroke_width(2))
        }))
        .map_err(|e| e.to_string())?
        .label(format!("{} (hollow)", names.0))
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], ACCENT.stroke_width(2)));
        c.draw_series(rows.iter().enumerate().map(|(i, r)| {
            let x = i as u32 * 3 + 1;
            Rectangle::new([(x, 0.0), (x + 1, r.2)], ACCENT.filled())
        }))
        .map_err(|e| e.to_string())?
        .label(format!("{} (filled)", names.1))
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], ACCENT.filled()));
        c.configure_series_labels()
            .label_font(text(SMALL))
            .border_style(INK.mix(0.3))
            .background_style(WHITE.mix(0.0))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(|e| e.to_string())
    })
}

/// Bars of counts per bucket label.
pub fn histogram(title: &str, x_desc: &str, buckets: &[(String, u32)]) -> String {
    if buckets.iter().all(|b| b.1 == 0) {
        return empty(title, "no finished item yet");
    }
    draw(|root| {
        let n = buckets.len().max(1) as u32;
        let top = buckets.iter().map(|b| b.1).max().unwrap_or(1).max(1) as f64 * 1.15;
        let mut c = ChartBuilder::on(root)
            .caption(title, text(15))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(40)
            .build_cartesian_2d((0u32..n).into_segmented(), 0f64..top)
            .map_err(|e| e.to_string())?;
        let labels: Vec<String> = buckets.iter().map(|b| b.0.clone()).collect();
        // Segmented: each bucket's label sits under the middle of its bar.
        c.configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(INK.mix(0.2))
            .axis_style(INK)
            .label_style(text(SMALL))
            .x_labels(buckets.len() + 1)
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .x_desc(x_desc)
            .y_desc("items")
            .axis_desc_style(text(SMALL))
            .draw()
            .map_err(|e| e.to_string())?;
        c.draw_series(buckets.iter().enumerate().map(|(i, b)| {
            let x = i as u32;
            let mut r = Rectangle::new(
                [
                    (SegmentValue::Exact(x), 0.0),
                    (SegmentValue::Exact(x + 1), b.1 as f64),
                ],
                ACCENT.mix(0.8).filled(),
            );
            r.set_margin(0, 0, 3, 3);
            r
        }))
        .map_err(|e| e.to_string())?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_svg_with_their_labels() {
        let pts: Vec<BurnPoint> = (0..5)
            .map(|i| BurnPoint {
                label: format!("d{i}"),
                remaining: (i < 4).then_some(10.0 - 2.0 * i as f64),
                ideal: 10.0 - 2.5 * i as f64,
                scope: (i < 4).then_some(10.0),
                change: (i == 2).then(|| "+3".to_string()),
            })
            .collect();
        let svg = burndown("Sprint 1", &pts);
        assert!(
            svg.starts_with("<svg") && svg.contains("Sprint 1") && svg.contains("+3"),
            "{svg}"
        );
        let v = paired_bars(
            "Velocity",
            ("committed", "completed"),
            &[("S1".into(), 20.0, 18.0)],
        );
        assert!(v.contains("committed (hollow)") && v.contains("<rect"));
        let h = histogram(
            "Cycle time",
            "days",
            &[("0–1".into(), 3), ("1–2".into(), 1)],
        );
        assert!(h.contains("0–1") && h.contains("<rect"));
        for svg in [
            burndown("B", &[]),
            paired_bars("V", ("a", "b"), &[]),
            histogram("H", "d", &[]),
        ] {
            assert!(svg.starts_with("<svg") && svg.contains(": "), "{svg}");
        }
        let one = burndown("B", &pts[..1]);
        assert!(one.contains("d0"));
    }
}
