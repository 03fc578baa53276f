//! Sign-in, sessions, roles and the JSON API, through real HTTP on SQLite and PostgreSQL.

use crate::common;

use app::model::Role;
use common::{Db, PASSWORD, location, spawn_app, spawn_app_with};
use serde_json::{Value, json};

async fn signing_in_issues_a_fresh_session_and_signing_out_ends_it(db: Db) {
    let app = spawn_app(db).await;
    app.add("ana@example.org", Role::Volunteer).await;
    let client = app.browser();

    let first = app.sign_in(&client, "ana@example.org", PASSWORD).await;
    assert_eq!(first.status(), 303);
    assert_eq!(location(&first), "/");
    let cookie = first.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("switchboard_session="));
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert_eq!(app.me_status(&client).await, 200);

    let second = app.sign_in(&client, "ana@example.org", PASSWORD).await;
    let second_cookie = second.headers()["set-cookie"].to_str().unwrap().to_string();
    let id = |c: &str| c.split(';').next().unwrap().to_string();
    assert_ne!(
        id(&cookie),
        id(&second_cookie),
        "every sign-in gets a new session id"
    );
    let stale = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .header("Cookie", id(&cookie))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 401, "the old session id is dead");

    let out = client
        .post(app.url("/auth/logout"))
        .header("Origin", &app.base)
        .send()
        .await
        .unwrap();
    assert_eq!(location(&out), "/login?signed_out=1");
    assert_eq!(app.me_status(&client).await, 401);
}

async fn wrong_credentials_are_refused_alike_and_then_throttled(db: Db) {
    let app = spawn_app(db).await;
    app.add("ana@example.org", Role::Volunteer).await;
    let client = app.browser();
    let wrong = app
        .sign_in(&client, "ana@example.org", "not-her-password")
        .await;
    let unknown = app.sign_in(&client, "nobody@example.org", PASSWORD).await;
    assert_eq!(location(&wrong), "/login?error=invalid&next=%2F");
    assert_eq!(
        location(&unknown),
        location(&wrong),
        "unknown emails look the same"
    );

    for _ in 0..4 {
        app.sign_in(&client, "ana@example.org", "still-wrong").await;
    }
    let blocked = app.sign_in(&client, "ana@example.org", PASSWORD).await;
    assert_eq!(location(&blocked), "/login?error=throttled&next=%2F");
    assert_eq!(app.me_status(&client).await, 401);
}

async fn cross_site_writes_are_refused(db: Db) {
    let app = spawn_app(db).await;
    app.add("ana@example.org", Role::Admin).await;
    let client = app.browser();
    let no_origin = client
        .post(app.url("/auth/login"))
        .form(&[("email", "ana@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(no_origin.status(), 403);
    let evil = client
        .post(app.url("/auth/login"))
        .header("Origin", "https://evil.example")
        .form(&[("email", "ana@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), 403);
    assert_eq!(app.me_status(&client).await, 401, "no session was created");

    app.sign_in(&client, "ana@example.org", PASSWORD).await;
    let forged = client
        .post(app.url("/api/people/add"))
        .header("Origin", "https://evil.example")
        .form(&[
            ("email", "mallory@example.org"),
            ("name", "Mallory"),
            ("role", "admin"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let body: Value = forged.json().await.unwrap();
    assert_eq!(body["code"], "forbidden");
    assert!(
        app.services
            .store()
            .user_by_email("mallory@example.org")
            .await
            .unwrap()
            .is_none()
    );
}

async fn pages_need_a_session_and_carry_security_headers(db: Db) {
    let app = spawn_app(db).await;
    let client = app.browser();
    let page = client.get(app.url("/people")).send().await.unwrap();
    assert_eq!(page.status(), 303);
    assert_eq!(location(&page), "/login?next=%2Fpeople");

    let login = client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(login.status(), 200);
    let headers = login.headers().clone();
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(
        headers.get("strict-transport-security").is_none(),
        "no HSTS over http"
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_string();
    let html = login.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "hydration script carries the nonce"
    );
    assert!(html.contains("action=\"/auth/login\""));
}

async fn https_deployments_use_host_prefixed_secure_cookies(db: Db) {
    let app = spawn_app_with(db, |name| {
        (name == "SWITCHBOARD_PUBLIC_URL").then(|| "https://inbox.example.org".to_string())
    })
    .await;
    app.add("ana@example.org", Role::Volunteer).await;
    let client = app.browser();
    let response = client
        .post(app.url("/auth/login"))
        .header("Origin", "https://inbox.example.org")
        .form(&[("email", "ana@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("__Host-switchboard_session="),
        "{cookie}"
    );
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(
        response.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
}

async fn sessions_end_after_their_absolute_lifetime(db: Db) {
    let app = spawn_app_with(db, |name| {
        (name == "SWITCHBOARD_SESSION_LIFETIME_HOURS").then(|| "0".to_string())
    })
    .await;
    app.add("ana@example.org", Role::Volunteer).await;
    let client = app.browser();
    assert_eq!(
        location(&app.sign_in(&client, "ana@example.org", PASSWORD).await),
        "/"
    );
    assert_eq!(app.me_status(&client).await, 401);
}

async fn each_role_is_refused_what_it_may_not_do(db: Db) {
    let app = spawn_app(db).await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let target = app.add("target@example.org", Role::Volunteer).await;
    let http = reqwest::Client::new();
    for (email, role) in [
        ("coordinator@example.org", Role::Coordinator),
        ("volunteer@example.org", Role::Volunteer),
    ] {
        let (token, _) = app.token(email, role).await;
        let list = http
            .get(app.url("/api/v1/users"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(list.status(), 403, "{email} lists people");
        let body: Value = list.json().await.unwrap();
        assert_eq!(body["code"], "forbidden");
        let add = http
            .post(app.url("/api/v1/users"))
            .bearer_auth(&token)
            .json(&json!({ "email": "x@example.org", "name": "X", "role": "admin" }))
            .send()
            .await
            .unwrap();
        assert_eq!(add.status(), 403, "{email} adds people");
        let promote = http
            .patch(app.url(&format!("/api/v1/users/{target}")))
            .bearer_auth(&token)
            .json(&json!({ "role": "admin" }))
            .send()
            .await
            .unwrap();
        assert_eq!(promote.status(), 403, "{email} changes roles");
        let me: Value = http
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["role"], role.as_str());
    }
    let target_row = app
        .services
        .store()
        .user_by_id(target)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(target_row.role, "volunteer", "nothing changed");
    let list = http
        .get(app.url("/api/v1/users"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), 200);
    assert_eq!(list.json::<Vec<Value>>().await.unwrap().len(), 4);
}

async fn the_ui_server_functions_check_roles_too(db: Db) {
    let app = spawn_app(db).await;
    let (volunteer, _) = app.signed_in("vol@example.org", Role::Volunteer).await;
    let refused = app
        .server_fn(
            &volunteer,
            "people/add",
            &[("email", "x@example.org"), ("name", "X"), ("role", "admin")],
        )
        .await;
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "forbidden");
    assert!(
        app.services
            .store()
            .user_by_email("x@example.org")
            .await
            .unwrap()
            .is_none()
    );

    let (admin, _) = app.signed_in("boss@example.org", Role::Admin).await;
    let listed: Vec<Value> = app
        .server_fn(&admin, "people/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    let signed_out = app.server_fn(&app.browser(), "people/list", &[]).await;
    let body: Value = signed_out.json().await.unwrap();
    assert_eq!(body["code"], "unauthenticated");
}

async fn admins_add_people_who_sign_in_with_a_one_time_password(db: Db) {
    let app = spawn_app(db).await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let http = reqwest::Client::new();
    let added = http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({ "email": " Ben@Example.org ", "name": "Ben", "role": "coordinator" }))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    let added: Value = added.json().await.unwrap();
    assert_eq!(added["person"]["email"], "ben@example.org");
    assert_eq!(added["person"]["must_change_password"], true);
    let one_time = added["one_time_password"].as_str().unwrap().to_string();

    let ben = app.browser();
    let signed_in = app.sign_in(&ben, "ben@example.org", &one_time).await;
    assert_eq!(
        location(&signed_in),
        "/account",
        "sent to choose a password"
    );

    let wrong_current = app
        .server_fn(
            &ben,
            "account/password",
            &[("current", "nope"), ("new", "orchid-meadow-canal-7")],
        )
        .await;
    let body: Value = wrong_current.json().await.unwrap();
    assert_eq!(body["code"], "unprocessable");
    let common_password = app
        .server_fn(
            &ben,
            "account/password",
            &[("current", &one_time), ("new", "password123")],
        )
        .await;
    let body: Value = common_password.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("too common"),
        "{body}"
    );
    let changed = app
        .server_fn(
            &ben,
            "account/password",
            &[("current", &one_time), ("new", "orchid-meadow-canal-7")],
        )
        .await;
    assert!(changed.status().is_success());

    let again = app.browser();
    assert_eq!(
        location(&app.sign_in(&again, "ben@example.org", &one_time).await),
        "/login?error=invalid&next=%2F"
    );
    assert_eq!(
        location(
            &app.sign_in(&again, "ben@example.org", "orchid-meadow-canal-7")
                .await
        ),
        "/"
    );
    let me: Value = again
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["must_change_password"], false);
}

async fn bad_input_gets_a_reason_and_the_right_status(db: Db) {
    let app = spawn_app(db).await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let http = reqwest::Client::new();
    let post = |body: String| {
        http.post(app.url("/api/v1/users"))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let not_json = post("{not json".into()).await.unwrap();
    assert_eq!(not_json.status(), 400);
    let missing = post(r#"{"email":"a@example.org"}"#.into()).await.unwrap();
    assert_eq!(missing.status(), 422);
    let bad_email = post(r#"{"email":"nope","name":"A","role":"volunteer"}"#.into())
        .await
        .unwrap();
    assert_eq!(bad_email.status(), 422);
    let body: Value = bad_email.json().await.unwrap();
    assert_eq!(body["code"], "unprocessable");
    assert!(body["message"].as_str().unwrap().contains("email"));
    let duplicate = post(r#"{"email":"admin@example.org","name":"A","role":"volunteer"}"#.into())
        .await
        .unwrap();
    assert_eq!(duplicate.status(), 409);
    let unknown = http
        .patch(app.url("/api/v1/users/999999"))
        .bearer_auth(&admin)
        .json(&json!({ "role": "admin" }))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let no_token = reqwest::get(app.url("/api/v1/users")).await.unwrap();
    assert_eq!(no_token.status(), 401);
    let bad_token = http
        .get(app.url("/api/v1/me"))
        .bearer_auth("sb_forged")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_token.status(), 401);
    assert_eq!(
        bad_token.json::<Value>().await.unwrap()["code"],
        "unauthenticated"
    );
}

async fn deactivating_a_person_ends_their_sessions_and_tokens(db: Db) {
    let app = spawn_app(db).await;
    let (admin, admin_id) = app.token("admin@example.org", Role::Admin).await;
    let (vic_browser, vic) = app.signed_in("vic@example.org", Role::Volunteer).await;
    let actor = app.services.actor_by_id(vic).await.unwrap().unwrap();
    let vic_token = app
        .services
        .create_token(&actor, "script")
        .await
        .unwrap()
        .secret;
    let http = reqwest::Client::new();

    let response = http
        .patch(app.url(&format!("/api/v1/users/{vic}")))
        .bearer_auth(&admin)
        .json(&json!({ "active": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap()["active"], false);
    assert_eq!(app.me_status(&vic_browser).await, 401);
    let token_use = http
        .get(app.url("/api/v1/me"))
        .bearer_auth(&vic_token)
        .send()
        .await
        .unwrap();
    assert_eq!(token_use.status(), 401);
    assert_eq!(
        location(
            &app.sign_in(&app.browser(), "vic@example.org", PASSWORD)
                .await
        ),
        "/login?error=invalid&next=%2F"
    );

    let self_demotion = http
        .patch(app.url(&format!("/api/v1/users/{admin_id}")))
        .bearer_auth(&admin)
        .json(&json!({ "role": "volunteer" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        self_demotion.status(),
        422,
        "the last admin cannot lock everyone out"
    );

    let audit = app.services.store().recent_audit(50).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "person_deactivated"
        && e.subject == format!("user:{vic}")
        && e.actor_id == Some(admin_id)));
}

async fn tokens_are_created_listed_and_revoked_by_their_owner(db: Db) {
    let app = spawn_app(db).await;
    let (browser, _) = app.signed_in("ana@example.org", Role::Volunteer).await;
    let created: Value = app
        .server_fn(&browser, "tokens/create", &[("name", "laptop script")])
        .await
        .json()
        .await
        .unwrap();
    let secret = created["secret"].as_str().unwrap().to_string();
    let id = created["token"]["id"].as_i64().unwrap().to_string();
    let http = reqwest::Client::new();
    assert_eq!(
        http.get(app.url("/api/v1/me"))
            .bearer_auth(&secret)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    let (other, _) = app.signed_in("ben@example.org", Role::Admin).await;
    let foreign = app.server_fn(&other, "tokens/revoke", &[("id", &id)]).await;
    assert_eq!(
        foreign.json::<Value>().await.unwrap()["code"],
        "not_found",
        "nobody revokes another's token"
    );

    let listed: Vec<Value> = app
        .server_fn(&browser, "tokens/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert!(
        listed[0].get("secret").is_none(),
        "secrets are never listed"
    );
    assert!(
        app.server_fn(&browser, "tokens/revoke", &[("id", &id)])
            .await
            .status()
            .is_success()
    );
    assert_eq!(
        http.get(app.url("/api/v1/me"))
            .bearer_auth(&secret)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

async fn health_and_readiness_answer(db: Db) {
    let app = spawn_app(db).await;
    assert_eq!(
        reqwest::get(app.url("/healthz"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    assert_eq!(
        reqwest::get(app.url("/readyz")).await.unwrap().status(),
        200
    );
}

async fn the_openapi_document_matches_the_routes(db: Db) {
    // `GET /metrics` exists only with its token set.
    let app = spawn_app_with(db, |name| {
        (name == "SWITCHBOARD_METRICS_TOKEN").then(|| "scrape-token".to_string())
    })
    .await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let document: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() >= 3);
    for (path, methods) in paths {
        // A path with servers of its own is served from there, not under /api/v1.
        let base = methods["servers"][0]["url"]
            .as_str()
            .map_or("/api/v1", |url| url.trim_end_matches('/'));
        let operations = methods.as_object().unwrap().keys();
        for method in
            operations.filter(|key| ["get", "post", "patch", "delete"].contains(&key.as_str()))
        {
            let url = app.url(&format!("{base}{}", path.replace("{id}", "1")));
            let request = http
                .request(method.to_uppercase().parse().unwrap(), url)
                .bearer_auth(&admin)
                .json(&json!({}));
            let status = request.send().await.unwrap().status().as_u16();
            assert!(
                ![404, 405].contains(&status) || path.contains("{id}") && status == 404,
                "{method} {path} answered {status}"
            );
        }
    }
    let undocumented = http
        .get(app.url("/api/v1/nothing-here"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(undocumented.status(), 404);
    assert_eq!(
        undocumented.json::<Value>().await.unwrap()["code"],
        "not_found"
    );
}

on_both_databases!(
    signing_in_issues_a_fresh_session_and_signing_out_ends_it,
    wrong_credentials_are_refused_alike_and_then_throttled,
    cross_site_writes_are_refused,
    pages_need_a_session_and_carry_security_headers,
    https_deployments_use_host_prefixed_secure_cookies,
    sessions_end_after_their_absolute_lifetime,
    each_role_is_refused_what_it_may_not_do,
    the_ui_server_functions_check_roles_too,
    admins_add_people_who_sign_in_with_a_one_time_password,
    bad_input_gets_a_reason_and_the_right_status,
    deactivating_a_person_ends_their_sessions_and_tokens,
    tokens_are_created_listed_and_revoked_by_their_owner,
    health_and_readiness_answer,
    the_openapi_document_matches_the_routes,
);
