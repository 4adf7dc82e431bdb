//! Plain-text output helpers: counted nouns ("1 insight", "2 insights") and listings whose
//! columns line up whatever the length of the names in them.

/// `count(1, "insight", "insights")` → `1 insight`.
pub fn count(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Lines of `rows` in columns two spaces apart; `right[i]` right-aligns column `i` (numbers).
/// The last column is not padded, so lines carry no trailing blanks.
pub fn table(rows: &[Vec<String>], right: &[bool]) -> Vec<String> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width = |c: usize| {
        rows.iter()
            .filter_map(|r| r.get(c))
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..cols).map(width).collect();
    rows.iter()
        .map(|r| {
            let cells: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(c, s)| {
                    let w = widths[c];
                    if right.get(c).copied().unwrap_or(false) {
                        format!("{s:>w$}")
                    } else if c + 1 == r.len() {
                        s.clone()
                    } else {
                        format!("{s:<w$}")
                    }
                })
                .collect();
            // An empty last cell would leave the separator behind.
            cells.join("  ").trim_end().to_string()
        })
        .collect()
}

/// Prints [`table`].
pub fn print_table(rows: &[Vec<String>], right: &[bool]) {
    for line in table(rows, right) {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nouns_agree_with_their_count() {
        assert_eq!(count(1, "insight", "insights"), "1 insight");
        assert_eq!(count(0, "insight", "insights"), "0 insights");
        assert_eq!(count(2, "story", "stories"), "2 stories");
    }

    #[test]
    fn columns_line_up_and_lines_end_without_blanks() {
        let rows = vec![
            vec!["capability".into(), "us".into(), "Jira".into()],
            vec![
                "Import from a long-named tool".into(),
                "has".into(),
                "partial".into(),
            ],
        ];
        let lines = table(&rows, &[]);
        assert_eq!(lines[0].find("us"), lines[1].find("has"));
        assert_eq!(lines[0].find("Jira"), lines[1].find("partial"));
        assert!(lines.iter().all(|l| !l.ends_with(' ')));
        let nums = table(
            &[vec!["1".into(), "a".into()], vec!["12".into(), "b".into()]],
            &[true],
        );
        assert_eq!(nums, [" 1  a", "12  b"]);
    }
}
