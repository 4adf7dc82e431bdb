//! Seeds for the fuzz targets, and the mutation that turns a seed into a nearby input.

use std::path::PathBuf;
use std::sync::LazyLock;

/// One change to a seed: at `at` (taken modulo the length), `op` picks overwrite, insert or
/// delete, with `byte` as the new byte.
pub type Edit = (u32, u8, u8);

/// `seed` with `edits` applied in order.
pub fn mutate(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for &(at, op, byte) in edits {
        let len = out.len();
        let at = if len == 0 { 0 } else { at as usize % len };
        match op % 3 {
            0 if len > 0 => out[at] = byte,
            1 => out.insert(at, byte),
            2 if len > 0 => {
                out.remove(at);
            }
            _ => out.push(byte),
        }
    }
    out
}

/// How much of each corpus file a seed keeps: enough for headers and a few records, little
/// enough that a debug build tries many inputs a second.
const SEED_BYTES: usize = 6 * 1024;

/// The first [`SEED_BYTES`] of every file under `../shared/corpus` (cut at a line end), read
/// once: the real exports of Jira, Trello, GitHub, Linear, Taiga, Asana, Pivotal, Plane and
/// others that the importers must survive.
pub static CORPUS: LazyLock<Vec<(String, Vec<u8>)>> = LazyLock::new(|| {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let seeds: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            let cut = if bytes.len() <= SEED_BYTES {
                bytes.len()
            } else {
                bytes[..SEED_BYTES]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(SEED_BYTES, |i| i + 1)
            };
            let name = p.strip_prefix(&root).ok()?.display().to_string();
            Some((name, bytes[..cut].to_vec()))
        })
        .collect();
    assert!(
        seeds.len() >= 20,
        "expected the corpus under {}, found {} files",
        root.display(),
        seeds.len()
    );
    seeds
});

fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if p.is_dir() {
            walk(&p, out);
        } else if !name.ends_with(".md") && !name.starts_with('.') {
            out.push(p);
        }
    }
}

/// Queries as people write them (the README's examples and the demo's saved views).
pub const QUERIES: &[&str] = &[
    "status:todo points>=3 label:api -label:wontfix \"free text\" parent:ONB-7 kind:bug",
    "priority:\"Onboarding\" tier:1 is:ready",
    "tier:none sprint:current assignee:me",
    "initiative:\"Guided setup\" sort:points -is:done",
    "sprint:\"Sprint 5\" assignee:none points<2 OR label:ux",
    "is:blocked (label:api OR label:web) updated>2026-11-01",
];
