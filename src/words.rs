//! Codes as people read them (UI.md 6, "words, not codes"): `in_progress` is "In progress",
//! `support_ticket` "Support ticket", `item.changed` "Item changed". Pages show these; the
//! API and the CLI's `--json` keep the codes.

/// The words for a code: known ones by name, any other with its `_` and `.` as spaces and a
/// capital first letter.
pub fn title(code: &str) -> String {
    match code {
        "todo" => "To do".into(),
        "exec" => "Executives".into(),
        "pm" => "Product Manager".into(),
        "po" => "Product Owner".into(),
        "sm" => "Scrum Master".into(),
        "dev" => "Developer".into(),
        "wsjf" => "WSJF".into(),
        "rice" => "RICE".into(),
        "" => String::new(),
        _ => {
            let spaced = code.replace(['_', '.'], " ");
            let mut chars = spaced.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_read_as_words() {
        assert_eq!(super::title("in_progress"), "In progress");
        assert_eq!(super::title("todo"), "To do");
        assert_eq!(super::title("support_ticket"), "Support ticket");
        assert_eq!(super::title("item.changed"), "Item changed");
        assert_eq!(super::title("changes_requested"), "Changes requested");
        assert_eq!(super::title("active"), "Active");
        assert_eq!(super::title(""), "");
    }
}
