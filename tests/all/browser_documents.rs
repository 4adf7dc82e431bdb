//! The printed documents in headless Chromium: the brief printed to PDF through WebDriver's
//! print command on A4 and on Letter, its pages counted, and every table checked to fit the
//! printable width with print styles applied. Skipped without THROUGHLINE_WEBDRIVER.

use base64::Engine;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::Client;
use serde_json::{json, Value};

use crate::docs::golden::{doc, DAY};
use crate::support::cli::Cli;
use crate::support::web::browser;

/// A WebDriver command by path and body: the print endpoint (W3C) and chromedriver's CDP
/// bridge, which fantoccini does not wrap.
#[derive(Debug)]
struct Raw {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for Raw {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/{}",
            session.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

async fn raw(c: &Client, path: &'static str, body: Value) -> Value {
    c.issue_cmd(Raw { path, body })
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The pages of a PDF: the page tree's count (its root's, the largest, since a tree may nest),
/// checked against the page objects themselves.
fn pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    let objects = text
        .match_indices("/Type /Page")
        .filter(|(at, m)| !text[at + m.len()..].starts_with('s'))
        .count();
    let count: usize = text
        .split("/Type /Pages")
        .skip(1)
        .filter_map(|node| node.split("/Count ").nth(1))
        .filter_map(|n| n.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .max()
        .expect("a page tree with its count");
    assert_eq!(objects, count, "the page tree counts every page object");
    count
}

/// Tables (and their cells) wider than the printable width, as `selector: widths`.
const OVERFLOWS: &str = "
    const width = document.documentElement.clientWidth;
    const out = [];
    document.querySelectorAll('table').forEach((t, n) => {
        const r = t.getBoundingClientRect();
        if (r.left < -0.5 || r.right > width + 0.5) out.push(`table ${n}: ${r.left}..${r.right} of ${width}`);
        t.querySelectorAll('th, td').forEach(cell => {
            if (cell.scrollWidth > cell.clientWidth + 1) out.push(`table ${n} cell '${cell.textContent.slice(0, 40)}': ${cell.scrollWidth} > ${cell.clientWidth}`);
        });
    });
    return out;";

#[tokio::test]
async fn browser_prints_the_brief_to_pdf_without_a_table_overflowing_the_page() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let cli = Cli::demo_on(DAY).await;
    // Paper, its size in cm (the print command's unit), its printable width in CSS px (the
    // page less the stylesheet's 16 mm margins at 96 px to the inch).
    for (paper, (w, h)) in [("a4", (21.0_f64, 29.7_f64)), ("letter", (21.59, 27.94))] {
        let html = doc(
            &cli,
            "brief",
            &["--quarter", "2026-Q4", "--format", "html", "--paper", paper],
        );
        let sections = html.matches("<h2").count();
        let tables = html.matches("<table").count();
        assert!(sections >= 8 && tables >= 5, "the demo brief is a real one");
        let file = cli.dir.path().join(format!("brief-{paper}.html"));
        std::fs::write(&file, &html).unwrap();
        c.goto(&format!("file://{}", file.display())).await.unwrap();

        let printed = raw(
            &c,
            "print",
            json!({"page": {"width": w, "height": h}, "margin": {"top": 0, "bottom": 0, "left": 0, "right": 0}, "background": true}),
        )
        .await;
        let pdf = base64::engine::general_purpose::STANDARD
            .decode(printed.as_str().expect("the PDF in base64"))
            .unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "{paper}: not a PDF");
        let n = pages(&pdf);
        // Every section after the first starts a page; a section runs to a few pages at most.
        assert!(
            n >= sections - 1 && n <= sections * 3,
            "{paper}: {n} pages for {sections} sections"
        );

        // The same page laid out as it prints: print media at the printable width.
        let printable = ((w * 10.0 - 32.0) / 25.4 * 96.0).floor();
        raw(
            &c,
            "goog/cdp/execute",
            json!({"cmd": "Emulation.setEmulatedMedia", "params": {"media": "print"}}),
        )
        .await;
        raw(&c, "goog/cdp/execute", json!({"cmd": "Emulation.setDeviceMetricsOverride",
            "params": {"width": printable as i64, "height": 1000, "deviceScaleFactor": 1, "mobile": false}})).await;
        let found = c.execute(OVERFLOWS, vec![]).await.unwrap();
        let width = c
            .execute("return document.documentElement.clientWidth", vec![])
            .await
            .unwrap();
        assert!(
            width.as_f64().unwrap() <= printable,
            "{paper}: laid out {width} px wide, printable {printable}"
        );
        assert_eq!(found, json!([]), "{paper}: overflowing tables");
        raw(
            &c,
            "goog/cdp/execute",
            json!({"cmd": "Emulation.clearDeviceMetricsOverride", "params": {}}),
        )
        .await;
    }
    c.close().await.unwrap();
}
