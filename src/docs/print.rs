//! A document as printable HTML: its Markdown rendered (and cleaned, as every Markdown the
//! product shows) inside a page with the print stylesheet and no navigation, so that the
//! browser's "Save as PDF" is the PDF.

use askama::Template;

use crate::error::{Error, Result};

/// The paper the page is laid out for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    pub fn parse(s: &str) -> Result<Paper> {
        match s {
            "a4" | "A4" => Ok(Paper::A4),
            "letter" => Ok(Paper::Letter),
            _ => Err(Error::invalid("paper", "a4 or letter")),
        }
    }

    /// The CSS `size` of the page.
    pub fn css(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::Letter => "letter",
        }
    }
}

#[derive(Template)]
#[template(path = "docs/print.html")]
struct Print<'a> {
    title: &'a str,
    paper: &'static str,
    css: &'static str,
    body: String,
}

/// The stylesheet of printed documents, kept in `static/` beside the app's own.
const PRINT_CSS: &str = include_str!("../../static/print.css");

/// A document's Markdown as HTML. Markup inside the data (a title with `<b>` in it) is shown
/// as the text it is, not obeyed; what is left is cleaned as every Markdown the product shows.
pub fn body(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser};
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    let events = Parser::new_ext(markdown, opts).map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        e => e,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    ammonia::clean(&html)
}

pub fn html(title: &str, markdown: &str, paper: Paper) -> Result<String> {
    Print {
        title,
        paper: paper.css(),
        css: PRINT_CSS,
        body: body(markdown),
    }
    .render()
    .map_err(|e| Error::Internal(anyhow::anyhow!("rendering a document: {e}")))
}
