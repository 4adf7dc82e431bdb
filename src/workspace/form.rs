//! The start of every form posted to a product's page, as one extractor: the signed-in user,
//! the form body, its CSRF token checked, and the product named in the path with the caller's
//! roles there. Handlers then only act and redirect.

use std::collections::HashMap;

use axum::extract::{FromRequest, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::extract::{page_and_ctx, page_params};
use super::ProductCtx;
use crate::auth::extract::PageUser;
use crate::error::Error;
use crate::page::FormData;
use crate::state::AppState;

pub struct ProductForm {
    pub user: PageUser,
    pub ctx: ProductCtx,
    pub form: FormData,
}

impl ProductForm {
    /// `/w/{slug}/p/{KEY}` followed by `rest`, for redirects back to the product's pages.
    pub fn url(&self, rest: &str) -> String {
        format!(
            "/w/{}/p/{}{rest}",
            self.ctx.workspace.slug, self.ctx.product.key
        )
    }

    async fn checked(
        parts: Parts,
        params: HashMap<String, String>,
        body: axum::body::Body,
        state: &AppState,
    ) -> Result<Self, Error> {
        if !params.contains_key("product") {
            return Err(
                anyhow::anyhow!("ProductForm on a route without {{ws}} and {{product}}").into(),
            );
        }
        // The person and the product in one round trip.
        let (user, ctx) = page_and_ctx(&parts, state, &params).await?;
        let form = FormData::from_request(Request::from_parts(parts, body), state).await?;
        // The token first: a forged post learns nothing, not even whether the product exists.
        user.check_csrf(form.get("csrf"))?;
        Ok(ProductForm {
            user,
            ctx: ctx?,
            form,
        })
    }
}

impl FromRequest<AppState> for ProductForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let params = page_params(&mut parts, state).await?;
        Self::checked(parts, params, body, state)
            .await
            .map_err(IntoResponse::into_response)
    }
}
