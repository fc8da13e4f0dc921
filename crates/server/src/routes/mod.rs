//! The route table. Each area registers its own routes and their documentation
//! (`routes(x)`), and its handlers state in their signature the capability they need
//! (`Allowed<Supervise>` …); this table only merges them and adds the fallbacks.

mod accounts;
mod analytics;
mod assessments;
mod attachments;
mod audit;
mod auth;
mod bulletins;
mod channels;
mod exports;
mod imports;
mod inspections;
mod notifications;
mod problems;
mod registry;
mod reports;
mod settings;
mod setup;
mod system;
mod work;

use crate::AppState;
use crate::assets;
use crate::openapi::Api;
use axum::Json;
use axum::routing::get;
use serde_json::Value;
use std::sync::Arc;

/// Build the router and the OpenAPI document from the same calls.
pub fn build() -> (axum::Router<AppState>, Value) {
    let mut api = Api::default();
    for area in [
        system::routes,
        setup::routes,
        auth::routes,
        accounts::routes,
        settings::routes,
        registry::routes,
        reports::routes,
        problems::routes,
        inspections::routes,
        notifications::routes,
        channels::routes,
        work::routes,
        attachments::routes,
        exports::routes,
        imports::routes,
        analytics::routes,
        assessments::routes,
        bulletins::routes,
        audit::routes,
    ] {
        area(&mut api);
    }

    let (router, document) = api.document();
    let shared = Arc::new(document.clone());
    let router = router
        .route(
            "/api/openapi.json",
            get(move || {
                let d = shared.clone();
                async move { Json((*d).clone()) }
            }),
        )
        .route(
            "/api/{*rest}",
            get(system::api_not_found)
                .post(system::api_not_found)
                .put(system::api_not_found)
                .delete(system::api_not_found),
        )
        .method_not_allowed_fallback(system::method_not_allowed)
        .fallback(assets::static_file);
    (router, document)
}
