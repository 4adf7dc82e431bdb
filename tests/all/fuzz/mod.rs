//! Fuzz targets (issue 16): the query language, every importer's parser, Markdown rendering and
//! the rank arithmetic, each fed random input and mutations of real seeds (queries people write,
//! the third-party exports under `../shared/corpus`).
//!
//! They are `bolero` targets: under `cargo test` each runs for a second of random inputs (set
//! `BOLERO_RANDOM_TEST_TIME_MS` for longer: `scripts/test` gives each a bounded run, and
//! `scripts/fuzz --minutes N` long ones). A failure prints the `BOLERO_RANDOM_SEED` that
//! replays it. Each target checks a property, not only the absence of a panic.

mod import;
mod markdown;
mod query;
mod rank;
mod seeds;
