//! The documents' pure rules: table cells, what a missing section says, the build order and
//! the forecast's packing of work into sprints.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use crate::points::Points;
use crate::sprint::capacity::{forecast, Candidate};

/// Text for one table cell: one line, pipes escaped, never empty (an empty cell reads as a gap).
pub fn cell(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.is_empty() {
        return "–".into();
    }
    one_line.replace('|', "\\|")
}

/// Text for a paragraph or list entry: its lines joined, so that a list stays a list.
pub fn line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text a person wrote over several lines (paragraphs, a list) with its lines kept, but never
/// one that would change the document's structure: a heading, a table row, a setext underline
/// or a fence is escaped, and blank lines between paragraphs shrink to one.
pub fn block(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut gap = false;
    for raw in text.lines() {
        let l = line(raw);
        if l.is_empty() {
            gap = !out.is_empty();
            continue;
        }
        if gap {
            out.push(String::new());
            gap = false;
        }
        let structural = l.starts_with(['#', '|', '`', '~', '<'])
            || (l.len() >= 2 && l.chars().all(|c| matches!(c, '-' | '=' | '*' | '_' | ' ')));
        out.push(if structural { format!("\\{l}") } else { l });
    }
    out.join("\n")
}

/// `**Label:** text` for a one-line text; a longer one as its own block below the label.
pub fn labelled(label: &str, text: &str) -> String {
    let b = block(text);
    match b.contains('\n') {
        true => format!("**{label}:**\n\n{b}"),
        false => format!("**{label}:** {b}"),
    }
}

/// Text as a sentence: one line, ending with a full stop unless it ends with one already.
pub fn sentence(text: &str) -> String {
    let l = line(text);
    if l.is_empty() || l.ends_with(['.', '!', '?', '…']) {
        l
    } else {
        format!("{l}.")
    }
}

/// A section with nothing in it says what is missing and how to add it, never nothing.
pub fn missing(what: &str, how: &str) -> String {
    format!("> **Missing:** {what} To add it: {how}\n")
}

/// A sort key that orders `ONB-9` before `ONB-10` and `9` before `10`.
pub fn natural(key: &str) -> (String, u64) {
    let digits = key.len() - key.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (head, tail) = key.split_at(key.len() - digits);
    (head.to_string(), tail.parse().unwrap_or(0))
}

/// Points as the pages show them (`3`, `0.5`), or `–` when not estimated.
pub fn points(p: Option<Points>) -> String {
    p.map_or_else(|| "–".into(), |p| p.to_string())
}

/// The order to build items in: an item comes after everything in `items` that blocks it,
/// and among the items free to start, the higher in the backlog comes first (Kahn's algorithm
/// with backlog position as the tie-break). `items` is in backlog order; `blocks` are
/// (blocker, blocked) pairs, those naming an item outside `items` are ignored. Dependencies
/// cannot form a cycle (E1 refuses them); were one there, its items come last, in backlog order.
pub fn build_order(items: &[String], blocks: &[(String, String)]) -> Vec<String> {
    let at: HashMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let mut waiting = vec![0usize; items.len()];
    let mut after: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (a, b) in blocks {
        if let (Some(&a), Some(&b)) = (at.get(a.as_str()), at.get(b.as_str())) {
            if a != b {
                waiting[b] += 1;
                after.entry(a).or_default().push(b);
            }
        }
    }
    let mut free: BinaryHeap<Reverse<usize>> = (0..items.len())
        .filter(|&i| waiting[i] == 0)
        .map(Reverse)
        .collect();
    let mut order = Vec::with_capacity(items.len());
    let mut placed = vec![false; items.len()];
    while let Some(Reverse(i)) = free.pop() {
        order.push(items[i].clone());
        placed[i] = true;
        for &j in after.get(&i).map(Vec::as_slice).unwrap_or(&[]) {
            waiting[j] -= 1;
            if waiting[j] == 0 {
                free.push(Reverse(j));
            }
        }
    }
    order.extend(
        (0..items.len())
            .filter(|&i| !placed[i])
            .map(|i| items[i].clone()),
    );
    order
}

/// Packs work into sprints with the sprint room's forecast: sprint `n` has `left[n]` points
/// free when given (what its commitments leave), each later one `each` (the velocity).
/// Returns, per item, the number of the sprint it lands in (0 = the first), or none when it
/// never can (not ready or not estimated). Stops after `limit` sprints, so that a velocity
/// near zero cannot run forever.
pub fn pack(items: &[Candidate], left: &[f64], each: f64, limit: usize) -> Vec<Option<usize>> {
    let free = left;
    let mut lands: Vec<Option<usize>> = vec![None; items.len()];
    let mut left: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].ready && items[i].points.is_some())
        .collect();
    let mut sprint = 0;
    while !left.is_empty() && sprint < limit {
        let cap = free.get(sprint).copied().unwrap_or(each);
        let batch: Vec<Candidate> = left
            .iter()
            .map(|&i| Candidate {
                points: items[i].points,
                ready: true,
            })
            .collect();
        let fits = forecast(cap, &batch);
        // An item larger than a whole sprint still lands: alone, in a sprint of its own.
        let took_any = fits.iter().any(|f| *f);
        let mut rest = Vec::new();
        for (n, (&i, fit)) in left.iter().zip(fits).enumerate() {
            if fit || (!took_any && n == 0 && sprint >= free.len()) {
                lands[i] = Some(sprint);
            } else {
                rest.push(i);
            }
        }
        left = rest;
        sprint += 1;
    }
    lands
}

/// What a document can be answered as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Media {
    Markdown,
    Html,
    /// The list of records it was made from.
    Sources,
}

/// The media type to answer an `Accept` header with: the acceptable type of highest weight
/// (the earlier on a tie); Markdown, the canonical text, for `*/*`, `text/*` or no header;
/// none when nothing the client accepts can be given (406).
pub fn negotiate(accept: Option<&str>) -> Option<Media> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(Media::Markdown);
    };
    let mut offers: Vec<(f32, usize, Media)> = Vec::new();
    for (n, part) in accept.split(',').enumerate() {
        let mut bits = part.split(';');
        let media = bits.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = bits
            .filter_map(|b| b.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let m = match media.as_str() {
            "text/markdown" | "text/*" | "*/*" => Media::Markdown,
            "text/html" => Media::Html,
            "application/json" => Media::Sources,
            _ => continue,
        };
        if q > 0.0 {
            offers.push((q, n, m));
        }
    }
    offers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    offers.first().map(|o| o.2)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_block_keeps_its_lines_and_lists_but_no_structure() {
        let text = "First line\n- one\n-   two\n\n\n# not a heading\n---\n| a | b |\nend";
        assert_eq!(
            super::block(text),
            "First line\n- one\n- two\n\n\\# not a heading\n\\---\n\\| a | b |\nend"
        );
        assert_eq!(super::block("  \n\n  "), "");
    }

    use super::*;

    #[test]
    fn accept_headers_choose_the_answer() {
        assert_eq!(negotiate(None), Some(Media::Markdown));
        assert_eq!(negotiate(Some("text/html")), Some(Media::Html));
        assert_eq!(
            negotiate(Some("text/html;q=0.5, text/markdown")),
            Some(Media::Markdown)
        );
        assert_eq!(negotiate(Some("application/json")), Some(Media::Sources));
        assert_eq!(negotiate(Some("*/*")), Some(Media::Markdown));
        assert_eq!(negotiate(Some("application/pdf")), None);
        assert_eq!(negotiate(Some("text/html;q=0")), None);
    }

    fn keys(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_build_order_puts_blockers_first_and_keeps_backlog_order_otherwise() {
        let items = keys(&["A-1", "A-2", "A-3", "A-4"]);
        // A-3 blocks A-1; A-4 blocks A-3; a blocker outside the list is ignored.
        let blocks = vec![
            ("A-3".to_string(), "A-1".to_string()),
            ("A-4".to_string(), "A-3".to_string()),
            ("B-9".to_string(), "A-2".to_string()),
        ];
        assert_eq!(
            build_order(&items, &blocks),
            keys(&["A-2", "A-4", "A-3", "A-1"])
        );
        assert_eq!(build_order(&items, &[]), items);
    }

    #[test]
    fn packing_fills_sprints_in_order_and_leaves_unready_work_out() {
        let c = |p: i64, ready: bool| Candidate {
            points: Some(Points::from_hundredths(p * 100)),
            ready,
        };
        let items = [c(3, true), c(5, false), c(4, true), c(6, true), c(20, true)];
        assert_eq!(
            pack(&items, &[8.0], 10.0, 10),
            vec![Some(0), None, Some(0), Some(1), Some(2)]
        );
        // A sprint already full takes nothing; the work moves to the next one.
        assert_eq!(
            pack(&items, &[8.0, 0.0], 10.0, 10),
            vec![Some(0), None, Some(0), Some(2), Some(3)]
        );
    }

    #[test]
    fn cells_stay_on_one_line_and_keys_sort_naturally() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
        assert_eq!(cell("  "), "–");
        assert!(natural("ONB-9") < natural("ONB-10"));
    }
}
