//! Charts of flow and forecasts: bars with a dashed reference line (throughput, aging work,
//! forecast distributions), a scatter with percentile lines (cycle times) and stacked bands
//! (cumulative flow). Same palette, sizes and empty-chart sentence as the other charts.

use chrono::NaiveDate;
use plotters::prelude::*;

use super::{
    draw, empty, frame, styled, text, trim, whole_numbers, Canvas, Swatch, ACCENT, INK, SMALL, WARM,
};

/// One bar per label with its value written on it, and an optional dashed line (a mean or a
/// percentile) named in the legend. Ticks are whole numbers.
pub fn bars(
    canvas: Canvas,
    title: &str,
    y_desc: &str,
    rows: &[(String, f64)],
    line: Option<(&str, f64)>,
) -> String {
    if rows.is_empty() {
        return empty(canvas, title, "nothing to show yet");
    }
    let legend: Vec<(Swatch, String)> = line
        .map(|(name, v)| {
            (
                Swatch::Dashed(WARM),
                format!("{name} (dashed): {}", trim(v)),
            )
        })
        .into_iter()
        .collect();
    draw(canvas, &legend, |root| {
        let n = rows.len() as u32;
        let top = rows
            .iter()
            .map(|r| r.1)
            .chain(line.map(|l| l.1))
            .fold(1.0f64, f64::max)
            * 1.2;
        let mut c = frame(root, canvas, title, (0u32..n).into_segmented(), 0f64..top)?;
        let labels: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        let every = canvas.every(rows.len());
        let mut mesh = c.configure_mesh();
        styled(&mut mesh).disable_x_mesh();
        whole_numbers(&mut mesh, canvas, top)
            .x_labels(rows.len() + 1)
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) if (*i as usize) % every == 0 => {
                    labels.get(*i as usize).cloned().unwrap_or_default()
                }
                _ => String::new(),
            })
            .y_desc(y_desc)
            .draw()
            .map_err(|e| e.to_string())?;
        c.draw_series(rows.iter().enumerate().map(|(i, r)| {
            let x = i as u32;
            let mut b = Rectangle::new(
                [
                    (SegmentValue::Exact(x), 0.0),
                    (SegmentValue::Exact(x + 1), r.1),
                ],
                ACCENT.mix(0.8).filled(),
            );
            b.set_margin(0, 0, 3, 3);
            b
        }))
        .map_err(|e| e.to_string())?;
        if rows.len() <= if canvas.narrow() { 8 } else { 30 } {
            c.draw_series(rows.iter().enumerate().map(|(i, r)| {
                EmptyElement::at((SegmentValue::CenterOf(i as u32), r.1))
                    + Text::new(trim(r.1), (-4, -17), text(SMALL))
            }))
            .map_err(|e| e.to_string())?;
        }
        if let Some((_, v)) = line {
            c.draw_series(DashedLineSeries::new(
                [(SegmentValue::Exact(0), v), (SegmentValue::Exact(n), v)],
                6,
                4,
                WARM.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// Points by date (x) and value (y), with horizontal dashed lines at named values.
pub fn scatter(
    canvas: Canvas,
    title: &str,
    points: &[(NaiveDate, f64)],
    lines: &[(&str, Option<f64>)],
) -> String {
    let (Some(first), Some(last)) = (
        points.iter().map(|p| p.0).min(),
        points.iter().map(|p| p.0).max(),
    ) else {
        return empty(canvas, title, "no finished item yet");
    };
    draw(canvas, &[], |root| {
        let span = (last - first).num_days().max(1) as i32;
        let top = points
            .iter()
            .map(|p| p.1)
            .chain(lines.iter().filter_map(|l| l.1))
            .fold(1.0f64, f64::max)
            * 1.15;
        let mut c = frame(root, canvas, title, 0i32..span, 0f64..top)?;
        let mut mesh = c.configure_mesh();
        styled(&mut mesh);
        whole_numbers(&mut mesh, canvas, top)
            .x_labels(canvas.x_ticks(8))
            .x_label_formatter(&|d| {
                (first + chrono::Duration::days(*d as i64))
                    .format("%d %b")
                    .to_string()
            })
            .y_desc("days from start to done")
            .draw()
            .map_err(|e| e.to_string())?;
        c.draw_series(
            points.iter().map(|(d, v)| {
                Circle::new(((*d - first).num_days() as i32, *v), 3, ACCENT.filled())
            }),
        )
        .map_err(|e| e.to_string())?;
        for (i, (name, v)) in lines.iter().enumerate() {
            let Some(v) = v else { continue };
            let dash = 3 + 3 * i as u32;
            c.draw_series(DashedLineSeries::new(
                [(0, *v), (span, *v)],
                dash,
                4,
                WARM.stroke_width(1),
            ))
            .map_err(|e| e.to_string())?;
            c.draw_series(std::iter::once(Text::new(
                format!("{name}: {} d", trim(*v)),
                (0, *v + top * 0.02),
                text(SMALL),
            )))
            .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// Stacked bands per label, the first name at the bottom; each band a different tone, named
/// in the legend from top to bottom.
pub fn stacked(canvas: Canvas, title: &str, names: &[&str], rows: &[(String, Vec<f64>)]) -> String {
    if rows.iter().all(|r| r.1.iter().all(|v| *v == 0.0)) {
        return empty(canvas, title, "no item has moved yet");
    }
    let tones = [
        ACCENT.mix(0.9),
        WARM.mix(0.7),
        ACCENT.mix(0.45),
        INK.mix(0.3),
    ];
    // Top band first, as the bands are stacked.
    let legend: Vec<(Swatch, String)> = (0..names.len())
        .rev()
        .map(|b| (Swatch::Filled(tones[b % tones.len()]), names[b].to_string()))
        .collect();
    draw(canvas, &legend, |root| {
        let n = rows.len().max(2) as u32;
        let sums: Vec<Vec<f64>> = rows
            .iter()
            .map(|r| {
                r.1.iter()
                    .scan(0.0, |acc, v| {
                        *acc += v;
                        Some(*acc)
                    })
                    .collect()
            })
            .collect();
        let top = sums
            .iter()
            .filter_map(|s| s.last().copied())
            .fold(1.0f64, f64::max)
            * 1.15;
        let mut c = frame(root, canvas, title, 0u32..n - 1, 0f64..top)?;
        let labels: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        let mut mesh = c.configure_mesh();
        styled(&mut mesh);
        whole_numbers(&mut mesh, canvas, top)
            .x_labels(canvas.x_ticks(rows.len()).max(2))
            .x_label_formatter(&|i| labels.get(*i as usize).cloned().unwrap_or_default())
            .y_desc("items")
            .draw()
            .map_err(|e| e.to_string())?;
        for band in (0..names.len()).rev() {
            let upper = sums.iter().enumerate().map(|(i, s)| (i as u32, s[band]));
            let lower: Vec<(u32, f64)> = sums
                .iter()
                .enumerate()
                .map(|(i, s)| (i as u32, if band == 0 { 0.0 } else { s[band - 1] }))
                .rev()
                .collect();
            let outline: Vec<(u32, f64)> = upper.chain(lower).collect();
            let tone = tones[band % tones.len()];
            c.draw_series(std::iter::once(Polygon::new(outline, tone.filled())))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_charts_are_svg_with_their_labels() {
        let b = bars(
            Canvas::WIDE,
            "Throughput",
            "items",
            &[("02 Nov".into(), 3.0), ("09 Nov".into(), 5.0)],
            Some(("mean", 4.0)),
        );
        assert!(
            b.starts_with("<svg") && b.contains("02 Nov") && b.contains("mean (dashed): 4"),
            "{b}"
        );
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let s = scatter(
            Canvas::WIDE,
            "Cycle",
            &[(d("2026-11-02"), 2.0), (d("2026-11-09"), 7.5)],
            &[("85%", Some(7.5))],
        );
        assert!(s.contains("<circle") && s.contains("85%: 7.5 d"), "{s}");
        let f = stacked(
            Canvas::WIDE,
            "CFD",
            &["Done", "To do"],
            &[("a".into(), vec![1.0, 4.0]), ("b".into(), vec![2.0, 3.0])],
        );
        assert!(f.contains("<polygon") && f.contains("To do"), "{f}");
        for svg in [
            bars(Canvas::WIDE, "B", "x", &[], None),
            scatter(Canvas::WIDE, "S", &[], &[]),
            stacked(Canvas::NARROW, "C", &["x"], &[]),
        ] {
            assert!(svg.starts_with("<svg") && svg.contains(": "), "{svg}");
        }
    }
}
