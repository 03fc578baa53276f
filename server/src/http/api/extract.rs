use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;

use app::error::AppError;
use app::ports::Actor;

use crate::http::error::ApiError;

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

/// A JSON body whose rejections use the API's error format: 400 for a body that is not JSON,
/// 422 for JSON of the wrong shape.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonDataError(error)) => {
                Err(ApiError(AppError::unprocessable(error.body_text())))
            }
            Err(rejection) => Err(ApiError(AppError::bad_request(rejection.body_text()))),
        }
    }
}
