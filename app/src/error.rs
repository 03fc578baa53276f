//! The one error type the UI and the API see: a stable code and a message meant for people.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Stable, documented error codes; the server maps each to one HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthenticated,
    Forbidden,
    /// The person signed in with a one-time password and must choose their own first.
    PasswordChangeRequired,
    /// An admin requires a second factor of this person's role; they enrol on the Account page.
    TwoFactorEnrolmentRequired,
    /// The action needs a recent sign-in; the person signs in again.
    ReauthenticationRequired,
    NotFound,
    Conflict,
    Unprocessable,
    /// A request body or one of its parts is larger than allowed.
    PayloadTooLarge,
    TooManyRequests,
    /// A provider (Meta, Twilio) could not be reached or failed.
    ProviderUnavailable,
    Internal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    pub fn unauthenticated() -> Self {
        Self::new(ErrorCode::Unauthenticated, "Sign in to continue.")
    }

    pub fn forbidden() -> Self {
        Self::new(
            ErrorCode::Forbidden,
            "Your role does not allow this action.",
        )
    }

    pub fn password_change_required() -> Self {
        Self::new(
            ErrorCode::PasswordChangeRequired,
            "Choose your own password on the Account page before doing anything else.",
        )
    }

    pub fn two_factor_enrolment_required() -> Self {
        Self::new(
            ErrorCode::TwoFactorEnrolmentRequired,
            "Set up two-factor sign-in on the Account page before doing anything else.",
        )
    }

    pub fn reauthentication_required(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ReauthenticationRequired, message)
    }

    pub fn payload_too_large(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::PayloadTooLarge, message)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found."))
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unprocessable, message)
    }

    pub fn too_many_requests(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::TooManyRequests, message)
    }

    /// Text holding U+0000, which PostgreSQL cannot store and no person types.
    pub fn nul_in_text() -> Self {
        Self::unprocessable("Text may not contain the NUL character (U+0000).")
    }

    pub fn provider_unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ProviderUnavailable, message)
    }

    /// The details of an internal failure are logged by the server, never shown.
    pub fn internal() -> Self {
        Self::new(
            ErrorCode::Internal,
            "Something went wrong on the server. Please try again.",
        )
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        match error {
            ServerFnErrorErr::Args(message)
            | ServerFnErrorErr::MissingArg(message)
            | ServerFnErrorErr::Deserialization(message) => AppError::bad_request(message),
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::new(
                ErrorCode::Internal,
                "Could not reach the server. Check your connection and try again.",
            ),
            _ => AppError::internal(),
        }
    }
}
