//! Browser-facing protections: security headers with a per-request script nonce, and refusal of
//! cross-site state changes.

use app::ScriptNonce;
use app::error::{AppError, ErrorCode};
use app::ports::{Actor, Credential};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::tokens::random_secret;
use crate::http::error::ApiError;
use crate::startup::AppState;

pub async fn security_headers(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = random_secret();
    request.extensions_mut().insert(ScriptNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    );
    let headers = response.headers_mut();
    // A handler that set its own, stricter policy (files from outside) keeps it.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(value) = HeaderValue::from_str(&csp)
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if state.config.is_https() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}

/// Cross-site request forgery protection by a strict origin check: a request that changes state
/// with the session cookie must come from a page of this site. Runs after authentication, which
/// says who the request is from. Exempt are requests a valid API token authenticated (a token
/// is never sent by the browser on its own), signed provider webhooks, and API calls that no
/// one authenticated: they can do nothing but get the API's 401. Sign-in itself stays checked,
/// so no other site can sign a visitor into an account of its choosing.
pub async fn same_origin_writes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe_method = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let path = request.uri().path();
    let actor = request.extensions().get::<Actor>();
    let anonymous_api_call = path.starts_with("/api/v1/") && actor.is_none();
    // Only a valid API token carries no ambient credential: any other `Authorization` header
    // leaves the session cookie in use.
    let token_authenticated = actor.is_some_and(|actor| actor.credential == Credential::Token);
    let exempt =
        safe_method || token_authenticated || anonymous_api_call || path.starts_with("/webhooks/");
    if !exempt && !comes_from_this_site(&state, &request) {
        tracing::warn!(path = %request.uri().path(), "cross-site write refused");
        return ApiError(AppError::new(
            ErrorCode::Forbidden,
            "This request did not come from a Switchboard page. Reload the page and try again.",
        ))
        .into_response();
    }
    next.run(request).await
}

/// Answers with personal data are kept by no cache: every page and API answer is `no-store`
/// unless its handler chose otherwise (media files are `private, no-store`). The site's
/// static files (`/pkg/`, the icon) hold nothing personal and stay cacheable.
pub async fn no_store(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let static_file = path.starts_with("/pkg/") || path == "/favicon.ico";
    let mut response = next.run(request).await;
    if !static_file && !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn comes_from_this_site(state: &AppState, request: &Request) -> bool {
    let headers = request.headers();
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|value| value.to_str().ok())
        .and_then(|value| url::Url::parse(value).ok())
        .map(|url| url.origin().ascii_serialization());
    let Some(origin) = origin else {
        return false;
    };
    if origin == state.config.public_url.origin().ascii_serialization() {
        return true;
    }
    let scheme = state.config.public_url.scheme();
    headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .is_some_and(|host| origin == format!("{scheme}://{host}"))
}
