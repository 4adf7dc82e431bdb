//! A sparkline: a small inline SVG of one series beside an ideal line, no axes or text, sized
//! by its container (the Overview's burndown at a glance). Plain SVG, as plotters' margins and
//! labels have no place at this size.

/// `values` over `ideal`, both per day, scaled to the larger of their maxima. The caller
/// labels it (the figure beside it says what it shows).
pub fn sparkline(values: &[f64], ideal: &[f64]) -> String {
    const W: f64 = 120.0;
    const H: f64 = 32.0;
    let n = values.len().max(ideal.len());
    if n == 0 {
        return String::new();
    }
    let top = values
        .iter()
        .chain(ideal)
        .fold(0.0_f64, |m, v| m.max(*v))
        .max(1.0);
    let step = if n > 1 { W / (n - 1) as f64 } else { 0.0 };
    let line = |series: &[f64]| -> String {
        series
            .iter()
            .enumerate()
            .map(|(i, v)| {
                format!(
                    "{:.1},{:.1}",
                    i as f64 * step,
                    H - 2.0 - v / top * (H - 4.0)
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        r#"<svg class="spark" viewBox="0 0 {W} {H}" preserveAspectRatio="none" aria-hidden="true" focusable="false"><polyline class="spark-ideal" fill="none" stroke-dasharray="3 3" points="{}"/><polyline class="spark-line" fill="none" points="{}"/></svg>"#,
        line(ideal),
        line(values)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_sparkline_spans_its_box_and_has_nothing_for_no_days() {
        assert_eq!(super::sparkline(&[], &[]), "");
        let svg = super::sparkline(&[10.0, 5.0, 0.0], &[10.0, 5.0, 0.0]);
        assert!(
            svg.contains(r#"points="0.0,2.0 60.0,16.0 120.0,30.0""#),
            "{svg}"
        );
    }
}
