//! Running an installation (issue 18): the first-run setup, the getting-started checklist, and
//! the admin area of a workspace and of the instance, as pages, API and CLI alike. It sits
//! above the seed because the setup may load the demo beside the new workspace.

pub mod setup;
pub mod store;
