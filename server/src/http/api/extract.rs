//! The API's extractors: each rejection is an [`ApiError`], so every answer of the API, also
//! for a request it cannot read, is the documented `{ "code", "message" }`.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::Value;

use app::error::AppError;
use app::ports::Actor;

use crate::http::error::ApiError;
use crate::http::text::{json_has_nul, nul_refused, urlencoded_has_nul};

/// The authenticated caller, or 401.
pub struct ApiActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Actor>()
            .cloned()
            .map(ApiActor)
            .ok_or_else(|| ApiError(AppError::unauthenticated()))
    }
}

/// A JSON object body whose rejections use the API's error format: 400 for a body that is not
/// a JSON object, 422 for an object of the wrong shape or with a NUL in its text.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let value = match axum::Json::<Value>::from_request(request, state).await {
            Ok(axum::Json(value)) => value,
            Err(rejection) => return Err(ApiError(AppError::bad_request(rejection.body_text()))),
        };
        // Every body of the API is an object; serde would read a struct from an array too,
        // so `[]` would be a request with every field left out.
        if !value.is_object() {
            return Err(ApiError(AppError::bad_request(
                "The body must be a JSON object.",
            )));
        }
        if json_has_nul(&value) {
            return Err(ApiError(nul_refused()));
        }
        serde_json::from_value(value).map(ApiJson).map_err(|error| {
            ApiError(AppError::unprocessable(format!(
                "Failed to deserialize the JSON body into the target type: {error}"
            )))
        })
    }
}

/// Path parameters; one that is not what the route takes (`null`, an id beyond 64 bits) is a
/// 400.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(client_or_internal(rejection)),
        }
    }
}

/// Query parameters; one of the wrong type is a 400, text with a NUL a 422.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if urlencoded_has_nul(parts.uri.query().unwrap_or_default().as_bytes()) {
            return Err(ApiError(nul_refused()));
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(client_or_internal(rejection)),
        }
    }
}

/// Rejections that axum answers with a 4xx are the caller's (400); the others (a route whose
/// parameters do not fit its handler) are ours, logged and answered as internal.
fn client_or_internal(rejection: impl RejectionText) -> ApiError {
    let status = rejection.status_code();
    if status.is_client_error() {
        ApiError(AppError::bad_request(rejection.text()))
    } else {
        tracing::error!(error = %rejection.text(), "an API route's parameters do not fit");
        ApiError(AppError::internal())
    }
}

/// What the path and query rejections have in common.
trait RejectionText {
    fn status_code(&self) -> axum::http::StatusCode;
    fn text(&self) -> String;
}

impl RejectionText for PathRejection {
    fn status_code(&self) -> axum::http::StatusCode {
        self.status()
    }
    fn text(&self) -> String {
        self.body_text()
    }
}

impl RejectionText for QueryRejection {
    fn status_code(&self) -> axum::http::StatusCode {
        self.status()
    }
    fn text(&self) -> String {
        self.body_text()
    }
}
