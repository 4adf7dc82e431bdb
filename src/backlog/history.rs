//! An item's history in words: each audit row of an item told as a person would say it
//! ("moved above ONB-38", "points 3 → 5"), from the before and after the row keeps.

use serde_json::Value;

/// One audit row of an item, in words.
pub fn describe(action: &str, before: Option<&Value>, after: Option<&Value>) -> String {
    let null = Value::Null;
    let (b, a) = (before.unwrap_or(&null), after.unwrap_or(&null));
    match action {
        "item.create" => "created it".into(),
        "item.delete" => "deleted it".into(),
        "item.update" => changes(b, a),
        "item.move" => moved(&a["placed"]),
        "item.status" => {
            let to = a["status"].as_str().map_or("?", super::status_title);
            match a["sprint"].as_str() {
                Some(s) => format!("moved the card to {to} on {s}"),
                None => format!("status → {to}"),
            }
        }
        "item.initiative" => match a["initiative"].as_i64() {
            Some(i) => format!("linked it to initiative #{i}"),
            None => "unlinked it from its initiative".into(),
        },
        "item.persona" => "named its persona".into(),
        "question.ask" => format!("asked: “{}”", short(a["body"].as_str().unwrap_or(""))),
        "question.answer" => format!("answered: “{}”", short(a["answer"].as_str().unwrap_or(""))),
        "comment.add" => format!("commented: “{}”", short(a["body"].as_str().unwrap_or(""))),
        "comment.edit" => "edited a comment".into(),
        "tier.exempt" => "exempted it from tier order".into(),
        other => other.replace(['.', '_'], " "),
    }
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

fn moved(placed: &Value) -> String {
    if let Some(k) = placed["before"].as_str() {
        format!("moved above {k}")
    } else if let Some(k) = placed["after"].as_str() {
        format!("moved below {k}")
    } else {
        match placed["to"].as_str() {
            Some("top") => "moved to the top".into(),
            Some("bottom") => "moved to the bottom".into(),
            _ => "moved".into(),
        }
    }
}

/// What an update changed: values for short fields, the field's name for long ones.
fn changes(b: &Value, a: &Value) -> String {
    let mut out = Vec::new();
    let text = |v: &Value| match v {
        Value::Null => "none".to_string(),
        Value::String(s) if s.is_empty() => "none".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    // A fixed order, whatever order the JSON keeps its keys in.
    const FIELDS: [&str; 8] = [
        "title",
        "kind",
        "status",
        "points",
        "persona",
        "goal",
        "benefit",
        "description",
    ];
    if let (Some(bf), Some(af)) = (b["fields"].as_object(), a["fields"].as_object()) {
        for k in FIELDS {
            let (Some(v), old) = (af.get(k), bf.get(k).unwrap_or(&Value::Null)) else {
                continue;
            };
            if old == v {
                continue;
            }
            out.push(match k {
                "status" => format!(
                    "status {} → {}",
                    super::status_title(old.as_str().unwrap_or("")),
                    super::status_title(v.as_str().unwrap_or(""))
                ),
                "points" | "kind" | "persona" => format!("{k} {} → {}", text(old), text(v)),
                "title" => format!("title “{}” → “{}”", short(&text(old)), short(&text(v))),
                other => format!("{other} changed"),
            });
        }
    }
    for (k, name) in [
        ("labels", "labels"),
        ("criteria", "acceptance criteria"),
        ("assignee_id", "assignee"),
    ] {
        if a.get(k).is_some() && b.get(k) != a.get(k) {
            out.push(format!("{name} changed"));
        }
    }
    if out.is_empty() {
        "saved it unchanged".into()
    } else {
        out.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::describe;
    use serde_json::json;

    #[test]
    fn history_reads_as_sentences() {
        let b = json!({"fields": {"points": 3, "status": "todo", "title": "Sign up", "description": "a"}});
        let a = json!({"fields": {"points": 5, "status": "in_progress", "title": "Sign up", "description": "b"}, "labels": ["api"]});
        assert_eq!(
            describe("item.update", Some(&b), Some(&a)),
            "status To do → In progress; points 3 → 5; description changed; labels changed"
        );
        let b2 = json!({"fields": {}, "labels": []});
        assert_eq!(
            describe("item.update", Some(&b2), Some(&a)),
            "title “none” → “Sign up”; status Unknown → In progress; points none → 5; description changed; labels changed"
        );
        assert_eq!(
            describe(
                "item.move",
                None,
                Some(&json!({"placed": {"before": "ONB-38"}}))
            ),
            "moved above ONB-38"
        );
        assert_eq!(
            describe("item.move", None, Some(&json!({"placed": {"to": "top"}}))),
            "moved to the top"
        );
        assert_eq!(
            describe(
                "item.status",
                None,
                Some(&json!({"status": "done", "sprint": "Sprint 5"}))
            ),
            "moved the card to Done on Sprint 5"
        );
        assert_eq!(describe("something.else", None, None), "something else");
    }
}
