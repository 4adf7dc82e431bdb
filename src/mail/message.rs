//! A message: one letter shape for every kind of mail, written as plain text and as HTML from
//! the same fields (the HTML template escapes everything), and turned into a MIME message with
//! both parts and, for notifications, a one-click `List-Unsubscribe`.

use askama::Template;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

/// One line of a list in a letter: a notification, say.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub title: String,
    pub url: String,
    /// When it happened, as the reader should see it ("2026-11-30 14:05 UTC"), or empty.
    pub when: String,
}

/// What a letter says, before it is written out.
#[derive(Clone, Debug)]
pub struct Letter {
    pub subject: String,
    pub greeting: String,
    pub lines: Vec<String>,
    pub entries: Vec<Entry>,
    /// The one thing to do, as (button label, absolute URL).
    pub action: Option<(String, String)>,
    /// Why the reader gets this message.
    pub why: String,
    /// The one-click unsubscribe link, for notifications.
    pub unsubscribe: Option<String>,
}

#[derive(Template)]
#[template(path = "mail/letter.txt")]
struct Text<'a> {
    greeting: &'a str,
    lines: &'a [String],
    entries: &'a [Entry],
    action: &'a Option<(String, String)>,
    why: &'a str,
    unsubscribe: &'a Option<String>,
}

#[derive(Template)]
#[template(path = "mail/letter.html")]
struct Html<'a> {
    subject: &'a str,
    greeting: &'a str,
    lines: &'a [String],
    entries: &'a [Entry],
    action: &'a Option<(String, String)>,
    why: &'a str,
    unsubscribe: &'a Option<String>,
}

/// A message ready for the outbox: its recipient and both bodies written out.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// The account it is for, when it is one (notifications, resets); none for an invitee.
    pub user_id: Option<i64>,
    /// `notification`, `digest`, `password_reset` or `invitation`.
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub unsubscribe: Option<String>,
}

impl Letter {
    pub fn write(
        &self,
        kind: &'static str,
        user_id: Option<i64>,
        to: &str,
    ) -> crate::error::Result<Outgoing> {
        let text = Text {
            greeting: &self.greeting,
            lines: &self.lines,
            entries: &self.entries,
            action: &self.action,
            why: &self.why,
            unsubscribe: &self.unsubscribe,
        }
        .render()
        .map_err(anyhow::Error::new)?;
        let html = Html {
            subject: &self.subject,
            greeting: &self.greeting,
            lines: &self.lines,
            entries: &self.entries,
            action: &self.action,
            why: &self.why,
            unsubscribe: &self.unsubscribe,
        }
        .render()
        .map_err(anyhow::Error::new)?;
        Ok(Outgoing {
            user_id,
            kind,
            to: to.to_string(),
            subject: self.subject.clone(),
            text,
            html,
            unsubscribe: self.unsubscribe.clone(),
        })
    }
}

/// `List-Unsubscribe: <https://…>` (RFC 2369).
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(
            s.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .into(),
        ))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): mail clients may unsubscribe
/// with one POST, without opening a page.
#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".into())
    }
}

/// The MIME message: multipart/alternative with the plain text first, then the HTML.
pub fn mime(
    from: &str,
    to: &str,
    subject: &str,
    text: &str,
    html: &str,
    unsubscribe: Option<&str>,
) -> Result<lettre::Message, String> {
    let from: Mailbox = from.parse().map_err(|e| format!("sender {from:?}: {e}"))?;
    let to: Mailbox = to.parse().map_err(|e| format!("recipient {to:?}: {e}"))?;
    let mut b = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(subject);
    if let Some(u) = unsubscribe {
        b = b
            .header(ListUnsubscribe(u.to_string()))
            .header(ListUnsubscribePost);
    }
    b.multipart(
        MultiPart::alternative()
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(text.to_string()),
            )
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(html.to_string()),
            ),
    )
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter() -> Letter {
        Letter {
            subject: "Sam moved <ONB-4>".into(),
            greeting: "Hello Ada & co,".into(),
            lines: vec!["<script>alert(1)</script> happened.".into()],
            entries: vec![Entry {
                title: "ONB-4 \"Export\"".into(),
                url: "https://pm.example.com/w/acme/items/ONB-4".into(),
                when: String::new(),
            }],
            action: None,
            why: "You watch ONB-4.".into(),
            unsubscribe: Some("https://pm.example.com/mail/unsubscribe/x".into()),
        }
    }

    #[test]
    fn the_html_part_escapes_and_the_text_part_does_not() {
        let out = letter()
            .write("notification", Some(1), "ada@example.com")
            .unwrap();
        assert!(
            out.html
                .contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{}",
            out.html
        );
        assert!(!out.html.contains("<script>"));
        assert!(out.text.contains("<script>alert(1)</script> happened."));
        assert!(out
            .text
            .contains("https://pm.example.com/mail/unsubscribe/x"));
    }

    #[test]
    fn the_message_has_both_parts_and_the_unsubscribe_headers() {
        let out = letter()
            .write("notification", Some(1), "ada@example.com")
            .unwrap();
        let m = mime(
            "Throughline <pm@example.com>",
            &out.to,
            &out.subject,
            &out.text,
            &out.html,
            out.unsubscribe.as_deref(),
        )
        .unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("text/plain") && raw.contains("text/html"));
        assert!(raw.contains("List-Unsubscribe: <https://pm.example.com/mail/unsubscribe/x>"));
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    }
}
