//! Markdown rendering (item descriptions, comments, documents): whatever the text, the HTML has
//! no script, no event handler and no `javascript:` link, and the importers' markup converters
//! never fail on what other tools write.

use throughline::backlog::render_markdown;
use throughline::import::markup::{html_to_markdown, wiki_to_markdown};

use super::seeds::{mutate, Edit};

const SEEDS: &[&str] = &[
    "**bold** _it_ [link](https://example.com) <b>raw</b>\n\n| a | b |\n|---|---|\n| 1 | 2 |",
    "- [ ] task\n- [x] done\n\n```js\nalert(1)\n```\n<script>alert(1)</script>",
    "[x](javascript:alert(1)) <img src=x onerror=alert(1)> <a href=\"jav&#x61;script:1\">a</a>",
    "h1. Title\n{code}x{code}\n*bold* [label|http://example.com] {color:red}red{color}",
];

fn check_html(source: &str) {
    let html = render_markdown(source).to_lowercase();
    // Text may say "javascript:" or "<script>" (escaped); a tag may not be or carry them.
    assert!(!html.contains("<script"), "{html}");
    for tag in html.split('<').skip(1) {
        let head = tag.split('>').next().unwrap_or_default();
        for (name, value) in attributes(head) {
            assert!(!name.starts_with("on"), "an event handler in <{head}>");
            // As a browser reads a URL (leading blanks dropped): `'javascript:…` is a relative
            // path, not a script.
            assert!(
                !value.trim_start().starts_with("javascript:"),
                "a script link in <{head}>"
            );
        }
    }
}

/// The attributes of a tag's head (`img src="x onerror=1"` has one, `src`, whose value holds
/// the text "onerror"): names and values, double-quoted values read to their closing quote.
fn attributes(head: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let rest = head.trim_start();
    // Past the tag's name.
    let mut rest = rest[rest.find(char::is_whitespace).unwrap_or(rest.len())..].trim_start();
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let name = rest[..end].to_string();
        rest = rest[end..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            if let Some(quoted) = after.strip_prefix('"') {
                let close = quoted.find('"').unwrap_or(quoted.len());
                value = quoted[..close].to_string();
                rest = quoted.get(close + 1..).unwrap_or_default();
            } else {
                let close = after.find(char::is_whitespace).unwrap_or(after.len());
                value = after[..close].to_string();
                rest = &after[close..];
            }
        }
        out.push((name, value));
        rest = rest.trim_start();
    }
    out
}

#[test]
fn rendered_markdown_never_carries_script() {
    bolero::check!()
        .with_type::<String>()
        .for_each(|s| check_html(s));
}

#[test]
fn rendered_seeds_stay_safe_under_small_changes() {
    bolero::check!()
        .with_type::<(u8, Vec<Edit>)>()
        .for_each(|(which, edits)| {
            let seed = SEEDS[*which as usize % SEEDS.len()];
            let text = String::from_utf8_lossy(&mutate(seed.as_bytes(), edits)).into_owned();
            check_html(&text);
            check_html(&wiki_to_markdown(&text));
            check_html(&html_to_markdown(&text));
        });
}
