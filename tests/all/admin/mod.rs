//! Running an installation (issue 18): the first-run setup link and page, the getting-started
//! checklist, the instance's settings and admins, and a workspace's admin area.

mod area;
mod audit;
mod instance;
mod setup;
