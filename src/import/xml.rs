//! A small XML tree over quick-xml for exports whose items are small enough to hold whole
//! (Jira's RSS feed): elements with attributes, text and children. A document that is not
//! well-formed gets the line and column of the fault, and the fix when the fault is a known one
//! (a browser's banner above the XML), never a panic.

use quick_xml::events::Event;
use quick_xml::Reader;

/// An element with its attributes, text and children: an item is small enough to hold whole.
#[derive(Default, Debug)]
pub struct Node {
    pub name: String,
    attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
    pub fn text_of(&self, name: &str) -> String {
        self.child(name)
            .map_or(String::new(), |c| c.text.trim().to_string())
    }
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// `customfields/customfield` by its name: the values, in order.
    pub fn custom(&self, name: &str) -> Vec<String> {
        let Some(fields) = self.child("customfields") else {
            return vec![];
        };
        fields
            .children
            .iter()
            .filter(|f| f.text_of("customfieldname").eq_ignore_ascii_case(name))
            .flat_map(|f| f.child("customfieldvalues").map(|v| &v.children))
            .flatten()
            .map(|v| v.text.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    }
}

/// `line L, column C` of a byte offset.
fn position(text: &str, offset: usize) -> String {
    let mut end = text.len().min(offset);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {column}")
}

/// Checks the start of the file: XML starts with `<`. A browser's "view source" banner above it
/// is the usual fault, and the fix is to delete that line.
fn check_start(text: &str) -> Result<(), String> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<') {
        return Ok(());
    }
    let offset = text.len() - trimmed.len();
    let first: String = trimmed
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(60)
        .collect();
    let banner = first.contains("does not appear to have any style information");
    let fix = if banner {
        "this is the banner a browser shows above an XML page, copied with it: delete that first \
         line (or save the export with Jira's Export → XML) and import again"
    } else {
        "XML starts with `<`: delete the text before the first tag and import again"
    };
    Err(format!(
        "not well-formed XML at {}: the file starts with text, {first:?}…; {fix}",
        position(text, offset)
    ))
}

/// The whole document as a tree, or where and why it is not well-formed.
pub fn parse(text: &str) -> Result<Node, String> {
    check_start(text)?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Node> = vec![Node::default()];
    let fault = |reader: &Reader<&[u8]>, e: &dyn std::fmt::Display| {
        let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
        format!("not well-formed XML at {}: {e}", position(text, at))
    };
    loop {
        let event = reader.read_event().map_err(|e| fault(&reader, &e))?;
        match event {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => {
                let node = element(&e);
                if let Some(top) = stack.last_mut() {
                    top.children.push(node);
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(fault(&reader, &"a closing tag with no opening one"));
                };
                match stack.last_mut() {
                    Some(top) => top.children.push(done),
                    None => return Err(fault(&reader, &"a closing tag with no opening one")),
                }
            }
            Event::Text(t) => push(&mut stack, &t.xml10_content()),
            Event::CData(t) => push(&mut stack, &t.xml10_content()),
            Event::GeneralRef(r) => {
                let name = r.xml10_content();
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::resolve_xml_entity(&name)
                        .map_or_else(|| format!("&{name};"), str::to_string),
                };
                push(&mut stack, &resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        let open = stack.last().map_or("", |n| n.name.as_str()).to_string();
        return Err(format!(
            "not well-formed XML at {}: the file ends inside <{open}> (is it cut short?)",
            position(text, text.len())
        ));
    }
    stack.pop().ok_or_else(|| "the file is empty".to_string())
}

fn element(e: &quick_xml::events::BytesStart) -> Node {
    let attrs = e
        .attributes()
        .with_checks(false)
        .flatten()
        .map(|a| {
            let value = quick_xml::escape::unescape(&a.value)
                .map_or_else(|_| a.value.to_string(), |v| v.into_owned());
            (a.key.as_ref().to_string(), value)
        })
        .collect();
    Node {
        name: e.name().as_ref().to_string(),
        attrs,
        ..Node::default()
    }
}

fn push(stack: &mut [Node], text: &str) {
    if let Some(top) = stack.last_mut() {
        top.text.push_str(text);
    }
}
