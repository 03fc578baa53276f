//! A local stand-in for the Graph API (WhatsApp, Messenger) and Twilio: it records every
//! request and answers with scripted responses, or like the real API when none is scripted.
//! WhatsApp templates created through it are listed back with the review status a test gives,
//! with those a test puts at Meta directly (as if made in WhatsApp Manager). Sample files for
//! media headers go through its Resumable Upload API, whose handles the templates must use.
//! When a test asks, it reports the progress of the messages it accepts back to the app with
//! signed status webhooks, as the providers do.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use channels::phone::E164;
use channels::simulate::{self, SignedWebhook};
use serde_json::{Value, json};

/// One request the fake provider received.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub authorization: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON request body")
    }

    /// The body as JSON, or null for a form or multipart body.
    pub fn json_or_null(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// A scripted answer: HTTP status, extra headers, JSON body.
type Answer = (u16, Vec<(&'static str, &'static str)>, String);

/// A template as the fake's Meta review holds it.
#[derive(Clone, Debug)]
struct Reviewed {
    id: String,
    name: String,
    language: String,
    category: String,
    status: String,
    reason: Option<String>,
    components: Value,
}

/// The Resumable Upload API's state: open sessions with the length and type they announced,
/// and the handles of finished uploads.
#[derive(Clone, Debug, Default)]
struct Uploads {
    sessions: Vec<(String, usize, String)>,
    handles: Vec<String>,
}

/// Where and how the fake reports WhatsApp statuses: the webhook URL of the Meta app, the WABA
/// the business number belongs to, and the app secret that signs them.
#[derive(Clone, Debug)]
struct WhatsAppReports {
    webhook_url: String,
    waba_id: String,
    app_secret: String,
}

/// The status webhooks a test asked for; none by default.
#[derive(Clone, Debug, Default)]
struct Reports {
    whatsapp: Option<WhatsAppReports>,
    /// The auth token that signs Twilio status callbacks.
    twilio_auth_token: Option<String>,
}

#[derive(Clone, Default)]
pub struct FakeProvider {
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<Answer>>>,
    templates: Arc<Mutex<Vec<Reviewed>>>,
    uploads: Arc<Mutex<Uploads>>,
    reports: Arc<Mutex<Reports>>,
}

impl FakeProvider {
    /// Starts the fake; returns it and its base URL.
    pub async fn start() -> (FakeProvider, String) {
        let fake = FakeProvider::default();
        let app = Router::new()
            .route("/v23.0/{id}/messages", post(answer))
            .route("/v23.0/{id}/message_templates", any(answer))
            .route("/v23.0/{id}/media", post(answer))
            .route("/v23.0/{id}/uploads", post(answer))
            // An upload session, `upload:…`, takes the file's bytes.
            .route("/v23.0/{session}", post(answer))
            .route("/2010-04-01/Accounts/{sid}/Messages.json", post(answer))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (fake, base)
    }

    pub fn then_answer(
        &self,
        status: u16,
        headers: Vec<(&'static str, &'static str)>,
        body: Value,
    ) {
        self.script
            .lock()
            .unwrap()
            .push_back((status, headers, body.to_string()));
    }

    /// From now on, every WhatsApp message the fake accepts is reported `sent`, `delivered`
    /// and `read`, in that order and in the background, by webhooks to `webhook_url` from WABA
    /// `waba_id`, signed with `app_secret`.
    pub fn report_whatsapp_statuses(&self, webhook_url: &str, waba_id: &str, app_secret: &str) {
        self.reports.lock().unwrap().whatsapp = Some(WhatsAppReports {
            webhook_url: webhook_url.to_string(),
            waba_id: waba_id.to_string(),
            app_secret: app_secret.to_string(),
        });
    }

    /// From now on, every Twilio message the fake accepts is reported `sent` and `delivered`
    /// (and `read` on WhatsApp), in that order and in the background, by callbacks to the
    /// send's `StatusCallback`, signed with `auth_token`. The send must come `From` a number:
    /// a Messaging Service's callbacks name the number it picked, which the fake cannot know.
    pub fn report_twilio_statuses(&self, auth_token: &str) {
        self.reports.lock().unwrap().twilio_auth_token = Some(auth_token.to_string());
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Meta's review of a template this fake was sent: `APPROVED`, `REJECTED`…
    pub fn review(&self, name: &str, status: &str, reason: Option<&str>) {
        let mut templates = self.templates.lock().unwrap();
        let template = templates
            .iter_mut()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("the fake was never sent template {name}"));
        template.status = status.to_string();
        template.reason = reason.map(str::to_string);
    }

    /// A template that exists only at Meta, listed as Meta lists it (`{id, name, language,
    /// status, category, components}`).
    pub fn at_meta(&self, template: Value) {
        let text = |key: &str| template[key].as_str().unwrap_or_default().to_string();
        self.templates.lock().unwrap().push(Reviewed {
            id: text("id"),
            name: text("name"),
            language: text("language"),
            category: text("category"),
            status: text("status"),
            reason: None,
            components: template["components"].clone(),
        });
    }

    /// The handles the fake's Resumable Upload API gave out, in order.
    pub fn upload_handles(&self) -> Vec<String> {
        self.uploads.lock().unwrap().handles.clone()
    }

    /// Waits until a request matching `wanted` has arrived, for calls made in the background.
    pub async fn wait_for(&self, wanted: impl Fn(&Received) -> bool) -> Received {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            if let Some(found) = self.received().into_iter().find(|r| wanted(r)) {
                return found;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the expected request never reached the fake provider: {:#?}",
                self.received()
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

async fn answer(
    State(fake): State<FakeProvider>,
    RawQuery(query): RawQuery,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let count = {
        let mut received = fake.received.lock().unwrap();
        received.push(Received {
            method: method.clone(),
            path: path.clone(),
            query,
            authorization: headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            headers: headers.clone(),
            body: body.clone(),
        });
        received.len()
    };
    if let Some((status, extra, body)) = fake.script.lock().unwrap().pop_front() {
        let mut response = (StatusCode::from_u16(status).unwrap(), body).into_response();
        for (name, value) in extra {
            response.headers_mut().insert(name, value.parse().unwrap());
        }
        return response;
    }
    if path.ends_with("/media") {
        return axum::Json(json!({ "id": format!("media-{count}") })).into_response();
    }
    if path.ends_with("/message_templates") {
        return templates(&fake, &method, &body, count);
    }
    if path.ends_with("/uploads") {
        return upload_session(&fake, uri.query().unwrap_or_default(), count);
    }
    if path.starts_with("/v23.0/upload:") {
        return upload_file(&fake, &path["/v23.0/".len()..], &headers, &body, count);
    }
    if path.contains("/Accounts/") {
        let sid = format!("SMfeed{count:028}");
        let auth_token = fake.reports.lock().unwrap().twilio_auth_token.clone();
        if let Some(auth_token) = auth_token {
            report_twilio(&auth_token, &path, &body, &sid);
        }
        return (
            StatusCode::CREATED,
            axum::Json(json!({ "sid": sid, "status": "queued", "error_code": null })),
        )
            .into_response();
    }
    if path.starts_with("/v23.0/3000") {
        // The Page token comes as a Bearer header; in the query it would end up in error texts
        // and logs with the URL, so the fake refuses it there.
        let bearer = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|value| value.starts_with("Bearer "));
        if !bearer || uri.query().is_some_and(|q| q.contains("access_token")) {
            return graph_error(190, "Invalid OAuth access token");
        }
        return axum::Json(
            json!({ "recipient_id": "psid-1", "message_id": format!("m_sent{count}") }),
        )
        .into_response();
    }
    let request: Value = serde_json::from_slice(&body).unwrap_or_default();
    if request.get("status").and_then(Value::as_str) == Some("read") {
        return axum::Json(json!({ "success": true })).into_response();
    }
    if request["type"] == "template" && !template_parameters_acceptable(&request["template"]) {
        return graph_error(
            132000,
            "Number of parameters does not match the expected number of params",
        );
    }
    let message_id = format!("wamid.sent{count}");
    let whatsapp = fake.reports.lock().unwrap().whatsapp.clone();
    if let (Some(reports), Some(to)) = (whatsapp, request["to"].as_str()) {
        let phone_number_id = path.split('/').nth(2).unwrap_or_default();
        report_whatsapp(reports, phone_number_id, to, &message_id);
    }
    axum::Json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": "+15551234567", "wa_id": "15551234567" }],
        "messages": [{ "id": message_id }]
    }))
    .into_response()
}

/// A template send's components in the send fixture's shape: a media header parameter names
/// its media by `id` or `link` under its type, and a button component has a `sub_type`, its
/// `index` as a string and one `payload` (quick reply) or `text` (link) parameter.
fn template_parameters_acceptable(template: &Value) -> bool {
    let components = template["components"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    components.iter().all(|component| {
        let parameters = component["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        match component["type"].as_str() {
            Some("header") => parameters
                .iter()
                .all(|parameter| match parameter["type"].as_str() {
                    Some(kind @ ("image" | "video" | "document")) => {
                        parameter[kind]["id"].is_string() || parameter[kind]["link"].is_string()
                    }
                    Some("text") => parameter["text"].is_string(),
                    _ => false,
                }),
            Some("body") => parameters
                .iter()
                .all(|p| p["type"] == "text" && p["text"].is_string()),
            Some("button") => {
                let index_ok = component["index"].as_str().is_some_and(|index| {
                    !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit())
                });
                let parameter_ok = match (component["sub_type"].as_str(), parameters.as_slice()) {
                    (Some("quick_reply"), [p]) => {
                        p["type"] == "payload" && p["payload"].is_string()
                    }
                    (Some("url"), [p]) => p["type"] == "text" && p["text"].is_string(),
                    _ => false,
                };
                index_ok && parameter_ok
            }
            _ => false,
        }
    })
}

/// Reports an accepted WhatsApp message as Meta does: `sent`, `delivered`, `read`.
fn report_whatsapp(reports: WhatsAppReports, phone_number_id: &str, to: &str, message_id: &str) {
    let recipient = E164::parse(to).expect("WhatsApp sends go to a phone number");
    let now = server::store::now_ms() / 1000;
    let webhooks = ["sent", "delivered", "read"].map(|status| {
        simulate::whatsapp_status(
            &reports.app_secret,
            &reports.waba_id,
            phone_number_id,
            // The fake does not know the display number; the app routes by the number's id.
            "15550000000",
            message_id,
            &recipient,
            status,
            now,
        )
    });
    tokio::spawn(post_in_order(reports.webhook_url, webhooks.to_vec()));
}

/// Reports an accepted Twilio message as Twilio does, to the send's `StatusCallback`.
fn report_twilio(auth_token: &str, path: &str, body: &[u8], sid: &str) {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or_else(|| panic!("the Twilio send has no {name}"))
    };
    let (from, to, callback) = (field("From"), field("To"), field("StatusCallback"));
    let account_sid = path.split('/').nth(3).unwrap_or_default();
    let mut statuses = vec!["sent", "delivered"];
    if to.starts_with("whatsapp:") {
        statuses.push("read");
    }
    let webhooks = statuses
        .into_iter()
        .map(|status| {
            simulate::twilio_status(auth_token, callback, account_sid, from, to, sid, status)
        })
        .collect();
    tokio::spawn(post_in_order(callback.to_string(), webhooks));
}

/// How long after accepting a message the fake starts reporting it. Providers report a second
/// or so later, never while the send call is still being answered; how the app copes with a
/// status that beats the send's answer is tested on its own, with a scripted webhook.
const REPORT_DELAY: std::time::Duration = std::time::Duration::from_millis(100);

/// Posts each webhook once the previous one was answered, as a provider reports one message's
/// progress; the app must accept every one.
async fn post_in_order(url: String, webhooks: Vec<SignedWebhook>) {
    tokio::time::sleep(REPORT_DELAY).await;
    let client = reqwest::Client::new();
    for webhook in webhooks {
        let mut request = client
            .post(&url)
            .header("content-type", webhook.content_type)
            .body(webhook.body);
        for (name, value) in webhook.headers {
            request = request.header(name, value);
        }
        let response = request.send().await.expect("the app takes status webhooks");
        assert_eq!(
            response.status(),
            200,
            "the app refused a status webhook to {url}"
        );
    }
}

/// `POST /{app-id}/uploads?file_name=&file_length=&file_type=` opens a session:
/// `{id: "upload:…"}`.
fn upload_session(fake: &FakeProvider, query: &str, count: usize) -> Response {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let param = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let (Some(_), Some(length), Some(file_type)) = (
        param("file_name"),
        param("file_length").and_then(|length| length.parse::<usize>().ok()),
        param("file_type"),
    ) else {
        return graph_error(100, "file_name, file_length and file_type are required");
    };
    let session = format!("upload:session-{count}");
    fake.uploads
        .lock()
        .unwrap()
        .sessions
        .push((session.clone(), length, file_type));
    axum::Json(json!({ "id": session })).into_response()
}

/// `POST /upload:…` with `Authorization: OAuth <token>`, `file_offset: 0` and the whole file
/// as the body answers `{h: <handle>}`.
fn upload_file(
    fake: &FakeProvider,
    session: &str,
    headers: &HeaderMap,
    body: &[u8],
    count: usize,
) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if !header("authorization").is_some_and(|value| value.starts_with("OAuth ")) {
        return graph_error(190, "Invalid OAuth access token");
    }
    let mut uploads = fake.uploads.lock().unwrap();
    let Some(&(_, length, _)) = uploads.sessions.iter().find(|(s, _, _)| s == session) else {
        return graph_error(100, "Unknown upload session");
    };
    if header("file_offset") != Some("0") || body.len() != length {
        return graph_error(100, "The file does not match the upload session");
    }
    let handle = format!("4::aW1hZ2UvcG5n:handle-{count}");
    uploads.handles.push(handle.clone());
    axum::Json(json!({ "h": handle })).into_response()
}

/// What Meta requires of a template's components, in the create fixture's shape: a media
/// header's `example.header_handle` is a handle this fake's upload gave out, and a link whose
/// address ends with a variable has a sample address in `example`.
fn components_acceptable(fake: &FakeProvider, components: &[Value]) -> bool {
    let handles = fake.uploads.lock().unwrap().handles.clone();
    components.iter().all(|component| {
        match (component["type"].as_str(), component["format"].as_str()) {
            (Some("HEADER"), Some("IMAGE" | "VIDEO" | "DOCUMENT")) => {
                component["example"]["header_handle"]
                    .as_array()
                    .is_some_and(|handle| {
                        handle.len() == 1
                            && handle[0]
                                .as_str()
                                .is_some_and(|h| handles.iter().any(|k| k == h))
                    })
            }
            (Some("BUTTONS"), _) => component["buttons"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|button| button["type"] == "URL")
                .all(|button| {
                    let url = button["url"].as_str().unwrap_or_default();
                    !url.contains("{{")
                        || button["example"]
                            .as_array()
                            .is_some_and(|example| example.len() == 1 && example[0].is_string())
                }),
            _ => true,
        }
    })
}

/// Creating a template answers like Meta (`{id, status: PENDING, category}`) after checking
/// the parts Meta requires; listing answers `{data, paging}` with the current reviews.
fn templates(fake: &FakeProvider, method: &Method, body: &[u8], count: usize) -> Response {
    let mut templates = fake.templates.lock().unwrap();
    if method == Method::GET {
        let data: Vec<Value> = templates
            .iter()
            .map(|t| {
                json!({
                    "id": t.id, "name": t.name, "language": t.language, "status": t.status,
                    "category": t.category,
                    "rejected_reason": t.reason.clone().unwrap_or_else(|| "NONE".into()),
                    "components": t.components,
                })
            })
            .collect();
        return axum::Json(
            json!({ "data": data, "paging": { "cursors": { "before": "b", "after": "a" } } }),
        )
        .into_response();
    }
    let request: Value = match serde_json::from_slice(body) {
        Ok(request) => request,
        Err(_) => return (StatusCode::BAD_REQUEST, "not JSON").into_response(),
    };
    let text = |key: &str| request.get(key).and_then(Value::as_str).map(str::to_string);
    let components = request["components"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let has_body = components.iter().any(|c| c["type"] == "BODY");
    let (Some(name), Some(language), Some(category)) =
        (text("name"), text("language"), text("category"))
    else {
        return graph_error(100, "Invalid parameter");
    };
    if !has_body || !components_acceptable(fake, &components) {
        return graph_error(100, "Invalid parameter");
    }
    if templates
        .iter()
        .any(|t| t.name == name && t.language == language)
    {
        return graph_error(100, "Content in this language already exists");
    }
    let id = format!("{}", 900_000 + count);
    templates.push(Reviewed {
        id: id.clone(),
        name,
        language,
        category: category.clone(),
        status: "PENDING".into(),
        reason: None,
        components: Value::Array(components),
    });
    axum::Json(json!({ "id": id, "status": "PENDING", "category": category })).into_response()
}

fn graph_error(code: u32, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({ "error": {
            "message": message, "type": "OAuthException", "code": code,
            "error_user_msg": message, "fbtrace_id": "AbCdEf"
        }})),
    )
        .into_response()
}
