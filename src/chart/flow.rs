//! Charts of flow and forecasts: bars with a dashed reference line (throughput, aging work,
//! forecast distributions), a scatter with percentile lines (cycle times) and stacked bands
//! (cumulative flow). Same palette, sizes and empty-chart sentence as the other charts.

use chrono::NaiveDate;
use plotters::prelude::*;

use super::{draw, empty, text, ACCENT, INK, SMALL, WARM};

/// One bar per label with its value written on it, and an optional dashed line (a mean or a
/// percentile) named in the legend. Ticks are whole numbers.
pub fn bars(
    title: &str,
    y_desc: &str,
    rows: &[(String, f64)],
    line: Option<(&str, f64)>,
) -> String {
    if rows.is_empty() {
        return empty(title, "nothing to show yet");
    }
    draw(|root| {
        let n = rows.len() as u32;
        let top = rows
            .iter()
            .map(|r| r.1)
            .chain(line.map(|l| l.1))
            .fold(1.0f64, f64::max)
            * 1.2;
        let mut c = ChartBuilder::on(root)
            .caption(title, text(15))
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(40)
            .build_cartesian_2d((0u32..n).into_segmented(), 0f64..top)
            .map_err(|e| e.to_string())?;
        let labels: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        let every = (rows.len() / 12).max(1);
        c.configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(INK.mix(0.2))
            .axis_style(INK)
            .label_style(text(SMALL))
            .x_labels(rows.len() + 1)
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) if (*i as usize) % every == 0 => {
                    labels.get(*i as usize).cloned().unwrap_or_default()
                }
                _ => String::new(),
            })
            .y_label_formatter(&|v| {
                if v.fract() == 0.0 {
                    format!("{v:.0}")
                } else {
                    String::new()
                }
            })
            .y_desc(y_desc)
            .axis_desc_style(text(SMALL))
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
        if rows.len() <= 30 {
            c.draw_series(rows.iter().enumerate().map(|(i, r)| {
                Text::new(
                    trim(r.1),
                    (SegmentValue::CenterOf(i as u32), r.1 + top * 0.03),
                    text(SMALL),
                )
            }))
            .map_err(|e| e.to_string())?;
        }
        if let Some((name, v)) = line {
            c.draw_series(DashedLineSeries::new(
                [(SegmentValue::Exact(0), v), (SegmentValue::Exact(n), v)],
                6,
                4,
                WARM.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?
            .label(format!("{name} (dashed): {}", trim(v)))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], WARM));
            c.configure_series_labels()
                .label_font(text(SMALL))
                .border_style(INK.mix(0.3))
                .background_style(WHITE.mix(0.0))
                .position(SeriesLabelPosition::UpperRight)
                .draw()
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

fn trim(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Points by date (x) and value (y), with horizontal dashed lines at named values.
pub fn scatter(title: &str, points: &[(NaiveDate, f64)], lines: &[(&str, Option<f64>)]) -> String {
    let (Some(first), Some(last)) = (
        points.iter().map(|p| p.0).min(),
        points.iter().map(|p| p.0).max(),
    ) else {
        return empty(title, "no finished item yet");
    };
    draw(|root| {
        let span = (last - first).num_days().max(1) as i32;
        let top = points
            .iter()
            .map(|p| p.1)
            .chain(lines.iter().filter_map(|l| l.1))
            .fold(1.0f64, f64::max)
            * 1.15;
        let mut c = ChartBuilder::on(root)
            .caption(title, text(15))
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(40)
            .build_cartesian_2d(0i32..span, 0f64..top)
            .map_err(|e| e.to_string())?;
        c.configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(INK.mix(0.2))
            .axis_style(INK)
            .label_style(text(SMALL))
            .x_labels(8)
            .x_label_formatter(&|d| {
                (first + chrono::Duration::days(*d as i64))
                    .format("%d %b")
                    .to_string()
            })
            .y_desc("days from start to done")
            .axis_desc_style(text(SMALL))
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
pub fn stacked(title: &str, names: &[&str], rows: &[(String, Vec<f64>)]) -> String {
    if rows.iter().all(|r| r.1.iter().all(|v| *v == 0.0)) {
        return empty(title, "no item has moved yet");
    }
    draw(|root| {
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
        let mut c = ChartBuilder::on(root)
            .caption(title, text(15))
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(40)
            .right_y_label_area_size(90)
            .build_cartesian_2d(0u32..n - 1, 0f64..top)
            .map_err(|e| e.to_string())?;
        let labels: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        c.configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(INK.mix(0.2))
            .axis_style(INK)
            .label_style(text(SMALL))
            .x_labels(rows.len().clamp(2, 12))
            .x_label_formatter(&|i| labels.get(*i as usize).cloned().unwrap_or_default())
            .y_desc("items")
            .axis_desc_style(text(SMALL))
            .draw()
            .map_err(|e| e.to_string())?;
        let tones = [
            ACCENT.mix(0.9),
            WARM.mix(0.7),
            ACCENT.mix(0.45),
            INK.mix(0.3),
        ];
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
                .map_err(|e| e.to_string())?
                .label(names[band].to_string())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], tone.filled()));
        }
        c.configure_series_labels()
            .label_font(text(SMALL))
            .border_style(INK.mix(0.3))
            .background_style(WHITE.mix(0.0))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(|e| e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_charts_are_svg_with_their_labels() {
        let b = bars(
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
            "Cycle",
            &[(d("2026-11-02"), 2.0), (d("2026-11-09"), 7.5)],
            &[("85%", Some(7.5))],
        );
        assert!(s.contains("<circle") && s.contains("85%: 7.5 d"), "{s}");
        let f = stacked(
            "CFD",
            &["Done", "To do"],
            &[("a".into(), vec![1.0, 4.0]), ("b".into(), vec![2.0, 3.0])],
        );
        assert!(f.contains("<polygon") && f.contains("To do"), "{f}");
        for svg in [
            bars("B", "x", &[], None),
            scatter("S", &[], &[]),
            stacked("C", &["x"], &[]),
        ] {
            assert!(svg.starts_with("<svg") && svg.contains(": "), "{svg}");
        }
    }
}
