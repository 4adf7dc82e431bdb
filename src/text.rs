//! The one rule for text that enters from outside (API bodies and query strings, forms, the CLI,
//! imports): no control characters but tab and newline. PostgreSQL cannot store a NUL in `text`
//! at all and SQLite can, so without this rule the same input gave 500 on one database and a
//! stored value on the other; the other control characters break headers, CSV and terminals.
//!
//! Each interface applies it its own way: the API and the CLI refuse such text naming the field;
//! forms first turn CRLF and lone CR into LF (browsers send textareas with CRLF line endings, as
//! HTML requires); importers, which read other tools' exports, replace them and count how many.

use serde_json::Value;

use crate::error::Error;

/// Whether `c` may appear in stored text: anything but a control character (C0, DEL, C1),
/// except tab and newline.
pub fn allowed(c: char) -> bool {
    c == '\t' || c == '\n' || !c.is_control()
}

/// The first character of `s` that may not be stored, if any.
pub fn first_control(s: &str) -> Option<char> {
    s.chars().find(|&c| !allowed(c))
}

/// Refuses `s` when it holds a control character, naming `field` and the character.
pub fn check(field: &str, s: &str) -> Result<(), Error> {
    match first_control(s) {
        None => Ok(()),
        Some(c) => Err(Error::invalid(
            field,
            format!(
                "control character U+{:04X} is not allowed (only tab and newline are)",
                u32::from(c)
            ),
        )),
    }
}

/// Text as a browser form sends it: CRLF and lone CR line endings become LF.
pub fn form_lines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// Text from another tool's export: line endings made LF, every other control character
/// replaced by U+FFFD. Returns the text and how many characters were replaced.
pub fn scrub(s: &str) -> (String, usize) {
    let s = form_lines(s);
    if s.chars().all(allowed) {
        return (s, 0);
    }
    let mut n = 0;
    let out = s
        .chars()
        .map(|c| {
            if allowed(c) {
                c
            } else {
                n += 1;
                char::REPLACEMENT_CHARACTER
            }
        })
        .collect();
    (out, n)
}

/// Refuses a JSON document with a control character in any string or key, naming the field by
/// its path (`title`, `criteria[2].text`).
pub fn check_json(v: &Value) -> Result<(), Error> {
    fn walk(v: &Value, path: &mut String) -> Result<(), Error> {
        match v {
            Value::String(s) => check(if path.is_empty() { "body" } else { path }, s),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            Value::Object(map) => {
                for (k, item) in map {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    check(path, k)?;
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    walk(v, &mut String::new())
}

/// At most `max` characters of `s`, cut at a char boundary and ended with "…" when cut: a quote
/// short enough for one line of a list.
pub fn ellipsis(s: &str, max: usize) -> String {
    let s = s.trim();
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((cut, _)) => format!("{}…", s[..cut].trim_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(e: Error) -> String {
        match e {
            Error::Invalid { field, .. } => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tab_and_newline_pass_other_controls_do_not() {
        assert!(check("title", "a\tb\nc é ✓").is_ok());
        for bad in ["a\u{0}b", "\r", "\u{1b}[31m", "\u{7f}", "\u{85}", "x\u{9f}"] {
            assert_eq!(field(check("title", bad).unwrap_err()), "title", "{bad:?}");
        }
    }

    #[test]
    fn json_names_the_path_to_the_bad_string() {
        let v = json!({"title": "ok", "criteria": [{"text": "fine"}, {"text": "a\u{0}b"}]});
        assert_eq!(field(check_json(&v).unwrap_err()), "criteria[1].text");
        assert_eq!(field(check_json(&json!("\u{1}")).unwrap_err()), "body");
        assert!(check_json(&json!({"n": 5, "s": "line\nnext", "b": [true, null]})).is_ok());
    }

    #[test]
    fn forms_get_lf_and_imports_get_replacements() {
        assert_eq!(form_lines("a\r\nb\rc\n"), "a\nb\nc\n");
        assert_eq!(
            scrub("a\u{0}b\r\nc\u{7}"),
            ("a\u{fffd}b\nc\u{fffd}".to_string(), 2)
        );
        assert_eq!(scrub("plain\ttext"), ("plain\ttext".to_string(), 0));
    }
}
