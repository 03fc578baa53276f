//! Resolves the person behind each request and puts it into the request's extensions as an
//! [`Actor`]: from `Authorization: Bearer <token>` when that header is present (and only then),
//! otherwise from the session cookie. Sessions are checked against the absolute lifetime and
//! the person's current state on every request.

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use app::error::{AppError, ErrorCode};
use app::ports::{Actor, Credential};

use super::SessionAuth;
use crate::http::error::ApiError;
use crate::startup::AppState;
use crate::store::{AUTH_KEY, now_ms};

pub async fn authenticate(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let actor = match bearer_token(&request) {
        Some(token) => match state.services.actor_by_token(token).await {
            Ok(Some(actor)) => Some(Actor {
                credential: Credential::Token,
                ..actor
            }),
            Ok(None) => {
                return ApiError(AppError::new(
                    ErrorCode::Unauthenticated,
                    "The API token is not valid or has been revoked.",
                ))
                .into_response();
            }
            Err(error) => return ApiError(error).into_response(),
        },
        None => match session_actor(&state, &session).await {
            Ok(actor) => actor,
            Err(error) => return ApiError(error).into_response(),
        },
    };
    if let Some(actor) = actor {
        if actor.must_change_password && !allowed_before_password_change(&request) {
            return ApiError(AppError::password_change_required()).into_response();
        }
        match state.services.must_enrol_second_factor(&actor).await {
            Ok(false) => {}
            Ok(true) if allowed_before_enrolment(&request) => {
                request.extensions_mut().insert(SecondFactorEnrolmentDue);
            }
            Ok(true) => {
                return ApiError(AppError::two_factor_enrolment_required()).into_response();
            }
            Err(error) => return ApiError(error).into_response(),
        }
        request.extensions_mut().insert(actor);
    }
    next.run(request).await
}

/// A person holding a one-time password may only choose their own, see who they are, sign out
/// and load pages (pages send them to the Account page): every API call and server function,
/// and every form post, is refused until then. Someone who intercepted the one-time password
/// cannot act with it behind the person's back.
fn allowed_before_password_change(request: &Request) -> bool {
    let path = request.uri().path();
    match *request.method() {
        Method::GET | Method::HEAD => {
            !(path.starts_with("/api/") || path == "/live") || path == "/api/v1/me"
        }
        _ => matches!(
            path,
            "/api/account/password" | "/auth/logout" | "/auth/login"
        ),
    }
}

/// Marks a request of a person who must enrol a second factor first, for the page redirect.
#[derive(Clone, Copy, Debug)]
struct SecondFactorEnrolmentDue;

/// Like [`allowed_before_password_change`]: while an admin requires a second factor of their
/// role and they have none, a person may only enrol, see who they are, change their password,
/// sign out and load pages (which send them to the Account page).
fn allowed_before_enrolment(request: &Request) -> bool {
    let path = request.uri().path();
    match *request.method() {
        Method::GET | Method::HEAD => {
            !(path.starts_with("/api/") || path == "/live")
                || matches!(path, "/api/v1/me" | "/api/v1/me/totp")
        }
        _ => matches!(
            path,
            "/api/v1/me/totp"
                | "/api/v1/me/totp/confirm"
                | "/api/account/totp"
                | "/api/account/totp/start"
                | "/api/account/totp/confirm"
                | "/api/account/password"
                | "/auth/logout"
                | "/auth/login"
                | "/auth/login/code"
        ),
    }
}

pub(crate) fn bearer_token(request: &Request) -> Option<&str> {
    request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

async fn session_actor(state: &AppState, session: &Session) -> Result<Option<Actor>, AppError> {
    let auth: Option<SessionAuth> = session.get(AUTH_KEY).await.map_err(|error| {
        tracing::error!(%error, "session load failed");
        AppError::internal()
    })?;
    let Some(auth) = auth else {
        return Ok(None);
    };
    let lifetime_ms = state.config.session_lifetime.as_millis() as i64;
    let actor = if now_ms() - auth.signed_in_at > lifetime_ms {
        None
    } else {
        state.services.actor_by_id(auth.user_id).await?
    };
    let actor = match (actor, session.id()) {
        (Some(actor), Some(id)) => Some(Actor {
            credential: Credential::Session {
                id: id.to_string(),
                signed_in_at: auth.signed_in_at,
            },
            ..actor
        }),
        (actor, _) => actor,
    };
    if actor.is_none() {
        let _ = session.flush().await;
    }
    Ok(actor)
}

/// Paths anyone may load; every other page sends a signed-out visitor to the sign-in page.
fn is_public(path: &str) -> bool {
    const PUBLIC_PREFIXES: [&str; 9] = [
        "/login",
        // The first-run setup page: its one-time token is the proof.
        "/setup/",
        // Files the team sent, fetched by Twilio and Meta through unguessable links.
        "/media/shared/",
        "/auth/",
        "/pkg/",
        "/api/",
        "/webhooks/",
        "/healthz",
        "/readyz",
    ];
    PUBLIC_PREFIXES
        .iter()
        .chain(&crate::http::pwa::PUBLIC_PATHS)
        .any(|prefix| path.starts_with(prefix))
        || path == "/favicon.ico"
}

pub async fn require_sign_in_for_pages(request: Request, next: Next) -> Response {
    let actor = request.extensions().get::<Actor>();
    let signed_out = actor.is_none();
    let path = request.uri().path();
    // Pages read data as they render, without a server function call to refuse.
    let must_change_password = actor.is_some_and(|actor| actor.must_change_password)
        || request
            .extensions()
            .get::<SecondFactorEnrolmentDue>()
            .is_some();
    if must_change_password
        && request.method() == Method::GET
        && !is_public(path)
        && path != "/account"
    {
        return Redirect::to("/account").into_response();
    }
    if signed_out && request.method() == Method::GET && !is_public(path) {
        let next_path = request
            .uri()
            .path_and_query()
            .map(|pq| pq.as_str())
            .unwrap_or("/");
        let target = format!(
            "/login?next={}",
            url::form_urlencoded::byte_serialize(next_path.as_bytes()).collect::<String>()
        );
        return Redirect::to(&target).into_response();
    }
    next.run(request).await
}
