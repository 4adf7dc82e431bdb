//! Issue 12's documents: the initiative's brief fields, the three documents (golden files of
//! the demo), what a document says when data is missing, and their API and CLI faces.

mod api;
mod brief_fields;
mod cli;
pub mod golden;
mod idea;
mod kit;
mod pages;
mod release;
mod signoff;
