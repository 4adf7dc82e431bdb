//! Every importer's parser, on the real exports under `../shared/corpus` with small changes, and
//! on each format forced onto any file: an import is read or refused with a message, never a
//! panic, and what it reads is storable text (no control characters but tab and newline).

use throughline::error::Error;
use throughline::import::detect::{Format, NAMES};
use throughline::import::service::read;

use super::seeds::{mutate, Edit, CORPUS};

fn check(bytes: &[u8], format: Option<Format>) {
    match read(bytes, format) {
        Ok(batch) => {
            assert!(!batch.records.is_empty());
            for r in &batch.records {
                for text in [&r.key, &r.title, &r.description] {
                    assert!(throughline::text::first_control(text).is_none(), "{text:?}");
                }
                for l in &r.labels {
                    assert!(throughline::text::first_control(l).is_none(), "{l:?}");
                }
            }
        }
        Err(Error::Invalid { field, message }) => {
            assert_eq!(field, "file");
            assert!(!message.is_empty());
        }
        Err(e) => panic!("an import is refused as bad input, not as {e:?}"),
    }
}

#[test]
fn real_exports_with_small_changes_are_read_or_refused() {
    bolero::check!()
        .with_type::<(u16, Vec<Edit>)>()
        .for_each(|(which, edits)| {
            let (_, seed) = &CORPUS[*which as usize % CORPUS.len()];
            check(&mutate(seed, edits), None);
        });
}

#[test]
fn each_format_forced_onto_any_file_is_read_or_refused() {
    bolero::check!()
        .with_type::<(u8, u16, Vec<Edit>)>()
        .for_each(|(format, which, edits)| {
            let (_, format) = NAMES[*format as usize % NAMES.len()];
            let (_, seed) = &CORPUS[*which as usize % CORPUS.len()];
            check(&mutate(seed, edits), Some(format));
        });
}

#[test]
fn arbitrary_bytes_are_read_or_refused() {
    bolero::check!()
        .with_type::<Vec<u8>>()
        .for_each(|bytes| check(bytes, None));
}
