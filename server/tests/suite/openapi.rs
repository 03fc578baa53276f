//! The API's contract. The OpenAPI document against the router it describes: every documented
//! operation exists, and every answer the tests can provoke from it (no credentials, malformed
//! path and query parameters, bodies that are not objects, text with a NUL) is one the document
//! lists, in the documented `{ "code", "message" }` format. Then what a schema-driven fuzzer and
//! the security review found beside it: text with a NUL is a 422 wherever it enters, only a
//! valid API token skips the origin check, and answers with personal data are not cached.

use crate::common;

use std::collections::BTreeSet;

use app::error::ErrorCode;
use app::model::Role;
use app::model::TagInput;
use common::conversations::twilio_number;
use common::{Db, TestApp, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};

/// The message of the router's own 404, which no handler's 404 shares.
const NO_SUCH_ENDPOINT: &str = "API endpoint not found.";

/// How the router's answer to a method a path does not take begins.
const WRONG_METHOD: &str = "This API endpoint does not take";

/// An id that fits in 64 bits and names nothing.
const PLACEHOLDER_ID: &str = "999999";

/// Path parameters the fuzzer sent that are not ids.
const MALFORMED_IDS: [&str; 4] = ["null,null", "99999999999999999999", "AAA", "-1.5"];

/// Every error code, written as the API writes it. The match is exhaustive so that a new code
/// cannot be added without this list (and so the document's enum) hearing of it.
fn all_error_codes() -> BTreeSet<String> {
    use ErrorCode::*;
    let all = [
        BadRequest,
        Unauthenticated,
        Forbidden,
        NotFound,
        Conflict,
        Unprocessable,
        TooManyRequests,
        ProviderUnavailable,
        Internal,
        PasswordChangeRequired,
        ReauthenticationRequired,
        PayloadTooLarge,
        TwoFactorEnrolmentRequired,
    ];
    for code in all {
        match code {
            BadRequest
            | Unauthenticated
            | Forbidden
            | NotFound
            | Conflict
            | Unprocessable
            | TooManyRequests
            | ProviderUnavailable
            | Internal
            | PasswordChangeRequired
            | ReauthenticationRequired
            | PayloadTooLarge
            | TwoFactorEnrolmentRequired => {}
        }
    }
    all.iter()
        .map(|code| {
            serde_json::to_value(code)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

struct Operation {
    method: Method,
    /// Where the path is served from: the document's `/api/v1`, or the path's own server.
    base: String,
    path: String,
    documented: BTreeSet<u16>,
    query: Vec<(String, Value)>,
    json_body: bool,
}

impl Operation {
    fn name(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    fn has_path_params(&self) -> bool {
        self.path.contains('{')
    }

    /// The path with every parameter set to `value`.
    fn path_with(&self, value: &str) -> String {
        let mut path = String::new();
        let mut rest = self.path.as_str();
        while let Some(start) = rest.find('{') {
            let end = rest[start..].find('}').unwrap() + start;
            path.push_str(&rest[..start]);
            path.push_str(value);
            rest = &rest[end + 1..];
        }
        path.push_str(rest);
        path
    }
}

fn operations(document: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        let shared = item["parameters"].as_array().cloned().unwrap_or_default();
        let base = item["servers"][0]["url"]
            .as_str()
            .or(document["servers"][0]["url"].as_str())
            .unwrap()
            .trim_end_matches('/')
            .to_string();
        for (method, operation) in item.as_object().unwrap() {
            // A path item also holds its shared `parameters`, a summary and such.
            if !["get", "put", "post", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let method: Method = method.to_uppercase().parse().unwrap();
            let own = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let query = shared
                .iter()
                .chain(&own)
                .filter(|parameter| parameter["in"] == "query")
                .map(|parameter| {
                    (
                        parameter["name"].as_str().unwrap().to_string(),
                        parameter["schema"].clone(),
                    )
                })
                .collect();
            let documented = operation["responses"]
                .as_object()
                .unwrap()
                .keys()
                .map(|status| status.parse().unwrap())
                .collect();
            found.push(Operation {
                method,
                base: base.clone(),
                path: path.clone(),
                documented,
                query,
                json_body: operation["requestBody"]["content"]
                    .get("application/json")
                    .is_some(),
            });
        }
    }
    found
}

/// Whether a query parameter takes any text: "AAA" is then a valid value.
fn takes_any_text(schema: &Value) -> bool {
    schema["type"] == "string" && schema.get("enum").is_none()
}

/// Checks an answer against the operation's document: its status is listed, and an error is
/// `{ "code", "message" }` with a documented code that stands for that status. Returns the
/// answer's status and body.
async fn check(
    operation: &Operation,
    what: &str,
    codes: &BTreeSet<String>,
    response: reqwest::Response,
) -> (u16, Value) {
    let status = response.status().as_u16();
    let name = operation.name();
    assert!(
        operation.documented.contains(&status),
        "{name} ({what}) answered {status}, which its document does not list ({:?})",
        operation.documented
    );
    if status < 400 {
        return (status, Value::Null);
    }
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        content_type.starts_with("application/json"),
        "{name} ({what}) answered {status} as {content_type:?}, not JSON"
    );
    let body: Value = response.json().await.unwrap();
    let code = body["code"].as_str().unwrap_or_default();
    assert!(
        codes.contains(code) && body["message"].is_string(),
        "{name} ({what}) answered {status} with {body}, not a documented error"
    );
    let code: ErrorCode = serde_json::from_value(json!(code)).unwrap();
    assert_eq!(
        server::http::error::status_of(code).as_u16(),
        status,
        "{name} ({what}): {body} is sent with the status its code stands for"
    );
    (status, body)
}

/// The router's own answers: a path it does not have, or a method a path does not take.
fn is_router_fallback(status: u16, body: &Value) -> bool {
    let message = body["message"].as_str().unwrap_or_default();
    status == 404 && (message == NO_SUCH_ENDPOINT || message.starts_with(WRONG_METHOD))
}

async fn every_documented_operation_answers_only_documented_statuses(db: Db) {
    // With metrics on, `GET /metrics` answers as documented rather than 404 throughout.
    let app = spawn_app_with(db, |name| {
        (name == "SWITCHBOARD_METRICS_TOKEN").then(|| "scrape-token".to_string())
    })
    .await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let http = reqwest::Client::new();
    let document: Value = http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(document["openapi"], "3.1.0");

    let codes = all_error_codes();
    let documented_codes: BTreeSet<String> =
        document["components"]["schemas"]["Error"]["properties"]["code"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|code| code.as_str().unwrap().to_string())
            .collect();
    assert_eq!(
        documented_codes, codes,
        "the document lists every error code"
    );

    let operations = operations(&document);
    assert_eq!(operations.len(), 101, "the document's operations");
    let url = |path: &str| app.url(&format!("/api/v1{path}"));

    // The check that a route exists must be able to fail for paths with ids too.
    let missing = http
        .get(url(&format!(
            "/conversations/{PLACEHOLDER_ID}/nothing-here"
        )))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let status = missing.status().as_u16();
    let body: Value = missing.json().await.unwrap();
    assert!(is_router_fallback(status, &body), "{status} {body}");

    for operation in &operations {
        let name = operation.name();
        let url = |path: &str| app.url(&format!("{}{path}", operation.base));
        let request = |path: String| {
            let request = http.request(operation.method.clone(), url(&path));
            if operation.method == Method::GET || operation.method == Method::DELETE {
                request
            } else {
                request.json(&json!({}))
            }
        };

        // The route exists: an admin's call with placeholder ids reaches a handler.
        let response = request(operation.path_with(PLACEHOLDER_ID))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        let (status, body) = check(operation, "placeholder ids", &codes, response).await;
        assert!(
            !is_router_fallback(status, &body),
            "{name} is not routed: {body}"
        );

        // No credentials at all: the handler's 401, not the origin check's 403.
        let response = request(operation.path_with(PLACEHOLDER_ID))
            .send()
            .await
            .unwrap();
        let (status, body) = check(operation, "no credentials", &codes, response).await;
        assert_eq!(status, 401, "{name} without credentials: {body}");

        // A path parameter that is not an id.
        if operation.has_path_params() {
            for malformed in MALFORMED_IDS {
                let response = request(operation.path_with(malformed))
                    .bearer_auth(&admin)
                    .send()
                    .await
                    .unwrap();
                let (status, body) =
                    check(operation, &format!("id {malformed}"), &codes, response).await;
                assert_eq!(status, 400, "{name} with id {malformed}: {body}");
            }
        }

        // Query parameters of the wrong type, and text holding a NUL.
        for (parameter, schema) in &operation.query {
            let path = operation.path_with(PLACEHOLDER_ID);
            if !takes_any_text(schema) {
                for value in ["AAA", "99999999999999999999"] {
                    let response = http
                        .request(operation.method.clone(), url(&path))
                        .query(&[(parameter.as_str(), value)])
                        .bearer_auth(&admin)
                        .send()
                        .await
                        .unwrap();
                    let what = format!("?{parameter}={value}");
                    let (status, body) = check(operation, &what, &codes, response).await;
                    assert_eq!(status, 400, "{name} {what}: {body}");
                }
            }
            let response = http
                .request(operation.method.clone(), url(&path))
                .query(&[(parameter.as_str(), "a\0b")])
                .bearer_auth(&admin)
                .send()
                .await
                .unwrap();
            let what = format!("?{parameter}=a%00b");
            let (status, body) = check(operation, &what, &codes, response).await;
            assert_eq!(status, 422, "{name} {what}: {body}");
        }

        // JSON bodies: one that is not an object, and one with a NUL in its text.
        if operation.json_body {
            let path = operation.path_with(PLACEHOLDER_ID);
            for (body, expected) in [(json!([]), 400), (json!({ "name": "a\u{0}b" }), 422)] {
                let response = http
                    .request(operation.method.clone(), url(&path))
                    .bearer_auth(&admin)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let what = format!("body {body}");
                let (status, answer) = check(operation, &what, &codes, response).await;
                assert_eq!(status, expected, "{name} {what}: {answer}");
            }
        }
    }

    // A method the API does not take on a path it has: the API's error format too, and told
    // from a handler's 404 like a path it does not have.
    let wrong_method = http
        .put(url("/me"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let status = wrong_method.status().as_u16();
    let body: Value = wrong_method.json().await.unwrap();
    assert_eq!(body["code"], "not_found", "{body}");
    assert!(is_router_fallback(status, &body), "{status} {body}");
}

/// OpenAPI 3.1 is JSON Schema: a value that may be null says so in its `type`, and the 3.0
/// keyword `nullable` means nothing.
async fn the_document_uses_openapi_3_1_keywords_only(db: Db) {
    fn nullable_at(value: &Value, at: &str, found: &mut Vec<String>) {
        match value {
            Value::Object(fields) => {
                for (key, value) in fields {
                    let here = format!("{at}/{key}");
                    if key == "nullable" {
                        found.push(here.clone());
                    }
                    nullable_at(value, &here, found);
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    nullable_at(item, &format!("{at}/{index}"), found);
                }
            }
            _ => {}
        }
    }
    let app = spawn_app(db).await;
    let document: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut found = Vec::new();
    nullable_at(&document, "", &mut found);
    assert!(found.is_empty(), "3.0 `nullable` at {found:?}");
    let header = &document["components"]["schemas"]["TemplateContent"]["properties"]["header"];
    assert_eq!(header["type"], json!(["string", "null"]));
}

/// A Twilio channel and a conversation on it; returns the channel's, the conversation's and
/// the contact's ids.
async fn a_conversation(app: &TestApp) -> (i64, i64, i64) {
    let channel = app.connect(twilio_number()).await;
    let conversation = app
        .twilio_text_from(
            "+15552223333",
            "SM00000000000000000000000000000001",
            "hello",
            false,
        )
        .await;
    let contact: i64 = sqlx::query_scalar("SELECT contact_id FROM conversations WHERE id = $1")
        .bind(conversation)
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    (channel, conversation, contact)
}

async fn assert_refused_as_nul(response: reqwest::Response, what: &str) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or_default();
    assert_eq!(status, 422, "{what}: {body}");
    assert_eq!(body["code"], "unprocessable", "{what}: {body}");
}

async fn text_with_nul_is_refused_with_422_wherever_it_enters(db: Db) {
    let app = spawn_app(db).await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let (channel, conversation, contact) = a_conversation(&app).await;
    let http = reqwest::Client::new();
    let nul = "before\u{0}after";

    // The JSON API.
    for (path, body) in [
        (
            "/tags".to_string(),
            json!({ "name": nul, "colour": "#2a7ae2" }),
        ),
        (
            "/canned-responses".to_string(),
            json!({ "shortcut": "hi", "body": nul }),
        ),
        (
            format!("/conversations/{conversation}/notes"),
            json!({ "body": nul }),
        ),
        (format!("/contacts/{contact}/notes"), json!({ "body": nul })),
        (
            "/templates/twilio".to_string(),
            json!({
                "channel_id": channel,
                "name": "welcome",
                "language": "en",
                "content_sid": "HX0123456789abcdef0123456789abcdef",
                "body": nul,
            }),
        ),
        (
            format!("/conversations/{conversation}/messages"),
            json!({ "body": nul }),
        ),
    ] {
        let response = http
            .post(app.url(&format!("/api/v1{path}")))
            .bearer_auth(&admin)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_refused_as_nul(response, &format!("POST {path}")).await;
    }
    let search = http
        .get(app.url("/api/v1/search"))
        .query(&[("q", nul)])
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_refused_as_nul(search, "GET /search").await;
    let caption = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4".to_vec())
                .file_name("a.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        )
        .text("caption", nul);
    let file = http
        .post(app.url(&format!("/api/v1/conversations/{conversation}/files")))
        .bearer_auth(&admin)
        .multipart(caption)
        .send()
        .await
        .unwrap();
    assert_refused_as_nul(file, "a file's caption").await;

    // The server functions the UI calls.
    let (browser, _) = app.signed_in("coordinator@example.org", Role::Admin).await;
    for (endpoint, form) in [
        ("tags/create", vec![("name", nul), ("colour", "#2a7ae2")]),
        (
            "canned-responses/create",
            vec![("shortcut", "hi"), ("body", nul)],
        ),
        ("search", vec![("query", nul)]),
    ] {
        let response = app.server_fn(&browser, endpoint, &form).await;
        assert_refused_as_nul(response, endpoint).await;
    }

    // Nothing was kept.
    for path in ["/tags", "/canned-responses"] {
        let kept: Value = http
            .get(app.url(&format!("/api/v1{path}")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(kept, json!([]), "{path}");
    }
    let templates: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM message_templates")
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    assert_eq!(templates, 0, "no template was registered");
}

/// Behind the requests, PostgreSQL's refusal of a NUL is the caller's 422, never a 500.
async fn the_store_answers_text_it_cannot_hold_with_422(db: Db) {
    let app = spawn_app(db).await;
    let id = app.add("admin@example.org", Role::Admin).await;
    let actor = app.services.actor_by_id(id).await.unwrap().unwrap();
    let tag = app
        .services
        .create_tag(
            &actor,
            TagInput {
                name: "before\u{0}after".into(),
                colour: "#2a7ae2".into(),
            },
        )
        .await;
    match (db, tag) {
        (_, Err(error)) => assert_eq!(error.code, ErrorCode::Unprocessable),
        (Db::Postgres, Ok(_)) => panic!("PostgreSQL stored a NUL"),
        // SQLite can hold it; the requests bringing it are refused before they get here.
        (Db::Sqlite, Ok(_)) => {}
    }
    let search = app.services.search(&actor, "before\u{0}after").await;
    assert_eq!(search.unwrap_err().code, ErrorCode::Unprocessable);
}

async fn only_a_valid_api_token_skips_the_origin_check(db: Db) {
    let app = spawn_app(db).await;
    let (browser, _) = app.signed_in("admin@example.org", Role::Admin).await;
    let (token, _) = app.token("script@example.org", Role::Admin).await;
    let evil = "https://evil.example";
    let tag = |name: &str| json!({ "name": name, "colour": "#2a7ae2" });

    // Another site's page cannot skip the check with an Authorization header that is not a
    // token: the session cookie would still act.
    let forged = browser
        .post(app.url("/api/v1/tags"))
        .header("Origin", evil)
        .header("Authorization", "Basic eDp4")
        .json(&tag("forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(forged.json::<Value>().await.unwrap()["code"], "forbidden");
    let forged_fn = browser
        .post(app.url("/api/tags/create"))
        .header("Origin", evil)
        .header("Authorization", "Basic eDp4")
        .form(&[("name", "forged"), ("colour", "#2a7ae2")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged_fn.status(), 403);

    // A valid token is exempt wherever the call comes from.
    let scripted = reqwest::Client::new()
        .post(app.url("/api/v1/tags"))
        .header("Origin", evil)
        .bearer_auth(&token)
        .json(&tag("scripted"))
        .send()
        .await
        .unwrap();
    assert_eq!(scripted.status(), 201);

    // A call with no credentials at all can do nothing: it gets the API's 401.
    let anonymous = reqwest::Client::new()
        .post(app.url("/api/v1/tags"))
        .json(&tag("anonymous"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        anonymous.json::<Value>().await.unwrap()["code"],
        "unauthenticated"
    );

    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM tags")
        .fetch_all(&app.sql().await)
        .await
        .unwrap();
    assert_eq!(names, ["scripted"]);
}

async fn answers_with_personal_data_are_not_cached(db: Db) {
    let app = spawn_app(db).await;
    let (token, _) = app.token("admin@example.org", Role::Admin).await;
    let (browser, _) = app.signed_in("ana@example.org", Role::Admin).await;
    let cache_control = |response: &reqwest::Response| {
        response
            .headers()
            .get("cache-control")
            .map(|value| value.to_str().unwrap().to_string())
    };
    let me = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(
        cache_control(&me).as_deref(),
        Some("no-store"),
        "API answer"
    );
    for page in ["/", "/settings", "/login"] {
        let response = browser.get(app.url(page)).send().await.unwrap();
        assert_eq!(
            cache_control(&response).as_deref(),
            Some("no-store"),
            "{page}"
        );
    }
    let server_fn = app.server_fn(&browser, "tags/list", &[]).await;
    assert_eq!(server_fn.status(), 200);
    assert_eq!(cache_control(&server_fn).as_deref(), Some("no-store"));

    // The site's own scripts and styles stay cacheable.
    let pkg = std::env::temp_dir().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let asset = format!("openapi-test-{}.css", std::process::id());
    std::fs::write(pkg.join(&asset), "body {}").unwrap();
    let response = reqwest::get(app.url(&format!("/pkg/{asset}")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_ne!(cache_control(&response).as_deref(), Some("no-store"));
    let _ = std::fs::remove_file(pkg.join(&asset));
}

async fn assigning_needs_an_assignee_or_take(db: Db) {
    let app = spawn_app(db).await;
    let (admin, admin_id) = app.token("admin@example.org", Role::Admin).await;
    let (_, conversation, _) = a_conversation(&app).await;
    let http = reqwest::Client::new();
    let assign = |body: Value| {
        http.post(app.url(&format!("/api/v1/conversations/{conversation}/assign")))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    let assigned = assign(json!({ "assignee_id": admin_id })).await.unwrap();
    assert_eq!(assigned.status(), 200);
    for body in [
        json!([]),
        json!({}),
        json!({ "take": false }),
        json!({ "take": true, "assignee_id": admin_id }),
    ] {
        let response = assign(body.clone()).await.unwrap();
        assert_eq!(response.status(), 400, "{body}");
        assert_eq!(
            response.json::<Value>().await.unwrap()["code"],
            "bad_request"
        );
    }
    let detail = app.conversation_detail(&admin, conversation).await;
    assert_eq!(detail["summary"]["assignee_id"], admin_id, "still assigned");
    let unassigned: Value = assign(json!({ "assignee_id": null }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unassigned["summary"]["assignee_id"], Value::Null);
}

on_both_databases!(
    every_documented_operation_answers_only_documented_statuses,
    the_document_uses_openapi_3_1_keywords_only,
    text_with_nul_is_refused_with_422_wherever_it_enters,
    the_store_answers_text_it_cannot_hold_with_422,
    only_a_valid_api_token_skips_the_origin_check,
    answers_with_personal_data_are_not_cached,
    assigning_needs_an_assignee_or_take,
);
