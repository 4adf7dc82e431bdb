//! Charts of sprints: the burndown (lines against the ideal, with a today rule), paired bars
//! (committed and completed, added and removed) and a histogram of counts.

use plotters::prelude::*;

use super::{
    draw, empty, fit, frame, styled, text, trim, whole_numbers, Canvas, Swatch, ACCENT, INK, SMALL,
    WARM,
};

/// One line per day: `(label, remaining, ideal, scope, change)`; `change` marks scope changes.
/// Days after today carry only the ideal line.
pub struct BurnPoint {
    pub label: String,
    pub remaining: Option<f64>,
    pub ideal: f64,
    pub scope: Option<f64>,
    pub change: Option<String>,
}

pub fn burndown(canvas: Canvas, title: &str, points: &[BurnPoint]) -> String {
    if points.is_empty() {
        return empty(canvas, title, "the line starts on the sprint's first day");
    }
    let legend = [
        (Swatch::Dots(ACCENT), "remaining (dots)".to_string()),
        (Swatch::Dashed(INK), "ideal (dashed)".to_string()),
        (Swatch::Line(WARM), "scope (thin)".to_string()),
    ];
    // Today is the last day with a remaining figure, while days after it are still to come.
    let today = points
        .iter()
        .rposition(|p| p.remaining.is_some())
        .filter(|i| i + 1 < points.len());
    draw(canvas, &legend, |root| {
        let n = points.len().max(2) as u32;
        let top = points
            .iter()
            .flat_map(|p| [p.remaining.unwrap_or(0.0), p.ideal, p.scope.unwrap_or(0.0)])
            .fold(1.0f64, f64::max)
            * 1.15;
        let mut c = frame(root, canvas, title, 0u32..n - 1, 0f64..top)?;
        let labels: Vec<String> = points.iter().map(|p| p.label.clone()).collect();
        let every = canvas.every(points.len());
        let mut mesh = c.configure_mesh();
        styled(&mut mesh).disable_x_mesh();
        whole_numbers(&mut mesh, canvas, top)
            .x_labels(points.len().clamp(2, 31))
            .x_label_formatter(&|i| match *i as usize {
                i if i % every == 0 => labels.get(i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_desc("points")
            .draw()
            .map_err(|e| e.to_string())?;
        let at = |f: fn(&BurnPoint) -> Option<f64>| {
            points
                .iter()
                .enumerate()
                .filter_map(move |(i, p)| f(p).map(|v| (i as u32, v)))
        };
        let e = |e: DrawingAreaErrorKind<_>| e.to_string();
        if let Some(t) = today {
            let t = t as u32;
            c.draw_series(DashedLineSeries::new(
                [(t, 0.0), (t, top)],
                3,
                3,
                INK.mix(0.6).stroke_width(1),
            ))
            .map_err(e)?;
            // Written left of the rule, at its foot, clear of the lines' scope marks above.
            c.draw_series(std::iter::once(
                EmptyElement::at((t, 0.0)) + Text::new("today", (-44, -20), text(SMALL)),
            ))
            .map_err(e)?;
        }
        c.draw_series(DashedLineSeries::new(
            at(|p| Some(p.ideal)),
            6,
            4,
            INK.stroke_width(1),
        ))
        .map_err(e)?;
        c.draw_series(LineSeries::new(at(|p| p.scope), WARM.stroke_width(1)))
            .map_err(e)?;
        c.draw_series(LineSeries::new(at(|p| p.remaining), ACCENT.stroke_width(2)).point_size(3))
            .map_err(e)?;
        c.draw_series(points.iter().enumerate().filter_map(|(i, p)| {
            p.change.as_ref().map(|t| {
                EmptyElement::at((i as u32, p.scope.unwrap_or(0.0)))
                    + TriangleMarker::new((0, -6), 5, WARM.filled())
                    + Text::new(t.clone(), (4, -18), text(SMALL))
            })
        }))
        .map_err(e)?;
        Ok(())
    })
}

/// Paired bars per label, each with its value on top: the first hollow (e.g. committed), the
/// second filled (completed); `line` is a dashed level across them (an average), named in the
/// legend.
pub fn paired_bars(
    canvas: Canvas,
    title: &str,
    names: (&str, &str),
    rows: &[(String, f64, f64)],
    line: Option<(&str, f64)>,
) -> String {
    if rows.is_empty() {
        return empty(canvas, title, "no closed sprint yet");
    }
    let mut legend = vec![
        (Swatch::Hollow(ACCENT), format!("{} (hollow)", names.0)),
        (
            Swatch::Filled(ACCENT.to_rgba()),
            format!("{} (filled)", names.1),
        ),
    ];
    if let Some((name, v)) = line {
        legend.push((
            Swatch::Dashed(WARM),
            format!("{name} (dashed): {}", trim(v)),
        ));
    }
    draw(canvas, &legend, |root| {
        let n = rows.len() as u32;
        let top = rows
            .iter()
            .flat_map(|r| [r.1, r.2])
            .chain(line.map(|l| l.1))
            .fold(1.0f64, f64::max)
            * 1.15;
        let mut c = frame(root, canvas, title, 0u32..n * 3, 0f64..top)?;
        let every = canvas.every(rows.len());
        let slot = (canvas.width - 64) * every as u32 / rows.len() as u32;
        let labels: Vec<String> = rows.iter().map(|r| fit(&r.0, slot)).collect();
        let mut mesh = c.configure_mesh();
        styled(&mut mesh).disable_x_mesh();
        whole_numbers(&mut mesh, canvas, top)
            .x_labels(rows.len() * 3)
            .x_label_formatter(&|x| match (*x % 3, (*x / 3) as usize) {
                (1, i) if i % every == 0 => labels.get(i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .draw()
            .map_err(|e| e.to_string())?;
        let e = |e: DrawingAreaErrorKind<_>| e.to_string();
        c.draw_series(rows.iter().enumerate().map(|(i, r)| {
            let x = i as u32 * 3;
            Rectangle::new([(x, 0.0), (x + 1, r.1)], ACCENT.stroke_width(2))
        }))
        .map_err(e)?;
        c.draw_series(rows.iter().enumerate().map(|(i, r)| {
            let x = i as u32 * 3 + 1;
            Rectangle::new([(x, 0.0), (x + 1, r.2)], ACCENT.filled())
        }))
        .map_err(e)?;
        // Values on the bars, while there is room for them (two a label).
        if rows.len() <= if canvas.narrow() { 4 } else { 10 } {
            c.draw_series(rows.iter().enumerate().flat_map(|(i, r)| {
                let x = i as u32 * 3;
                [(x, r.1), (x + 1, r.2)].map(|(x, v)| {
                    EmptyElement::at((x, v)) + Text::new(trim(v), (2, -17), text(SMALL))
                })
            }))
            .map_err(e)?;
        }
        if let Some((_, v)) = line {
            c.draw_series(DashedLineSeries::new(
                [(0, v), (n * 3, v)],
                6,
                4,
                WARM.stroke_width(2),
            ))
            .map_err(e)?;
        }
        Ok(())
    })
}

/// Bars of counts per bucket label, each count written on its bar.
pub fn histogram(canvas: Canvas, title: &str, x_desc: &str, buckets: &[(String, u32)]) -> String {
    if buckets.iter().all(|b| b.1 == 0) {
        return empty(canvas, title, "no finished item yet");
    }
    draw(canvas, &[], |root| {
        let n = buckets.len().max(1) as u32;
        let top = buckets.iter().map(|b| b.1).max().unwrap_or(1).max(1) as f64 * 1.15;
        let mut c = frame(root, canvas, title, (0u32..n).into_segmented(), 0f64..top)?;
        let labels: Vec<String> = buckets.iter().map(|b| b.0.clone()).collect();
        let every = canvas.every(buckets.len());
        // Segmented: each bucket's label sits under the middle of its bar.
        let mut mesh = c.configure_mesh();
        styled(&mut mesh).disable_x_mesh();
        whole_numbers(&mut mesh, canvas, top)
            .x_labels(buckets.len() + 1)
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) if *i as usize % every == 0 => {
                    labels.get(*i as usize).cloned().unwrap_or_default()
                }
                _ => String::new(),
            })
            .x_desc(x_desc)
            .y_desc("items")
            .draw()
            .map_err(|e| e.to_string())?;
        let e = |e: DrawingAreaErrorKind<_>| e.to_string();
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
        .map_err(e)?;
        c.draw_series(
            buckets
                .iter()
                .enumerate()
                .filter(|(_, b)| b.1 > 0)
                .map(|(i, b)| {
                    EmptyElement::at((SegmentValue::CenterOf(i as u32), b.1 as f64))
                        + Text::new(b.1.to_string(), (-4, -17), text(SMALL))
                }),
        )
        .map_err(e)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn says(svg: &str, words: &str) -> bool {
        crate::chart::texts(svg).iter().any(|t| t.1 == words)
    }

    fn burn(days: usize, today: usize) -> Vec<BurnPoint> {
        (0..days)
            .map(|i| BurnPoint {
                label: format!("d{i}"),
                remaining: (i <= today).then_some(10.0 - 2.0 * i as f64),
                ideal: 10.0 - 2.5 * i as f64,
                scope: (i <= today).then_some(10.0),
                change: (i == 2).then(|| "+3".to_string()),
            })
            .collect()
    }

    #[test]
    fn charts_are_svg_with_their_labels_values_and_legend_below() {
        let svg = burndown(Canvas::WIDE, "Sprint 1", &burn(5, 3));
        assert!(
            svg.starts_with("<svg") && says(&svg, "Sprint 1") && says(&svg, "+3"),
            "{svg}"
        );
        assert!(says(&svg, "today"), "a running sprint has a today rule");
        assert!(
            !says(&burndown(Canvas::WIDE, "S", &burn(5, 4)), "today"),
            "a finished one has none"
        );
        let v = paired_bars(
            Canvas::WIDE,
            "Velocity",
            ("committed", "completed"),
            &[("S1".into(), 20.0, 18.5)],
            Some(("velocity", 19.25)),
        );
        assert!(says(&v, "velocity (dashed): 19.2"), "{v}");
        assert!(v.contains("committed (hollow)") && v.contains("<rect"));
        assert!(
            says(&v, "20") && says(&v, "18.5"),
            "values on the bars: {v}"
        );
        let h = histogram(
            Canvas::WIDE,
            "Cycle time",
            "days",
            &[("0–1".into(), 3), ("1–2".into(), 1)],
        );
        assert!(says(&h, "0–1") && says(&h, "3"), "{h}");
        for svg in [
            burndown(Canvas::WIDE, "B", &[]),
            paired_bars(Canvas::WIDE, "V", ("a", "b"), &[], None),
            histogram(Canvas::WIDE, "H", "d", &[]),
        ] {
            assert!(svg.starts_with("<svg") && svg.contains(": "), "{svg}");
        }
        assert!(burndown(Canvas::WIDE, "B", &burn(1, 0)).contains("d0"));
    }

    #[test]
    fn the_y_axis_counts_in_whole_numbers() {
        // A top of 3 points would get ticks at 0.5 steps without the whole-number rule.
        let v = paired_bars(
            Canvas::WIDE,
            "V",
            ("a", "b"),
            &[("S1".into(), 3.0, 2.0)],
            None,
        );
        for tick in ["0.5", "1.5", "2.5"] {
            assert!(!says(&v, tick), "{tick} in {v}");
        }
        assert!(says(&v, "1") && says(&v, "3"), "{v}");
    }

    #[test]
    fn the_legend_sits_below_the_plot() {
        let svg = burndown(Canvas::WIDE, "Sprint 1", &burn(5, 3));
        let texts = crate::chart::texts(&svg);
        let y_of = |label: &str| texts.iter().find(|t| t.1 == label).expect(label).0;
        // The x labels are the plot's lowest text; the legend is lower still.
        assert!(y_of("ideal (dashed)") > y_of("d0"), "{svg}");
    }
}
