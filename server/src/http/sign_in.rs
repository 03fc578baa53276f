//! Sign-in and sign-out as plain form posts, so they work before the page hydrates. A fresh
//! session id is issued at every sign-in.

use std::net::SocketAddr;

use axum::Form;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::auth::SessionAuth;
use crate::services::SignInError;
use crate::startup::AppState;
use crate::store::{AUTH_KEY, now_ms};

/// Where a session remembers a person whose password was right until their code follows.
const PENDING_KEY: &str = "pending_second_factor";
/// How long the code step waits after the password: long enough to find the phone.
const PENDING_FOR_MS: i64 = 5 * 60 * 1000;

/// A sign-in half done: not signed in, only allowed to offer a code for `user_id`.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct PendingSecondFactor {
    user_id: i64,
    /// Epoch milliseconds after which the password must be given again.
    until: i64,
}

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
        Ok(actor) => return complete_sign_in(&session, &actor, &form.next).await,
        Err(SignInError::SecondFactorRequired { user_id }) => {
            // Not signed in yet: the session only remembers whose code to ask for.
            let pending = PendingSecondFactor {
                user_id,
                until: now_ms() + PENDING_FOR_MS,
            };
            let stored = match session.remove::<SessionAuth>(AUTH_KEY).await {
                Ok(_) => session.insert(PENDING_KEY, pending).await,
                Err(error) => Err(error),
            };
            match stored {
                Ok(()) => {
                    return Redirect::to(&format!(
                        "/login?step=code&next={}",
                        encoded_next(&form.next)
                    ))
                    .into_response();
                }
                Err(error) => {
                    tracing::error!(%error, "could not store the session");
                    "internal"
                }
            }
        }
        Err(SignInError::Invalid) => "invalid",
        Err(SignInError::Throttled) => "throttled",
        Err(SignInError::Internal) => "internal",
    };
    Redirect::to(&format!(
        "/login?error={failure}&next={}",
        encoded_next(&form.next)
    ))
    .into_response()
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
    #[serde(default)]
    next: String,
}

/// The second step: a code from the authenticator app, or a recovery code, for the person whose
/// password the session remembers.
pub async fn sign_in_code(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<CodeForm>,
) -> Response {
    let pending: Option<PendingSecondFactor> = session.get(PENDING_KEY).await.ok().flatten();
    let Some(pending) = pending.filter(|pending| pending.until >= now_ms()) else {
        let _ = session.remove::<PendingSecondFactor>(PENDING_KEY).await;
        return Redirect::to(&format!(
            "/login?error=code_expired&next={}",
            encoded_next(&form.next)
        ))
        .into_response();
    };
    let address = state
        .config
        .trusted_proxies
        .client_address(peer.ip(), &headers)
        .to_string();
    let failure = match state
        .services
        .sign_in_with_code(pending.user_id, &form.code, &address)
        .await
    {
        Ok(actor) => {
            let _ = session.remove::<PendingSecondFactor>(PENDING_KEY).await;
            return complete_sign_in(&session, &actor, &form.next).await;
        }
        Err(SignInError::Throttled) => {
            // The password must be given again once the wait is over.
            let _ = session.remove::<PendingSecondFactor>(PENDING_KEY).await;
            return Redirect::to(&format!(
                "/login?error=throttled&next={}",
                encoded_next(&form.next)
            ))
            .into_response();
        }
        Err(SignInError::Internal) => "internal",
        Err(SignInError::Invalid | SignInError::SecondFactorRequired { .. }) => "invalid_code",
    };
    Redirect::to(&format!(
        "/login?step=code&error={failure}&next={}",
        encoded_next(&form.next)
    ))
    .into_response()
}

/// Signs the person in on a fresh session id, and sends them on (to the Account page first while
/// their password is a one-time one).
async fn complete_sign_in(session: &Session, actor: &app::ports::Actor, next: &str) -> Response {
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
        return Redirect::to(&format!(
            "/login?error=internal&next={}",
            encoded_next(next)
        ))
        .into_response();
    }
    let target = if actor.must_change_password {
        "/account".to_string()
    } else {
        safe_next(next)
    };
    Redirect::to(&target).into_response()
}

fn encoded_next(next: &str) -> String {
    url::form_urlencoded::byte_serialize(safe_next(next).as_bytes()).collect()
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
