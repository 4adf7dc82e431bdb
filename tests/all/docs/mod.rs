//! Issue 12's documents: the initiative's brief fields, the three documents (golden files of
//! the demo), what a document says when data is missing, and their API, CLI and page faces.

mod brief_fields;
