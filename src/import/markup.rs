//! Descriptions into Markdown: Jira's HTML (XML export, `{html}` blocks) and Jira's wiki markup
//! (CSV, REST JSON). Headings, lists, bold and italic, code and links carry over; other tags
//! are dropped and their text kept. Pure functions, no allocation beyond the output.

/// An entity's text (`&amp;`, `&#39;`, `&#x2F;`), or none for one we do not know.
fn entity(name: &str) -> Option<String> {
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some(c.to_string())
}

/// Text with its entities decoded; an unknown `&name;` stays as written.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 10);
        match end.and_then(|e| entity(&rest[1..e]).map(|t| (e, t))) {
            Some((e, text)) => {
                out.push_str(&text);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `href` of an `<a …>` tag's attributes.
fn href(attrs: &str) -> Option<String> {
    let at = attrs.find("href=")? + 5;
    let rest = &attrs[at..];
    let quote = rest.chars().next()?;
    let value = if quote == '"' || quote == '\'' {
        rest[1..].split(quote).next()?
    } else {
        rest.split([' ', '>']).next()?
    };
    Some(decode_entities(value))
}

/// HTML to Markdown.
pub fn html_to_markdown(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut lists: Vec<(bool, usize)> = Vec::new();
    let mut link: Option<String> = None;
    let mut pre = false;
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut out, rest, pre);
            break;
        };
        push_text(&mut out, &rest[..lt], pre);
        rest = &rest[lt..];
        let Some(gt) = rest.find('>') else {
            push_text(&mut out, rest, pre);
            break;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let attrs = &tag[tag.len().min(name.len() + usize::from(closing))..];
        match (name.as_str(), closing) {
            ("br", _) => out.push('\n'),
            ("p" | "div" | "table" | "tr", _) => block(&mut out),
            (h @ ("h1" | "h2" | "h3" | "h4" | "h5" | "h6"), false) => {
                block(&mut out);
                let level = h[1..].parse::<usize>().unwrap_or(1);
                out.push_str(&"#".repeat(level));
                out.push(' ');
            }
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", true) => block(&mut out),
            ("ul" | "ol", false) => {
                line(&mut out);
                lists.push((name == "ol", 0));
            }
            ("ul" | "ol", true) => {
                lists.pop();
                block(&mut out);
            }
            ("li", false) => {
                line(&mut out);
                let depth = lists.len().saturating_sub(1);
                out.push_str(&"  ".repeat(depth));
                match lists.last_mut() {
                    Some((true, n)) => {
                        *n += 1;
                        out.push_str(&format!("{n}. "));
                    }
                    _ => out.push_str("- "),
                }
            }
            ("b" | "strong", _) => out.push_str("**"),
            ("i" | "em", _) => out.push('*'),
            ("code" | "tt", _) if !pre => out.push('`'),
            ("pre", false) => {
                block(&mut out);
                out.push_str("```\n");
                pre = true;
            }
            ("pre", true) => {
                line(&mut out);
                out.push_str("```\n\n");
                pre = false;
            }
            ("a", false) => {
                link = href(attrs);
                if link.is_some() {
                    out.push('[');
                }
            }
            ("a", true) => {
                if let Some(url) = link.take() {
                    out.push_str(&format!("]({url})"));
                }
            }
            ("td" | "th", true) => out.push(' '),
            _ => {}
        }
    }
    tidy_lines(&out)
}

fn push_text(out: &mut String, text: &str, pre: bool) {
    let text = decode_entities(text);
    if pre {
        out.push_str(&text);
        return;
    }
    // Outside <pre>, runs of blanks and line breaks are one space, as a browser shows them.
    let mut last_space = out.ends_with([' ', '\n']) || out.is_empty();
    for c in text.chars() {
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else {
            out.push(c);
            last_space = false;
        }
    }
}

fn line(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn block(out: &mut String) {
    line(out);
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
}

/// No trailing blanks, at most one empty line in a row, none at either end.
fn tidy_lines(s: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for l in s.lines().map(str::trim_end) {
        if l.is_empty() && out.last().is_none_or(|p| p.is_empty()) {
            continue;
        }
        out.push(l);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// Jira wiki markup to Markdown; `{html}…{html}` blocks go through [`html_to_markdown`].
pub fn wiki_to_markdown(text: &str) -> String {
    if let Some(inner) = text.trim().strip_prefix("{html}") {
        return html_to_markdown(inner.trim_end().trim_end_matches("{html}"));
    }
    let mut out = Vec::new();
    let mut code = false;
    for raw in text.lines() {
        let l = raw.trim_end();
        let t = l.trim_start();
        if t.starts_with("{code") || t.starts_with("{noformat") {
            out.push("```".to_string());
            code = !code;
            let after = t.split_once('}').map_or("", |(_, a)| a);
            if code && !after.trim().is_empty() {
                out.push(after.to_string());
            }
            continue;
        }
        if code {
            let (body, closes) = match l.find("{code}").or_else(|| l.find("{noformat}")) {
                Some(i) => (&l[..i], true),
                None => (l, false),
            };
            out.push(body.to_string());
            if closes {
                out.push("```".into());
                code = false;
            }
            continue;
        }
        out.push(wiki_line(t));
    }
    if code {
        out.push("```".into());
    }
    tidy_lines(&out.join("\n"))
}

fn wiki_line(t: &str) -> String {
    for level in 1..=6 {
        if let Some(h) = t.strip_prefix(&format!("h{level}. ")) {
            return format!("{} {}", "#".repeat(level), wiki_inline(h));
        }
    }
    // `* a`, `** nested`, `# numbered`, `- a`: the marks' count is the depth.
    let marks: String = t.chars().take_while(|c| *c == '*' || *c == '#').collect();
    if !marks.is_empty() && marks.len() <= 6 && t[marks.len()..].starts_with(' ') {
        let indent = "  ".repeat(marks.len() - 1);
        let bullet = if marks.ends_with('#') { "1." } else { "-" };
        return format!("{indent}{bullet} {}", wiki_inline(t[marks.len()..].trim()));
    }
    if let Some(item) = t.strip_prefix("- ") {
        return format!("- {}", wiki_inline(item.trim()));
    }
    if let Some(q) = t.strip_prefix("bq. ") {
        return format!("> {}", wiki_inline(q));
    }
    wiki_inline(t)
}

/// How far a closing mark is looked for: inline markup spans a phrase, and the bound keeps a
/// long line with stray marks linear.
const SPAN: usize = 500;

/// `*bold*` `_italic_` `{{code}}` `[text|url]` within a line.
fn wiki_inline(t: &str) -> String {
    let chars: Vec<char> = t.chars().collect();
    let n = chars.len();
    let mut out = String::with_capacity(t.len() + 8);
    // The first `pat` at or after `from`, within SPAN.
    let find = |from: usize, pat: &[char]| -> Option<usize> {
        let last = n.checked_sub(pat.len())?.min(from + SPAN);
        (from..=last).find(|&j| chars[j..j + pat.len()] == *pat)
    };
    let text = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        if c == '{' && chars.get(i + 1) == Some(&'{') {
            if let Some(end) = find(i + 2, &['}', '}']) {
                out.push_str(&format!("`{}`", text(i + 2, end)));
                i = end + 2;
                continue;
            }
        }
        if c == '[' {
            if let Some(end) = find(i + 1, &[']']) {
                let inner = text(i + 1, end);
                let (label, url) = inner.split_once('|').unwrap_or((&inner, &inner));
                // Jira Cloud writes smart links as `[title|url|smart-link]` (also smart-embed,
                // smart-card): the third part says how to show the link, not where it goes.
                let url = match url.rsplit_once('|') {
                    Some((u, how)) if how.starts_with("smart-") => u,
                    _ => url,
                };
                if url.contains("://") || url.starts_with("mailto:") {
                    out.push_str(&format!("[{label}]({url})"));
                    i = end + 1;
                    continue;
                }
            }
        }
        if (c == '*' || c == '_') && (i == 0 || !chars[i - 1].is_alphanumeric()) {
            if let Some(end) = find(i + 1, &[c]).filter(|&e| e > i + 1) {
                let inner = text(i + 1, end);
                let next_ok = chars.get(end + 1).is_none_or(|x| !x.is_alphanumeric());
                if !inner.starts_with(' ') && !inner.ends_with(' ') && next_ok {
                    let mark = if c == '*' { "**" } else { "*" };
                    out.push_str(&format!("{mark}{inner}{mark}"));
                    i = end + 1;
                    continue;
                }
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Whether a description is HTML (Jira's XML export, `<p>…`) rather than plain or wiki text.
pub fn looks_like_html(s: &str) -> bool {
    let t = s.trim_start();
    [
        "<p", "<div", "<br", "<ul", "<ol", "<h1", "<h2", "<h3", "<pre", "<table", "<span",
    ]
    .iter()
    .any(|tag| t.to_ascii_lowercase().contains(tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_markdown() {
        let md = html_to_markdown(
            "<h2>Goal</h2><p>Make <b>it</b> <em>fast</em> &amp; see <a href=\"https://x.io/a?b=1&amp;c=2\">docs</a>.</p>\
             <ul><li>one</li><li>two <code>x()</code></li></ul><ol><li>first</li></ol><pre>let a = 1;\n</pre>",
        );
        assert_eq!(
            md,
            "## Goal\n\nMake **it** *fast* & see [docs](https://x.io/a?b=1&c=2).\n\n- one\n- two `x()`\n\n1. first\n\n```\nlet a = 1;\n```"
        );
        assert_eq!(
            html_to_markdown("a<br/>b &#39;c&#x27; &bogus;"),
            "a\nb 'c' &bogus;"
        );
    }

    #[test]
    fn wiki_markup_becomes_markdown() {
        let md = wiki_to_markdown(
            "h1. Title\n*bold* and _it_ with {{code}}\n* one\n** nested\n# first\n[docs|https://x.io] and snake_case_name\n{code:java}\nint a = 1;\n{code}",
        );
        assert_eq!(
            md,
            "# Title\n**bold** and *it* with `code`\n- one\n  - nested\n1. first\n[docs](https://x.io) and snake_case_name\n```\nint a = 1;\n```"
        );
        assert_eq!(wiki_to_markdown("{html}<p>Hi</p>{html}"), "Hi");
        // Jira Cloud's smart links keep their title and target; how to show them is dropped.
        assert_eq!(
            wiki_to_markdown(
                "[https://a.io/x|https://a.io/x|smart-embed] and [Doc|https://b.io|smart-link]"
            ),
            "[https://a.io/x](https://a.io/x) and [Doc](https://b.io)"
        );
        // A long line with stray marks stays fast (the search for a closing mark is bounded).
        let long = "* a_b [x ".repeat(20_000);
        assert!(wiki_to_markdown(&long).len() >= long.len() - 2);
        assert!(looks_like_html("<p>x</p>") && !looks_like_html("a < b"));
    }
}

/// Markdown to Jira wiki markup, for the backlog's Jira CSV: the inverse of
/// [`wiki_to_markdown`] for what it reads (headings, lists, quotes, code blocks, bold, italic,
/// inline code and links to full URLs), so our own CSV reads back to the same text. Relative
/// links stay as Markdown, which the wiki reader leaves alone.
pub fn markdown_to_wiki(md: &str) -> String {
    let mut out = Vec::new();
    let mut code = false;
    for raw in md.lines() {
        let l = raw.trim_end();
        if l.trim_start().starts_with("```") {
            out.push("{code}".to_string());
            code = !code;
            continue;
        }
        if code {
            out.push(l.to_string());
            continue;
        }
        out.push(markdown_line(l));
    }
    if code {
        out.push("{code}".into());
    }
    out.join("\n")
}

fn markdown_line(l: &str) -> String {
    let t = l.trim_start();
    let depth = (l.len() - t.len()) / 2 + 1;
    let hashes = t.chars().take_while(|c| *c == '#').count();
    if (1..=6).contains(&hashes) && t[hashes..].starts_with(' ') {
        return format!("h{hashes}. {}", markdown_inline(t[hashes..].trim()));
    }
    if let Some(item) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
        return format!(
            "{} {}",
            "*".repeat(depth.min(6)),
            markdown_inline(item.trim())
        );
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && t[digits..].starts_with(". ") {
        return format!(
            "{} {}",
            "#".repeat(depth.min(6)),
            markdown_inline(t[digits + 2..].trim())
        );
    }
    if let Some(q) = t.strip_prefix("> ") {
        return format!("bq. {}", markdown_inline(q));
    }
    markdown_inline(t)
}

/// `**bold**` `*italic*` `_italic_` `` `code` `` `[text](url)` within a line.
fn markdown_inline(t: &str) -> String {
    let chars: Vec<char> = t.chars().collect();
    let n = chars.len();
    let mut out = String::with_capacity(t.len());
    let find = |from: usize, pat: &[char]| -> Option<usize> {
        let last = n.checked_sub(pat.len())?.min(from + SPAN);
        (from..=last).find(|&j| chars[j..j + pat.len()] == *pat)
    };
    let text = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        if c == '`' {
            if let Some(end) = find(i + 1, &['`']).filter(|&e| e > i + 1) {
                out.push_str(&format!("{{{{{}}}}}", text(i + 1, end)));
                i = end + 1;
                continue;
            }
        }
        if c == '[' {
            if let Some(mid) = find(i + 1, &[']', '(']) {
                if let Some(end) = find(mid + 2, &[')']) {
                    let url = text(mid + 2, end);
                    if url.contains("://") || url.starts_with("mailto:") {
                        out.push_str(&format!("[{}|{url}]", text(i + 1, mid)));
                        i = end + 1;
                        continue;
                    }
                }
            }
        }
        if c == '*' && chars.get(i + 1) == Some(&'*') {
            if let Some(end) = find(i + 2, &['*', '*']).filter(|&e| e > i + 2) {
                out.push_str(&format!("*{}*", text(i + 2, end)));
                i = end + 2;
                continue;
            }
        }
        if (c == '*' || c == '_') && (i == 0 || !chars[i - 1].is_alphanumeric()) {
            if let Some(end) = find(i + 1, &[c]).filter(|&e| e > i + 1) {
                let inner = text(i + 1, end);
                if !inner.starts_with(' ') && !inner.ends_with(' ') {
                    out.push_str(&format!("_{inner}_"));
                    i = end + 1;
                    continue;
                }
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod round_trip {
    use super::{markdown_to_wiki, wiki_to_markdown};

    #[test]
    fn markdown_survives_a_trip_through_jira_markup() {
        for md in [
            "The **Get started** link points to `/start`, which no longer exists.",
            "# Why\n\nSee [the spec](https://example.com/spec) and *this* note.",
            "- first\n- second, with \"quotes\"\n  - nested",
            "1. one\n1. two",
            "> a quote",
            "```\nlet x = 1;\n```",
            "Action from the [retrospective of Sprint 3](/w/demo/p/ONB/sprints/3/retro).",
        ] {
            assert_eq!(wiki_to_markdown(&markdown_to_wiki(md)), md, "{md}");
        }
    }
}
