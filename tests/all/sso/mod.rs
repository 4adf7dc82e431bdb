//! Single sign-on with OpenID Connect, against a real provider (`tests/oidc/provider.mjs`):
//! the flow over HTTP with a cookie client, each refusal, the admin page and the password
//! switch, and a browser walking through the provider's pages.

mod admin;
mod browser;
mod flow;
mod refusals;
