//! First run: a new installation offers a one-time setup link that creates the first admin.

use crate::common;

use app::model::Role;
use common::{Db, PASSWORD, location, spawn_app};

const NOTICE: &str = "No one can sign in yet";

async fn a_new_installation_is_set_up_through_its_one_time_link(db: Db) {
    let app = spawn_app(db).await;
    let link = app
        .services
        .first_run_link()
        .await
        .unwrap()
        .expect("no one exists, so there is a setup link");
    let token = link
        .path()
        .strip_prefix("/setup/")
        .expect("the link opens the setup page")
        .to_string();
    assert_eq!(token.len(), 43, "256 random bits, URL-safe: {link}");
    let again = app.fresh_services().await.first_run_link().await.unwrap();
    assert_eq!(
        again.map(|link| link.path().to_string()),
        Some(link.path().to_string()),
        "every instance, and every restart, offers the same link"
    );

    let visitor = app.browser();
    let sign_in_page = app.page(&visitor, "/login").await;
    assert!(sign_in_page.contains(NOTICE), "{sign_in_page}");
    assert!(sign_in_page.contains("first-run setup"));
    let setup_page = app.page(&visitor, link.path()).await;
    assert!(setup_page.contains("Create the first admin account"));

    let attempt = |token: &str, password: &str| {
        let form = [
            ("token", token.to_string()),
            ("name", "Ana Admin".to_string()),
            ("email", "ana@example.org".to_string()),
            ("password", password.to_string()),
        ];
        let (app, visitor) = (&app, &visitor);
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = app.server_fn(visitor, "first-run/admin", &form).await;
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        }
    };
    let (status, body) = attempt(&format!("{token}x"), PASSWORD).await;
    assert_eq!(status, 404, "{body}");
    assert!(
        body.contains("This setup link has been used already"),
        "{body}"
    );
    let (status, body) = attempt(&token, "password").await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("too common"), "{body}");

    let (status, body) = attempt(&token, PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = attempt(&token, PASSWORD).await;
    assert_eq!(status, 404, "the link works once");

    let admin = app.browser();
    let signed_in = app.sign_in(&admin, "ana@example.org", PASSWORD).await;
    assert_eq!(location(&signed_in), "/");
    let me: serde_json::Value = admin
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "Ana Admin");
    assert_eq!(me["role"], "admin");
    assert_eq!(
        app.audited("person_added", &format!("user:{}", me["id"]))
            .await,
        [None]
    );

    assert_eq!(app.services.first_run_link().await.unwrap(), None);
    assert!(!app.page(&app.browser(), "/login").await.contains(NOTICE));
}

async fn an_installation_with_people_offers_no_setup_link(db: Db) {
    let app = spawn_app(db).await;
    app.add("coordinator@example.org", Role::Coordinator).await;
    assert_eq!(app.services.first_run_link().await.unwrap(), None);
    assert!(!app.page(&app.browser(), "/login").await.contains(NOTICE));
    let form = [
        ("token", "guessed"),
        ("name", "Mallory"),
        ("email", "mallory@example.org"),
        ("password", PASSWORD),
    ];
    let refused = app
        .server_fn(&app.browser(), "first-run/admin", &form)
        .await;
    assert_eq!(refused.status(), 404);
}

on_both_databases!(
    a_new_installation_is_set_up_through_its_one_time_link,
    an_installation_with_people_offers_no_setup_link,
);
