//! The JSON API under `/api/v1`: the same services and permission checks as the UI, for scripts
//! and integrations holding an API token.

mod audit;
mod canned;
mod channels;
mod contacts;
mod conversations;
mod costs;
mod data_requests;
mod escalation;
mod extract;
mod reports;
mod satisfaction;
mod search;
mod settings;
mod supervision;
mod tags;
mod templates;
mod translation;
mod two_factor;
mod users;
mod webhook_events;
mod wellbeing;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, patch, post, put};

use app::error::{AppError, ErrorCode};

use crate::http::error::ApiError;
use crate::startup::AppState;

pub use extract::{ApiActor, ApiJson, ApiPath, ApiQuery};

/// The OpenAPI document, kept beside the handlers it describes.
pub const OPENAPI: &str = include_str!("openapi.json");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/me", get(users::me))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", patch(users::update))
        .route("/users/{id}/totp", delete(two_factor::reset))
        .route(
            "/me/totp",
            get(two_factor::status)
                .post(two_factor::start)
                .delete(two_factor::disable),
        )
        .route("/me/totp/confirm", post(two_factor::confirm))
        .route(
            "/settings/security",
            get(two_factor::security_settings).put(two_factor::update_security_settings),
        )
        .route("/conversations", get(conversations::list))
        .route("/conversations/{id}", get(conversations::get))
        .route("/conversations/{id}/read", post(conversations::read))
        .route("/conversations/{id}/messages", post(conversations::reply))
        .route(
            "/conversations/{id}/files",
            post(conversations::send_file).layer(DefaultBodyLimit::disable()),
        )
        .route("/conversations/{id}/assign", post(conversations::assign))
        .route("/conversations/{id}/status", post(conversations::status))
        .route("/conversations/{id}/tags", post(conversations::add_tag))
        .route(
            "/conversations/{id}/tags/{tag_id}",
            delete(conversations::remove_tag),
        )
        .route("/conversations/{id}/notes", post(conversations::add_note))
        .route("/conversations/{id}/urgent", post(escalation::set_urgent))
        .route("/messages/{id}/retry", post(conversations::retry_message))
        .route("/supervision", get(supervision::board))
        .route("/messages/{id}/approve", post(supervision::approve))
        .route("/messages/{id}/reject", post(supervision::reject))
        .route("/conversations/{id}/join", post(supervision::join))
        .route(
            "/conversations/{id}/take-over",
            post(supervision::take_over),
        )
        .route("/mentions", get(search::mentions))
        .route("/contacts/{id}", get(contacts::get))
        .route("/contacts/{id}/notes", post(contacts::add_note))
        .route("/contacts/{id}/erase", post(contacts::erase))
        .route("/contacts/{id}/export", get(contacts::export))
        .route("/canned-responses", get(canned::list).post(canned::create))
        .route("/canned-responses/{id}", delete(canned::delete))
        .route("/tags", get(tags::list).post(tags::create))
        .route("/tags/{id}", patch(tags::update).delete(tags::delete))
        .route(
            "/settings/inbox",
            get(settings::inbox).put(settings::update_inbox),
        )
        .route(
            "/settings/retention",
            get(settings::retention).put(settings::update_retention),
        )
        .route(
            "/settings/retention/preview",
            get(settings::retention_preview),
        )
        .route(
            "/settings/risk-words",
            get(escalation::risk_words).put(escalation::update_risk_words),
        )
        .route(
            "/settings/wellbeing",
            get(wellbeing::settings).put(wellbeing::update_settings),
        )
        .route("/me/activity", post(wellbeing::activity))
        .route("/me/wellbeing", get(wellbeing::mine))
        .route("/wellbeing", get(wellbeing::overview))
        .route(
            "/settings/erasure-keyword",
            get(data_requests::keyword).put(data_requests::update_keyword),
        )
        .route(
            "/settings/volunteer-access",
            get(data_requests::volunteer_access).put(data_requests::update_volunteer_access),
        )
        .route("/erasure-requests", get(data_requests::list))
        .route(
            "/erasure-requests/{id}/confirm",
            post(data_requests::confirm),
        )
        .route(
            "/erasure-requests/{id}/decline",
            post(data_requests::decline),
        )
        // Templates with a media header come with their sample file, limited while it is read.
        .route(
            "/templates",
            get(templates::list)
                .post(templates::create)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/templates/twilio", post(templates::register_twilio))
        .route("/templates/{id}", delete(templates::delete))
        .route("/templates/{id}/submit", post(templates::submit))
        .route(
            "/templates/{id}/versions",
            post(templates::new_version).layer(DefaultBodyLimit::disable()),
        )
        .route("/channels/{id}/templates/sync", post(templates::sync))
        .route("/search", get(search::search))
        .route("/channels", get(channels::list).post(channels::create))
        .route(
            "/channels/{id}",
            get(channels::get)
                .patch(channels::update)
                .delete(channels::delete),
        )
        .route("/reports/costs", get(costs::report))
        .route("/reports/summary", get(reports::summary))
        .route("/reports/daily", get(reports::daily))
        .route("/reports/conversations", get(reports::conversations))
        .route(
            "/reports/conversations.csv",
            get(reports::conversations_csv),
        )
        .route("/reports/daily.csv", get(reports::daily_csv))
        .route("/reports/people.csv", get(reports::people_csv))
        .route("/reports/hours.csv", get(reports::hours_csv))
        .route("/reports/costs.csv", get(reports::costs_csv))
        .route(
            "/settings/business-hours",
            get(reports::business_hours).put(reports::update_business_hours),
        )
        .route("/reports/csat", get(satisfaction::report))
        .route(
            "/settings/satisfaction",
            get(satisfaction::settings).put(satisfaction::update_settings),
        )
        .route(
            "/settings/translation",
            get(translation::settings).put(translation::update_settings),
        )
        .route(
            "/messages/{id}/translation",
            post(translation::translate_message),
        )
        .route(
            "/conversations/{id}/translation",
            post(translation::translate_draft),
        )
        .route("/costs/settings", get(costs::settings))
        .route("/costs/sms-price", put(costs::set_sms_price))
        .route("/costs/rate-cards", post(costs::load_rate_card))
        .route("/costs/alerts", get(costs::alerts))
        .route("/costs/alerts/dismiss", post(costs::dismiss_alert))
        .route("/channels/{id}/budget", put(costs::set_budget))
        .route("/audit", get(audit::list))
        .route("/audit.csv", get(audit::export_csv))
        .route("/webhook-events", get(webhook_events::list))
        .route(
            "/webhook-events/{id}/reprocess",
            post(webhook_events::reprocess),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// The message tells a path the API does not have from a resource it does not have.
async fn not_found() -> ApiError {
    ApiError(AppError::not_found("API endpoint"))
}

/// A path the API has, with a method it does not take. Like a path it does not have, this is
/// `not_found` in the API's format (axum's own answer is an empty 405), with a message of its
/// own so that callers and tests can tell it from a handler's 404.
async fn method_not_allowed(method: Method) -> ApiError {
    ApiError(AppError::new(
        ErrorCode::NotFound,
        format!("This API endpoint does not take {method}; see /api/v1/openapi.json."),
    ))
}
