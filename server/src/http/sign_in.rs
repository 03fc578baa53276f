//! Sign-in and sign-out as plain form posts, so they work before the page hydrates. A fresh
//! session id is issued at every sign-in.

use std::net::SocketAddr;

use axum::Form;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use crate::auth::SessionAuth;
use crate::services::SignInError;
use crate::startup::AppState;
use crate::store::{AUTH_KEY, now_ms};

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<SignInForm>,
) -> Response {
    let address = state
        .config
        .trusted_proxies
        .client_address(peer.ip(), &headers)
        .to_string();
    let failure = match state
        .services
        .sign_in(&form.email, &form.password, &address)
        .await
    {
        Ok(actor) => {
            let auth = SessionAuth {
                user_id: actor.id,
                signed_in_at: now_ms(),
            };
            let stored = match session.cycle_id().await {
                Ok(()) => session.insert(AUTH_KEY, auth).await,
                Err(error) => Err(error),
            };
            if let Err(error) = stored {
                tracing::error!(%error, "could not store the session");
                "internal"
            } else {
                let target = if actor.must_change_password {
                    "/account".to_string()
                } else {
                    safe_next(&form.next)
                };
                return Redirect::to(&target).into_response();
            }
        }
        Err(SignInError::Invalid) => "invalid",
        Err(SignInError::Throttled) => "throttled",
        Err(SignInError::Internal) => "internal",
    };
    let next: String =
        url::form_urlencoded::byte_serialize(safe_next(&form.next).as_bytes()).collect();
    Redirect::to(&format!("/login?error={failure}&next={next}")).into_response()
}

pub async fn sign_out(State(state): State<AppState>, session: Session) -> Response {
    let signed_in: Option<SessionAuth> = session.get(AUTH_KEY).await.ok().flatten();
    if let Err(error) = session.flush().await {
        tracing::error!(%error, "could not end the session");
    }
    // Its live stream closes now rather than at its next check.
    if let Some(auth) = signed_in {
        state.services.live().access_changed(auth.user_id);
    }
    Redirect::to("/login?signed_out=1").into_response()
}

/// Only paths on this site: never `//other.example` or an absolute URL. Browsers drop tabs and
/// newlines from URLs (so `/\t/evil.example` becomes `//evil.example`), hence control characters
/// are removed before the check and the cleaned path is what is followed.
fn safe_next(next: &str) -> String {
    let next: String = next.chars().filter(|c| !c.is_control()).collect();
    let local = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
    if local { next } else { "/".to_string() }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next("/people"), "/people");
        assert_eq!(safe_next("//evil.example/x"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next(""), "/");
    }

    #[test]
    fn control_characters_cannot_hide_another_site() {
        assert_eq!(safe_next("/\t/evil.example"), "/");
        assert_eq!(safe_next("/\n/evil.example"), "/");
        assert_eq!(safe_next("/\r\n/evil.example"), "/");
        assert_eq!(safe_next("\t//evil.example"), "/");
        assert_eq!(safe_next("/\t\\evil.example"), "/");
        assert_eq!(safe_next("/inbox\t?x=1"), "/inbox?x=1");
    }
}
