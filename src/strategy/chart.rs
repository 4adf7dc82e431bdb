//! Progress-to-target charts as SVG, drawn with `plotters`. Text stays in the page around the
//! chart (title, axis range, a table of values), so the chart itself needs no fonts.

use chrono::NaiveDate;
use plotters::prelude::*;

use super::model::MetricValue;

/// Measured values as a line with points, the target as a dashed line and the baseline as a
/// dotted one: three line styles, so it reads without colour. Empty when there is no history.
pub fn metric_svg(history: &[MetricValue], baseline: f64, target: f64) -> anyhow::Result<String> {
    let points: Vec<(f64, f64)> = {
        let dated: Vec<(NaiveDate, f64)> = history
            .iter()
            .filter_map(|v| {
                NaiveDate::parse_from_str(&v.measured_on, "%Y-%m-%d")
                    .ok()
                    .map(|d| (d, v.value))
            })
            .collect();
        let Some(first) = dated.first().map(|d| d.0) else {
            return Ok(String::new());
        };
        dated
            .iter()
            .map(|(d, v)| ((*d - first).num_days() as f64, *v))
            .collect()
    };
    let x_max = points.last().map(|p| p.0).unwrap_or(0.0).max(1.0);
    let (mut lo, mut hi) = (baseline.min(target), baseline.max(target));
    for (_, v) in &points {
        lo = lo.min(*v);
        hi = hi.max(*v);
    }
    let pad = ((hi - lo) * 0.1).max(1e-9);
    let (lo, hi) = (lo - pad, hi + pad);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (480, 200)).into_drawing_area();
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .build_cartesian_2d(-x_max * 0.02..x_max * 1.02, lo..hi)?;
        let accent = RGBColor(0x4f, 0x46, 0xe5);
        let muted = RGBColor(0x6b, 0x72, 0x80);
        let flat = |y: f64| vec![(-x_max * 0.02, y), (x_max * 1.02, y)];
        chart.draw_series(DashedLineSeries::new(
            flat(target),
            8,
            5,
            muted.stroke_width(2),
        ))?;
        chart.draw_series(DashedLineSeries::new(
            flat(baseline),
            2,
            4,
            muted.stroke_width(1),
        ))?;
        chart.draw_series(LineSeries::new(points.clone(), accent.stroke_width(3)))?;
        chart.draw_series(points.iter().map(|p| Circle::new(*p, 4, accent.filled())))?;
        root.present()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_one_point_per_value_and_nothing_without_history() {
        let v = |d: &str, x: f64| MetricValue {
            measured_on: d.into(),
            value: x,
        };
        let svg = metric_svg(
            &[
                v("2027-01-05", 21.0),
                v("2027-02-05", 27.5),
                v("2027-03-01", 31.0),
            ],
            20.0,
            40.0,
        )
        .expect("svg");
        assert!(svg.starts_with("<svg"), "{svg}");
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("<polyline") || svg.contains("<path"));
        assert_eq!(metric_svg(&[], 1.0, 2.0).expect("svg"), "");
    }
}
