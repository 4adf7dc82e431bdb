//! Bad input never panics: every corpus file of every format, cut short at many places and with
//! bytes overwritten, read as what it looks like and as every format named with --format, gives
//! records or an error, never a panic.

use throughline::import::detect::NAMES;
use throughline::import::service::read;

use super::corpus::path;

const FILES: [&str; 14] = [
    "jira_csv/mitsusarkar_Jira.csv",
    "jira_xml/mitsusarkar_Jira.xml",
    "jira_xml/MALFORMED_browser_copy_SearchRequest.xml",
    "jira_json/perceval_fiware_search_page1.json",
    "trello/volunteerbridge_scrum_board.json",
    "github_issues/rails_issues_500.json",
    "taiga/taiga_io_project_export_2016.json",
    "linear/linear_export_test_workspace.csv",
    "asana/asana_export_2016.csv",
    "pivotal/trackerhub_stories.csv",
    "plane/linear_importer_plane_sample.csv",
    "other_trackers/ru_tasktracker_entities_semicolon.csv",
    "datasets/deep-se_storypoints/jirasoftware.csv",
    "datasets/tse2017_agile_sprints/jira_iteration_0.csv",
];

/// The file cut at `parts` places, and with a run of bytes overwritten at each of them.
fn damaged(bytes: &[u8], parts: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for i in 1..parts {
        let at = bytes.len() * i / parts;
        out.push(bytes[..at].to_vec());
        let mut b = bytes.to_vec();
        for (j, x) in b.iter_mut().skip(at).take(7).enumerate() {
            *x = [b'<', b'"', b'&', 0xFF, b'{', b';', b'\n'][j];
        }
        out.push(b);
    }
    out
}

#[test]
fn damaged_files_give_an_error_or_records_never_a_panic() {
    for rel in FILES {
        let bytes = std::fs::read(path(rel)).unwrap();
        // A long file is cut at fewer places: the point is the shapes, not the count.
        let parts = if bytes.len() > 500_000 { 6 } else { 24 };
        for b in damaged(&bytes, parts) {
            let _ = read(&b, None);
            for (_, format) in NAMES {
                let _ = read(&b[..b.len().min(200_000)], Some(format));
            }
        }
    }
}
