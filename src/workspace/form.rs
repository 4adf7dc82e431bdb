//! The start of every form posted to a product's page, as one extractor: the signed-in user,
//! the form body, its CSRF token checked, and the product named in the path with the caller's
//! roles there. Handlers then only act and redirect.

use std::collections::HashMap;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};

use super::store::product_ctx;
use super::ProductCtx;
use crate::auth::extract::PageUser;
use crate::error::Error;
use crate::extract::Path;
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
        user: PageUser,
        params: &HashMap<String, String>,
        req: Request,
        state: &AppState,
    ) -> Result<Self, Error> {
        let (Some(ws), Some(product)) = (params.get("ws"), params.get("product")) else {
            return Err(
                anyhow::anyhow!("ProductForm on a route without {{ws}} and {{product}}").into(),
            );
        };
        let form = FormData::from_request(req, state).await?;
        // The token first: a forged post learns nothing, not even whether the product exists.
        user.check_csrf(form.get("csrf"))?;
        let ctx = product_ctx(&state.db, user.user.id, ws, product).await?;
        Ok(ProductForm { user, ctx, form })
    }
}

impl FromRequest<AppState> for ProductForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = PageUser::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        // A path that does not decode is answered as a missing page, as in every handler.
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let req = Request::from_parts(parts, body);
        Self::checked(user, &params, req, state)
            .await
            .map_err(IntoResponse::into_response)
    }
}
