//! The interface's language: chosen per page on the server from the person's own choice, their
//! browser's `Accept-Language`, then the organisation's default; written on `<html>`.

use crate::common;

use app::model::Role;
use common::{Db, TestApp, spawn_app};
use serde_json::Value;

/// The page at `path` as a browser asking for `accept_language` receives it.
async fn page_in(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    accept_language: &str,
) -> String {
    let response = browser
        .get(app.url(path))
        .header("Accept-Language", accept_language)
        .send()
        .await
        .expect("page request");
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.expect("the whole page")
}

/// The `<html …>` start tag of a page.
fn html_tag(page: &str) -> &str {
    let start = page.find("<html").expect("an html element");
    let end = start + page[start..].find('>').expect("the tag's end");
    &page[start..=end]
}

async fn pages_speak_the_language_chosen_for_them(db: Db) {
    let app = spawn_app(db).await;
    let visitor = app.browser();

    let spanish = page_in(&app, &visitor, "/login", "es-ES,es;q=0.9,en;q=0.5").await;
    assert!(
        html_tag(&spanish).contains(r#"lang="es""#),
        "{}",
        html_tag(&spanish)
    );
    assert!(html_tag(&spanish).contains(r#"dir="ltr""#));
    assert!(spanish.contains("Inicia sesión en Switchboard"));
    assert!(!spanish.contains("Sign in to Switchboard"));

    let arabic = page_in(&app, &visitor, "/login", "ar").await;
    assert!(
        html_tag(&arabic).contains(r#"dir="rtl""#),
        "{}",
        html_tag(&arabic)
    );
    assert!(arabic.contains("تسجيل الدخول إلى Switchboard"));

    let german = page_in(&app, &visitor, "/login", "de-DE,de;q=0.9").await;
    assert!(html_tag(&german).contains(r#"lang="en""#));
    assert!(german.contains("Sign in to Switchboard"));

    // An admin sets the organisation's default: it is used when the browser asks for nothing
    // on offer, and never over what it does ask for.
    let (admin, _) = app.signed_in("ada@example.org", Role::Admin).await;
    let saved = app
        .server_fn(&admin, "settings/language/save", &[("language", "pt")])
        .await;
    assert_eq!(saved.status(), 200, "{:?}", saved.text().await);
    assert_eq!(app.audited("settings.language", "settings").await.len(), 1);
    let german = page_in(&app, &visitor, "/login", "de-DE,de;q=0.9").await;
    assert!(
        html_tag(&german).contains(r#"lang="pt""#),
        "{}",
        html_tag(&german)
    );
    assert!(german.contains("Iniciar sessão no Switchboard"));
    let spanish = page_in(&app, &visitor, "/login", "es").await;
    assert!(html_tag(&spanish).contains(r#"lang="es""#));

    // A volunteer's own choice wins over their browser, on every page and in the API.
    let (volunteer, _) = app.signed_in("vic@example.org", Role::Volunteer).await;
    let refused = app
        .server_fn(&volunteer, "settings/language/save", &[("language", "ar")])
        .await;
    assert_eq!(refused.status(), 403);
    let unknown = app
        .server_fn(&volunteer, "account/language", &[("language", "xx")])
        .await;
    assert_eq!(unknown.status(), 422);
    assert!(unknown.text().await.unwrap().contains("not translated"));
    let chosen = app
        .server_fn(&volunteer, "account/language", &[("language", "fr")])
        .await;
    assert_eq!(chosen.status(), 200, "{:?}", chosen.text().await);
    let account = page_in(&app, &volunteer, "/account", "es").await;
    assert!(
        html_tag(&account).contains(r#"lang="fr""#),
        "{}",
        html_tag(&account)
    );
    assert!(account.contains("Votre compte"));
    assert!(account.contains("Se déconnecter"));
    let me: Value = volunteer
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["language"], "fr");

    // Back to following the browser.
    let cleared = app
        .server_fn(&volunteer, "account/language", &[("language", "")])
        .await;
    assert_eq!(cleared.status(), 200);
    let account = page_in(&app, &volunteer, "/account", "es").await;
    assert!(account.contains("Tu cuenta"));
}

on_both_databases!(pages_speak_the_language_chosen_for_them);
