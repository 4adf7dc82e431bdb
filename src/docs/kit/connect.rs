//! What connects an agent or an app builder to the work: MCP entries for Claude Code, Cursor,
//! VS Code and Codex pointing at Throughline's `/mcp` endpoint, a "work on the next ready
//! story" skill, and a self-contained prompt (8 KB at most) with ready links for app builders.

use std::fmt::Write;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::json;

use super::{Ctx, KitFile};
use crate::docs::rules::{line, sentence};

/// The largest prompt an app builder is given: their links carry it whole.
pub const PROMPT_LIMIT: usize = 8 * 1024;

/// What a URL component keeps as is (RFC 3986 unreserved characters).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub fn files(k: &Ctx) -> Vec<KitFile> {
    let url = format!("{}/mcp", k.base_url);
    let pretty = |v: serde_json::Value| serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
    let claude = json!({"mcpServers": {"throughline": {
        "type": "http", "url": url,
        "headers": {"Authorization": "Bearer ${THROUGHLINE_TOKEN}"}}}});
    let cursor = json!({"mcpServers": {"throughline": {
        "url": url,
        "headers": {"Authorization": "Bearer ${env:THROUGHLINE_TOKEN}"}}}});
    let vscode = json!({
        "inputs": [{"type": "promptString", "id": "throughline-token",
            "description": "A Throughline API token (Account page)", "password": true}],
        "servers": {"throughline": {"type": "http", "url": url,
            "headers": {"Authorization": "Bearer ${input:throughline-token}"}}}});
    let codex = format!(
        "# Codex: Throughline's MCP server over streamable HTTP; the token is read from the\n# THROUGHLINE_TOKEN environment variable.\n[mcp_servers.throughline]\nurl = {}\nbearer_token_env_var = \"THROUGHLINE_TOKEN\"\n",
        toml_string(&url)
    );
    let prompt = prompt(k);
    vec![
        KitFile {
            path: ".mcp.json".into(),
            text: pretty(claude),
        },
        KitFile {
            path: ".cursor/mcp.json".into(),
            text: pretty(cursor),
        },
        KitFile {
            path: ".vscode/mcp.json".into(),
            text: pretty(vscode),
        },
        KitFile {
            path: ".codex/config.toml".into(),
            text: codex,
        },
        KitFile {
            path: ".claude/skills/next-story/SKILL.md".into(),
            text: skill(k),
        },
        KitFile {
            path: "prompts/links.md".into(),
            text: links(&prompt),
        },
        KitFile {
            path: "prompts/app-builder.md".into(),
            text: prompt,
        },
    ]
}

fn toml_string(s: &str) -> String {
    // A JSON string is a valid TOML basic string for the characters a URL holds.
    serde_json::to_string(s).unwrap_or_default()
}

fn skill(k: &Ctx) -> String {
    format!(
        "---\nname: next-story\ndescription: Work on the next ready story of {key} from Throughline: read it, test each acceptance criterion, build it, report the results.\n---\n\n\
# Work on the next ready story\n\n\
1. Call the MCP tool `next_ready_item` with product `{key}`: the top of the backlog that is ready and unblocked, in priority-tier order. If it names none, stop and say so.\n\
2. Read its brief, `stories/KEY.md` in this repository, or the resource `throughline://{key}/items/KEY` when the kit is older than the story (its version moved).\n\
3. For each acceptance criterion `KEY.N`, write a failing test named after it, then make it pass. Do not add behaviour no criterion asks for.\n\
4. When a criterion is unclear, call `ask_question` on the item and stop working on that criterion until the Product Owner answers.\n\
5. Report each criterion with `check_criterion` (pass or fail, and a note or a link to the test run), then set the item's status to `in_review` with `set_item_status`. The Product Owner accepts it in the sprint review.\n\
6. Follow `AGENTS.md`, in particular its \"What not to do\".\n",
        key = k.product.key
    )
}

/// The prompt an app builder (Lovable, Bolt, v0) starts from: the product, the problem and
/// the stories with their criteria, as much as fits in 8 KB, saying what was cut.
fn prompt(k: &Ctx) -> String {
    let mut head = format!(
        "Build a working first version of \"{}\" for {}.\n\n",
        line(&k.title),
        line(&k.product.name)
    );
    let v = &k.data.vision;
    if !v.vision.trim().is_empty() {
        let _ = writeln!(head, "Product vision: {}", sentence(&v.vision));
    }
    if !v.target_segments.trim().is_empty() {
        let _ = writeln!(head, "For: {}", sentence(&v.target_segments));
    }
    for i in &k.data.initiatives {
        if !i.problem.trim().is_empty() {
            let _ = writeln!(head, "Problem to solve: {}", sentence(&i.problem));
        }
        if !i.out_of_scope.trim().is_empty() {
            let _ = writeln!(head, "Out of scope: {}", sentence(&i.out_of_scope));
        }
    }
    head.push_str("\nBuild these user stories in order. Each is done when every acceptance criterion holds.\n");
    let tail = "\nKeep it simple and make every criterion visibly work; ask before adding anything the stories do not ask for.\n";
    let mut body = String::new();
    let mut cut = 0;
    for (n, s) in k.built.iter().enumerate() {
        let it = &s.item;
        let mut part = format!("\n{}. {}", n + 1, line(&it.title));
        if !it.goal.trim().is_empty() {
            let who = super::agents::persona_name(k, s).map_or_else(|| "user".to_string(), line);
            let _ = write!(
                part,
                ": as a {who}, I want {}, so that {}.",
                line(&it.goal),
                line(&it.benefit)
            );
        }
        part.push('\n');
        for c in &it.criteria {
            let _ = writeln!(part, "   - {}", line(&c.text));
        }
        let note = format!(
            "\n({} more stories did not fit in this prompt: see stories/ in the kit.)\n",
            k.built.len() - n
        );
        if head.len() + body.len() + part.len() + tail.len() + note.len() > PROMPT_LIMIT {
            cut = k.built.len() - n;
            break;
        }
        body.push_str(&part);
    }
    if k.built.is_empty() {
        body.push_str("\n(No story is ready yet: the Product Owner makes stories ready in Throughline first.)\n");
    }
    let mut out = head + &body;
    if cut > 0 {
        let _ = write!(
            out,
            "\n({cut} more stories did not fit in this prompt: see stories/ in the kit.)\n"
        );
    }
    out.push_str(tail);
    // A head longer than the limit on its own (a very long vision) is cut at a character.
    if out.len() > PROMPT_LIMIT {
        let mut end = PROMPT_LIMIT;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
    }
    out
}

fn links(prompt: &str) -> String {
    let q = utf8_percent_encode(prompt, COMPONENT).to_string();
    format!(
        "# Start in an app builder\n\nEach link opens the builder with `app-builder.md` as the first prompt.\n\n\
- Lovable: <https://lovable.dev/?autosubmit=true#prompt={q}>\n\
- Bolt: <https://bolt.new/?prompt={q}>\n\
- v0: <https://v0.dev/chat?q={q}>\n"
    )
}
