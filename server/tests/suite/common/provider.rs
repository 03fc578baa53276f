//! A local stand-in for the Graph API (WhatsApp, Messenger) and Twilio: it records every
//! request and answers with scripted responses, or like the real API when none is scripted.
//! WhatsApp templates created through it are listed back with the review status a test gives,
//! with those a test puts at Meta directly (as if made in WhatsApp Manager). Sample files for
//! media headers go through its Resumable Upload API, whose handles the templates must use.
//! When a test asks, it reports the progress of the messages it accepts back to the app with
//! signed status webhooks, as the providers do.
//!
//! The fake is as strict as the real APIs (REFERENCE.md §1.4-1.7, §2.4, §3.2): every request
//! is checked for the channel's credentials, the required fields, their types and enums, and
//! the 24-hour rules, before any scripted or default answer. A request that fails a check is
//! answered 400 in the provider's error format and recorded; the test then fails when the
//! [`FakeProvider`] is dropped (or at [`FakeProvider::assert_all_valid`]), with the reason.
//! The fake only knows the credentials of channels registered with [`FakeProvider::channel`].

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use app::model::{ChannelInput, ChannelKind};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use channels::phone::E164;
use channels::simulate::{self, SignedWebhook};
use serde_json::{Value, json};

/// One request the fake provider received (its method was checked on arrival).
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub query: Option<String>,
    pub authorization: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// When it arrived.
    pub at: std::time::Instant,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON request body")
    }

    /// The body as JSON, or null for a form or multipart body.
    pub fn json_or_null(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body as a form, as Twilio's API takes it.
    pub fn form(&self) -> Form {
        Form::parse(&self.body)
    }
}

/// The fields of a form-encoded body, in order.
#[derive(Clone, Debug)]
pub struct Form(Vec<(String, String)>);

impl Form {
    pub fn parse(body: &[u8]) -> Form {
        Form(url::form_urlencoded::parse(body).into_owned().collect())
    }

    /// The value of the field `name`, when the form has it (the first, if repeated).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.all(name).into_iter().next()
    }

    /// Every value of the field `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
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

/// Who the fake expects to call it: the credentials of each channel a test registered.
#[derive(Clone, Debug, Default)]
struct Credentials {
    /// WhatsApp phone number id → access token.
    phone_numbers: HashMap<String, String>,
    /// WhatsApp Business Account id → access token.
    wabas: HashMap<String, String>,
    /// Meta app id → access token (Resumable Upload API).
    apps: HashMap<String, String>,
    /// Facebook Page id → Page access token.
    pages: HashMap<String, String>,
    /// Twilio Account SID → auth token.
    twilio: HashMap<String, String>,
}

/// The fake's state, shared with its HTTP handlers.
#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<Answer>>,
    templates: Mutex<Vec<Reviewed>>,
    uploads: Mutex<Uploads>,
    reports: Mutex<Reports>,
    credentials: Mutex<Credentials>,
    /// When each contact (WhatsApp digits, PSID, Twilio address without `whatsapp:`) last
    /// wrote, in milliseconds, as a test told the fake: the 24-hour rules are checked for them.
    last_inbound: Mutex<HashMap<String, i64>>,
    /// Why requests were refused as malformed, in order.
    violations: Mutex<Vec<String>>,
    /// Twilio media a test put, by media SID: its type and bytes.
    twilio_media: Mutex<HashMap<String, (&'static str, Vec<u8>)>>,
}

/// The test's handle on the fake. Dropping it fails the test if any request was malformed.
pub struct FakeProvider {
    shared: Arc<Shared>,
    base: String,
}

impl Drop for FakeProvider {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.assert_all_valid();
        }
    }
}

impl FakeProvider {
    /// Starts the fake; returns it and its base URL.
    pub async fn start() -> (FakeProvider, String) {
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route("/v23.0/{id}/messages", post(answer))
            .route("/v23.0/{id}/message_templates", any(answer))
            .route("/v23.0/{id}/media", post(answer))
            .route("/v23.0/{id}/uploads", post(answer))
            // An upload session, `upload:…`, takes the file's bytes.
            .route("/v23.0/{session}", post(answer))
            .route("/2010-04-01/Accounts/{sid}/Messages.json", post(answer))
            .route(
                "/2010-04-01/Accounts/{sid}/Messages/{message}/Media/{media}",
                get(twilio_media),
            )
            .fallback(unknown_endpoint)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (
            FakeProvider {
                shared,
                base: base.clone(),
            },
            base,
        )
    }

    /// The fake's base URL (Twilio's API base; Meta's is this with `/v23.0`).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A channel whose provider is this fake: points `input` at it and tells the fake the
    /// credentials to expect from it (the access token for the number, account and app, the
    /// Page token, Twilio's Account SID and auth token). Requests for ids not registered here
    /// are malformed.
    pub fn channel(&self, mut input: ChannelInput) -> ChannelInput {
        let mut credentials = self.shared.credentials.lock().unwrap();
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        match input.kind {
            Some(ChannelKind::WhatsApp) => {
                input.api_base_url = Some(format!("{}/v23.0", self.base));
                let token = text(&input.access_token);
                credentials
                    .phone_numbers
                    .insert(text(&input.phone_number_id), token.clone());
                credentials
                    .wabas
                    .insert(text(&input.waba_id), token.clone());
                if let Some(app_id) = &input.app_id {
                    credentials.apps.insert(app_id.clone(), token);
                }
            }
            Some(ChannelKind::Messenger) => {
                input.api_base_url = Some(format!("{}/v23.0", self.base));
                credentials
                    .pages
                    .insert(text(&input.page_id), text(&input.page_access_token));
            }
            Some(ChannelKind::Twilio) => {
                input.api_base_url = Some(self.base.clone());
                credentials
                    .twilio
                    .insert(text(&input.account_sid), text(&input.auth_token));
            }
            None => panic!("the fake provider needs the channel's kind"),
        }
        input
    }

    /// The Meta app `app_id` of a WhatsApp channel whose access token is `token`, for a test
    /// that sets the app's id after connecting the channel.
    pub fn meta_app(&self, app_id: &str, token: &str) {
        self.shared
            .credentials
            .lock()
            .unwrap()
            .apps
            .insert(app_id.to_string(), token.to_string());
    }

    /// Tells the fake when the contact at `address` (WhatsApp digits or `+E164`, PSID, Twilio
    /// address) last wrote, in milliseconds: sends to them are then held to the 24-hour rules
    /// (WhatsApp and Twilio WhatsApp free-form only within 24 hours; Messenger `RESPONSE` and
    /// `UPDATE` within 24 hours, `HUMAN_AGENT` within 7 days).
    pub fn contact_wrote(&self, address: &str, at_ms: i64) {
        self.shared
            .last_inbound
            .lock()
            .unwrap()
            .insert(contact_key(address), at_ms);
    }

    /// Serves `bytes` of type `mime_type` as the Twilio media `media_sid`: its URL (as a
    /// `MediaUrl0` of an inbound message to `account_sid`) is returned.
    pub fn twilio_media(
        &self,
        account_sid: &str,
        media_sid: &str,
        mime_type: &'static str,
        bytes: &[u8],
    ) -> String {
        self.shared
            .twilio_media
            .lock()
            .unwrap()
            .insert(media_sid.to_string(), (mime_type, bytes.to_vec()));
        format!(
            "{}/2010-04-01/Accounts/{account_sid}/Messages/MM{media_sid}/Media/{media_sid}",
            self.base
        )
    }

    /// Fails the test, with every reason, if the fake has refused a malformed request.
    pub fn assert_all_valid(&self) {
        let violations = self.shared.violations.lock().unwrap().clone();
        assert!(
            violations.is_empty(),
            "the fake provider received malformed requests:\n- {}",
            violations.join("\n- ")
        );
    }

    /// The reasons malformed requests were refused, which are then forgotten: for tests that
    /// send malformed requests on purpose.
    pub fn take_violations(&self) -> Vec<String> {
        std::mem::take(&mut *self.shared.violations.lock().unwrap())
    }

    pub fn then_answer(
        &self,
        status: u16,
        headers: Vec<(&'static str, &'static str)>,
        body: Value,
    ) {
        self.shared
            .script
            .lock()
            .unwrap()
            .push_back((status, headers, body.to_string()));
    }

    /// From now on, every WhatsApp message the fake accepts is reported `sent`, `delivered`
    /// and `read`, in that order and in the background, by webhooks to `webhook_url` from WABA
    /// `waba_id`, signed with `app_secret`.
    pub fn report_whatsapp_statuses(&self, webhook_url: &str, waba_id: &str, app_secret: &str) {
        self.shared.reports.lock().unwrap().whatsapp = Some(WhatsAppReports {
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
        self.shared.reports.lock().unwrap().twilio_auth_token = Some(auth_token.to_string());
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Meta's review of a template this fake was sent: `APPROVED`, `REJECTED`…
    pub fn review(&self, name: &str, status: &str, reason: Option<&str>) {
        let mut templates = self.shared.templates.lock().unwrap();
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
        self.shared.templates.lock().unwrap().push(Reviewed {
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
        self.shared.uploads.lock().unwrap().handles.clone()
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
    State(fake): State<Arc<Shared>>,
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
            path: path.clone(),
            query: query.clone(),
            authorization: headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            headers: headers.clone(),
            body: body.clone(),
            at: std::time::Instant::now(),
        });
        received.len()
    };
    let twilio = path.starts_with("/2010-04-01/");
    let query = query.unwrap_or_default();
    // A script decides the answer only to a request that passed every check.
    if let Err(refusal) = validate(&fake, &method, &path, &query, &headers, &body) {
        let reason = format!("{method} {path}: {}", refusal.reason);
        record_violation(&fake, &reason);
        return if twilio {
            twilio_error(refusal.code.unwrap_or(20001), &reason)
        } else {
            graph_error(refusal.code.unwrap_or(100), &reason)
        };
    }
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
        return upload_session(&fake, &query, count);
    }
    if path.starts_with("/v23.0/upload:") {
        return upload_file(&fake, &path["/v23.0/".len()..], &headers, &body, count);
    }
    if twilio {
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
    let id = path.split('/').nth(2).unwrap_or_default();
    let request: Value = serde_json::from_slice(&body).unwrap_or_default();
    if fake.credentials.lock().unwrap().pages.contains_key(id) {
        let recipient = request["recipient"]["id"].as_str().unwrap_or("psid-1");
        return axum::Json(
            json!({ "recipient_id": recipient, "message_id": format!("m_sent{count}") }),
        )
        .into_response();
    }
    if request.get("status").and_then(Value::as_str) == Some("read") {
        return axum::Json(json!({ "success": true })).into_response();
    }
    let message_id = format!("wamid.sent{count}");
    let whatsapp = fake.reports.lock().unwrap().whatsapp.clone();
    let to = request["to"].as_str().unwrap_or_default();
    if let Some(reports) = whatsapp {
        report_whatsapp(reports, id, to, &message_id);
    }
    axum::Json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": to, "wa_id": to.trim_start_matches('+') }],
        "messages": [{ "id": message_id }]
    }))
    .into_response()
}

/// Twilio's media URL: the file, to the account's credentials (HTTP Basic, SID and auth token).
async fn twilio_media(
    State(fake): State<Arc<Shared>>,
    Path((sid, _message, media)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    use base64::Engine;
    let token = fake.credentials.lock().unwrap().twilio.get(&sid).cloned();
    let expected = token.map(|token| {
        let pair = format!("{sid}:{token}");
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    });
    let given = headers.get("authorization").and_then(|v| v.to_str().ok());
    if expected.is_none() || given != expected.as_deref() {
        let mut response = twilio_error(20003, "Authenticate");
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        return response;
    }
    match fake.twilio_media.lock().unwrap().get(&media).cloned() {
        Some((mime_type, bytes)) => {
            ([(axum::http::header::CONTENT_TYPE, mime_type)], bytes).into_response()
        }
        None => {
            let mut response = twilio_error(20404, "The requested resource was not found");
            *response.status_mut() = StatusCode::NOT_FOUND;
            response
        }
    }
}

/// A call to an endpoint the providers do not have (or this fake does not know): recorded as
/// malformed, answered 404.
async fn unknown_endpoint(
    State(fake): State<Arc<Shared>>,
    method: Method,
    uri: axum::http::Uri,
) -> Response {
    let reason = format!("{method} {}: no such endpoint at the provider", uri.path());
    record_violation(&fake, &reason);
    let mut response = graph_error(803, &reason);
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// Keeps the reason for the drop check, and prints it at once: a test whose own assertion
/// fails first (on the 400 this causes) shows the reason in its output too.
fn record_violation(fake: &Shared, reason: &str) {
    eprintln!("fake provider refused a malformed request: {reason}");
    fake.violations.lock().unwrap().push(reason.to_string());
}

/// Why the fake refused a request: the reason, and the provider's error code for it when it is
/// not the generic one (Graph 100, Twilio 20001).
struct Refusal {
    code: Option<u32>,
    reason: String,
}

impl From<String> for Refusal {
    fn from(reason: String) -> Refusal {
        Refusal { code: None, reason }
    }
}

fn refusal(code: u32, reason: impl Into<String>) -> Refusal {
    Refusal {
        code: Some(code),
        reason: reason.into(),
    }
}

type Checked<T = ()> = Result<T, Refusal>;

const HOUR_MS: i64 = 3600 * 1000;

/// Checks a request as the real API would before acting on it: REFERENCE.md §1.4, §1.5, §1.7
/// (WhatsApp), §3.2 (Messenger), §2.4 (Twilio).
fn validate(
    fake: &Shared,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Checked {
    let credentials = fake.credentials.lock().unwrap().clone();
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let segments: Vec<&str> = path.split('/').collect();
    if path.starts_with("/2010-04-01/Accounts/") {
        return twilio_send(
            fake,
            &credentials,
            segments[3],
            authorization,
            headers,
            body,
        );
    }
    if query_params(query).iter().any(|(k, _)| k == "access_token") {
        return Err(refusal(
            190,
            "the access token came in the query; it belongs in the Authorization header",
        ));
    }
    let id = segments.get(2).copied().unwrap_or_default();
    if id.starts_with("upload:") {
        // The Resumable Upload API takes the token as `OAuth`, and the offset it starts at.
        let token = authorization.strip_prefix("OAuth ").unwrap_or_default();
        let known = credentials.apps.values().any(|t| t == token);
        if !known {
            return Err(refusal(
                190,
                format!(
                    "an upload session wants `Authorization: OAuth <app's token>`, got {authorization:?}"
                ),
            ));
        }
        let offset = headers.get("file_offset").and_then(|v| v.to_str().ok());
        if offset.is_none_or(|offset| offset.parse::<u64>().is_err()) {
            return Err("an upload session wants a numeric `file_offset` header"
                .to_string()
                .into());
        }
        return Ok(());
    }
    let expected = |tokens: &HashMap<String, String>, what: &str| -> Checked {
        let token = tokens.get(id).ok_or_else(|| {
            refusal(
                100,
                format!("no channel with {what} {id} was registered with the fake (FakeProvider::channel)"),
            )
        })?;
        bearer(authorization, token)
    };
    match segments.get(3).copied() {
        Some("messages") if credentials.pages.contains_key(id) => {
            expected(&credentials.pages, "Page id")?;
            messenger_send(fake, &json_body(headers, body)?)
        }
        Some("messages") => {
            expected(&credentials.phone_numbers, "phone number id")?;
            whatsapp_send(fake, &json_body(headers, body)?)
        }
        Some("media") => {
            expected(&credentials.phone_numbers, "phone number id")?;
            whatsapp_media_upload(headers, body)
        }
        Some("message_templates") => {
            expected(&credentials.wabas, "WhatsApp Business Account id")?;
            match *method {
                Method::GET => Ok(()),
                Method::POST => template_create(&json_body(headers, body)?),
                Method::DELETE => {
                    let params = query_params(query);
                    if !params.iter().any(|(k, v)| k == "name" && !v.is_empty()) {
                        return Err("deleting a template needs its `name`".to_string().into());
                    }
                    Ok(())
                }
                _ => Err(format!("{method} is not an operation on message_templates").into()),
            }
        }
        Some("uploads") => {
            expected(&credentials.apps, "Meta app id")?;
            let params = query_params(query);
            let param = |name: &str| {
                params
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str())
            };
            for name in ["file_name", "file_length", "file_type"] {
                if param(name).is_none_or(str::is_empty) {
                    return Err(format!("an upload session needs `{name}`").into());
                }
            }
            if param("file_length").unwrap().parse::<u64>().is_err() {
                return Err("`file_length` must be a number of bytes".to_string().into());
            }
            Ok(())
        }
        other => Err(format!("the fake has no endpoint {other:?} under {id}").into()),
    }
}

fn query_params(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn bearer(authorization: &str, token: &str) -> Checked {
    match authorization.strip_prefix("Bearer ") {
        Some(given) if given == token => Ok(()),
        Some(_) => Err(refusal(190, "the Bearer token is not the channel's")),
        None if authorization.is_empty() => {
            Err(refusal(190, "no `Authorization: Bearer <token>` header"))
        }
        None => Err(refusal(
            190,
            format!("`Authorization` is not a Bearer token: {authorization:?}"),
        )),
    }
}

/// A JSON body, sent as JSON.
fn json_body(headers: &HeaderMap, body: &[u8]) -> Checked<Value> {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/json") {
        return Err(format!("the body must be application/json, not {content_type:?}").into());
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|error| format!("the body is not JSON: {error}"))?;
    if !value.is_object() {
        return Err("the body must be a JSON object".to_string().into());
    }
    Ok(value)
}

/// A required, non-empty string at `at`.
fn string<'a>(value: &'a Value, at: &str) -> Result<&'a str, String> {
    match value {
        Value::String(text) if !text.is_empty() => Ok(text),
        Value::Null => Err(format!("`{at}` is required")),
        other => Err(format!("`{at}` must be a non-empty string, got {other}")),
    }
}

/// A required string that is one of `allowed`.
fn one_of<'a>(value: &'a Value, at: &str, allowed: &[&str]) -> Result<&'a str, String> {
    let text = string(value, at)?;
    if allowed.contains(&text) {
        Ok(text)
    } else {
        Err(format!("`{at}` must be one of {allowed:?}, got {text:?}"))
    }
}

fn object<'a>(value: &'a Value, at: &str) -> Result<&'a serde_json::Map<String, Value>, String> {
    match value {
        Value::Object(map) => Ok(map),
        Value::Null => Err(format!("`{at}` is required")),
        other => Err(format!("`{at}` must be an object, got {other}")),
    }
}

fn array<'a>(value: &'a Value, at: &str) -> Result<&'a Vec<Value>, String> {
    match value {
        Value::Array(items) => Ok(items),
        Value::Null => Err(format!("`{at}` is required")),
        other => Err(format!("`{at}` must be an array, got {other}")),
    }
}

fn at_most(text: &str, at: &str, limit: usize) -> Result<(), String> {
    let length = text.chars().count();
    if length > limit {
        return Err(format!(
            "`{at}` has {length} characters, at most {limit} allowed"
        ));
    }
    Ok(())
}

/// How the fake keys a contact: digits for a phone number (with or without `+`/`whatsapp:`),
/// the id itself otherwise.
fn contact_key(address: &str) -> String {
    let address = address.strip_prefix("whatsapp:").unwrap_or(address);
    address.strip_prefix('+').unwrap_or(address).to_string()
}

/// When the contact last wrote, if a test told the fake, and how long ago that is.
fn silent_for(fake: &Shared, address: &str) -> Option<i64> {
    let last = *fake
        .last_inbound
        .lock()
        .unwrap()
        .get(&contact_key(address))?;
    Some(server::store::now_ms() - last)
}

/// `POST /{phone-number-id}/messages` (§1.4).
fn whatsapp_send(fake: &Shared, body: &Value) -> Checked {
    if body["messaging_product"] != "whatsapp" {
        return Err(format!(
            "`messaging_product` must be \"whatsapp\", got {}",
            body["messaging_product"]
        )
        .into());
    }
    if body.get("status").is_some() {
        one_of(&body["status"], "status", &["read"])?;
        string(&body["message_id"], "message_id")?;
        if let Some(indicator) = body.get("typing_indicator") {
            one_of(&indicator["type"], "typing_indicator.type", &["text"])?;
        }
        return Ok(());
    }
    if let Some(kind) = body.get("recipient_type") {
        one_of(kind, "recipient_type", &["individual"])?;
    }
    let to = string(&body["to"], "to")?;
    let digits = to.strip_prefix('+').unwrap_or(to);
    if !(7..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`to` must be a phone number, got {to:?}").into());
    }
    let kind = one_of(
        &body["type"],
        "type",
        &[
            "text",
            "image",
            "audio",
            "video",
            "document",
            "sticker",
            "location",
            "contacts",
            "reaction",
            "interactive",
            "template",
        ],
    )?;
    let content = &body[kind];
    object(content, kind)?;
    match kind {
        "text" => {
            at_most(string(&content["body"], "text.body")?, "text.body", 4096)?;
            if content.get("preview_url").is_some_and(|v| !v.is_boolean()) {
                return Err("`text.preview_url` must be a boolean".to_string().into());
            }
        }
        "image" | "audio" | "video" | "document" | "sticker" => media_object(kind, content)?,
        "interactive" => interactive(content)?,
        "template" => template_send(content)?,
        "reaction" => {
            string(&content["message_id"], "reaction.message_id")?;
        }
        "location" => {
            if !content["latitude"].is_number() || !content["longitude"].is_number() {
                return Err("`location` needs numeric `latitude` and `longitude`"
                    .to_string()
                    .into());
            }
        }
        _ => {
            array(content, kind)?;
        }
    }
    if let Some(context) = body.get("context") {
        string(&context["message_id"], "context.message_id")?;
    }
    if kind != "template" && silent_for(fake, to).is_some_and(|silent| silent > 24 * HOUR_MS) {
        return Err(refusal(
            131047,
            "a free-form WhatsApp message more than 24 hours after the contact last wrote; \
             only a template may go then",
        ));
    }
    Ok(())
}

/// A media message's object: the file by `id` or `link` (not both), a `caption` only for
/// images, videos and documents, a `filename` only for documents.
fn media_object(kind: &str, media: &Value) -> Result<(), String> {
    match (media.get("id"), media.get("link")) {
        (Some(id), None) => string(id, &format!("{kind}.id")).map(drop)?,
        (None, Some(link)) => string(link, &format!("{kind}.link")).map(drop)?,
        _ => return Err(format!("`{kind}` needs exactly one of `id` and `link`")),
    }
    if let Some(caption) = media.get("caption") {
        if !matches!(kind, "image" | "video" | "document") {
            return Err(format!("`{kind}` cannot carry a caption"));
        }
        at_most(
            string(caption, &format!("{kind}.caption"))?,
            "caption",
            1024,
        )?;
    }
    if let Some(filename) = media.get("filename") {
        if kind != "document" {
            return Err(format!("only a document has a filename, not `{kind}`"));
        }
        string(filename, "document.filename")?;
    }
    Ok(())
}

/// `interactive` (§1.4): reply buttons, at most three, unique, titles up to 20 characters;
/// a list, at most ten rows with titles up to 24 characters behind a button of up to 20.
fn interactive(content: &Value) -> Result<(), String> {
    let kind = one_of(
        &content["type"],
        "interactive.type",
        &[
            "button",
            "list",
            "product",
            "product_list",
            "flow",
            "catalog_message",
        ],
    )?;
    if matches!(kind, "button" | "list") {
        at_most(
            string(&content["body"]["text"], "interactive.body.text")?,
            "interactive.body.text",
            1024,
        )?;
    }
    let action = &content["action"];
    object(action, "interactive.action")?;
    if kind == "button" {
        let buttons = array(&action["buttons"], "interactive.action.buttons")?;
        if !(1..=3).contains(&buttons.len()) {
            return Err(format!("1 to 3 reply buttons, got {}", buttons.len()));
        }
        let mut seen = std::collections::HashSet::new();
        for button in buttons {
            one_of(&button["type"], "button.type", &["reply"])?;
            let id = string(&button["reply"]["id"], "button.reply.id")?;
            at_most(id, "button.reply.id", 256)?;
            let title = string(&button["reply"]["title"], "button.reply.title")?;
            at_most(title, "button.reply.title", 20)?;
            if !seen.insert(("id", id.to_string())) || !seen.insert(("title", title.to_string())) {
                return Err("reply buttons' ids and titles must be unique".into());
            }
        }
    }
    if kind == "list" {
        at_most(
            string(&action["button"], "interactive.action.button")?,
            "interactive.action.button",
            20,
        )?;
        let sections = array(&action["sections"], "interactive.action.sections")?;
        let mut rows_in_all = 0;
        for section in sections {
            if sections.len() > 1 {
                at_most(
                    string(&section["title"], "section.title")?,
                    "section.title",
                    24,
                )?;
            }
            for row in array(&section["rows"], "section.rows")? {
                at_most(string(&row["id"], "row.id")?, "row.id", 200)?;
                at_most(string(&row["title"], "row.title")?, "row.title", 24)?;
                if let Some(description) = row.get("description") {
                    at_most(
                        string(description, "row.description")?,
                        "row.description",
                        72,
                    )?;
                }
                rows_in_all += 1;
            }
        }
        if !(1..=10).contains(&rows_in_all) {
            return Err(format!("1 to 10 list rows in all, got {rows_in_all}"));
        }
    }
    Ok(())
}

/// `template` in a send (§1.4): name, language code, and components whose parameters are in
/// the send fixture's shape; a button has its `sub_type`, its `index` as a string of digits
/// and one `payload` (quick reply) or `text` (link) parameter.
fn template_send(template: &Value) -> Result<(), String> {
    string(&template["name"], "template.name")?;
    string(&template["language"]["code"], "template.language.code")?;
    let Some(components) = template.get("components") else {
        return Ok(());
    };
    for component in array(components, "template.components")? {
        let kind = one_of(
            &component["type"],
            "component.type",
            &["header", "body", "button"],
        )?;
        let parameters = array(&component["parameters"], "component.parameters")?;
        for parameter in parameters {
            let parameter_type = one_of(
                &parameter["type"],
                "parameter.type",
                &[
                    "text",
                    "currency",
                    "date_time",
                    "image",
                    "document",
                    "video",
                    "payload",
                ],
            )?;
            match parameter_type {
                "text" => string(&parameter["text"], "parameter.text").map(drop)?,
                "payload" => string(&parameter["payload"], "parameter.payload").map(drop)?,
                media @ ("image" | "document" | "video") => {
                    if kind != "header" {
                        return Err(format!("a {media} parameter belongs in the header"));
                    }
                    media_object(media, &parameter[media])?
                }
                other => object(&parameter[other], other).map(drop)?,
            }
            if kind == "body" && parameter_type == "payload" {
                return Err("a body parameter cannot be a payload".into());
            }
        }
        if kind == "button" {
            let sub_type = one_of(
                &component["sub_type"],
                "button.sub_type",
                &["quick_reply", "url", "CATALOG"],
            )?;
            let index = string(&component["index"], "button.index")?;
            if !index.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("`button.index` must be digits, got {index:?}"));
            }
            let wanted = if sub_type == "quick_reply" {
                "payload"
            } else {
                "text"
            };
            if parameters.len() != 1 || parameters[0]["type"] != wanted {
                return Err(format!(
                    "a {sub_type} button takes one `{wanted}` parameter, got {}",
                    Value::Array(parameters.clone())
                ));
            }
        }
    }
    Ok(())
}

/// `POST /{phone-number-id}/media` (§1.5): multipart with `messaging_product` and the `file`
/// part carrying its MIME type.
fn whatsapp_media_upload(headers: &HeaderMap, body: &[u8]) -> Checked {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(boundary) = content_type
        .strip_prefix("multipart/form-data")
        .and_then(|rest| rest.split("boundary=").nth(1))
    else {
        return Err(format!("a media upload is multipart/form-data, not {content_type:?}").into());
    };
    let boundary = boundary.trim_matches('"');
    let text = String::from_utf8_lossy(body);
    let mut product = None;
    let mut file_type = None;
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let head = head.to_ascii_lowercase();
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        if head.contains("name=\"messaging_product\"") {
            product = Some(value.to_string());
        } else if head.contains("name=\"file\"") {
            file_type = head
                .lines()
                .find_map(|line| line.strip_prefix("content-type:"))
                .map(|t| t.trim().to_string());
        }
    }
    if product.as_deref() != Some("whatsapp") {
        return Err(format!("`messaging_product` must be \"whatsapp\", got {product:?}").into());
    }
    if file_type.is_none_or(|t| !t.contains('/')) {
        return Err("the `file` part must carry its MIME type"
            .to_string()
            .into());
    }
    Ok(())
}

/// `POST /{waba-id}/message_templates` (§1.7).
fn template_create(request: &Value) -> Checked {
    string(&request["name"], "name")?;
    string(&request["language"], "language")?;
    one_of(
        &request["category"],
        "category",
        &["MARKETING", "UTILITY", "AUTHENTICATION"],
    )?;
    for component in array(&request["components"], "components")? {
        let kind = one_of(
            &component["type"],
            "component.type",
            &["HEADER", "BODY", "FOOTER", "BUTTONS"],
        )?;
        match kind {
            "HEADER" => {
                one_of(
                    &component["format"],
                    "HEADER.format",
                    &["TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION"],
                )?;
            }
            "BODY" | "FOOTER" => {
                string(&component["text"], &format!("{kind}.text"))?;
            }
            _ => {
                for button in array(&component["buttons"], "BUTTONS.buttons")? {
                    one_of(
                        &button["type"],
                        "button.type",
                        &[
                            "QUICK_REPLY",
                            "URL",
                            "PHONE_NUMBER",
                            "OTP",
                            "FLOW",
                            "MPM",
                            "COPY_CODE",
                            "CATALOG",
                        ],
                    )?;
                    string(&button["text"], "button.text")?;
                }
            }
        }
    }
    Ok(())
}

/// `POST /{page-id}/messages` (§3.2): a recipient, and either a sender action or a message
/// under a `messaging_type`; `MESSAGE_TAG` needs a `tag`, nothing else may carry one.
fn messenger_send(fake: &Shared, body: &Value) -> Checked {
    let recipient = object(&body["recipient"], "recipient")?;
    let ids: Vec<&str> = ["id", "user_ref", "notification_messages_token"]
        .into_iter()
        .filter(|key| recipient.contains_key(*key))
        .collect();
    if ids.len() != 1 {
        return Err(
            "`recipient` needs exactly one of `id`, `user_ref`, `notification_messages_token`"
                .to_string()
                .into(),
        );
    }
    let psid = string(&recipient[ids[0]], &format!("recipient.{}", ids[0]))?;
    if let Some(action) = body.get("sender_action") {
        one_of(
            action,
            "sender_action",
            &["mark_seen", "typing_on", "typing_off"],
        )?;
        if body.get("message").is_some() {
            return Err("a sender action goes on its own, without a message"
                .to_string()
                .into());
        }
        return Ok(());
    }
    let messaging_type = one_of(
        &body["messaging_type"],
        "messaging_type",
        &["RESPONSE", "UPDATE", "MESSAGE_TAG"],
    )?;
    let tag = match (messaging_type, body.get("tag")) {
        ("MESSAGE_TAG", Some(tag)) => Some(one_of(
            tag,
            "tag",
            &[
                "HUMAN_AGENT",
                "ACCOUNT_UPDATE",
                "CONFIRMED_EVENT_UPDATE",
                "POST_PURCHASE_UPDATE",
            ],
        )?),
        ("MESSAGE_TAG", None) => {
            return Err("`messaging_type` MESSAGE_TAG needs a `tag`"
                .to_string()
                .into());
        }
        (other, Some(_)) => {
            return Err(format!("only MESSAGE_TAG carries a `tag`, not {other}").into());
        }
        (_, None) => None,
    };
    let message = object(&body["message"], "message")?;
    match (message.get("text"), message.get("attachment")) {
        (Some(text), None) => at_most(string(text, "message.text")?, "message.text", 2000)?,
        (None, Some(attachment)) => {
            one_of(
                &attachment["type"],
                "message.attachment.type",
                &["image", "audio", "video", "file", "template"],
            )?;
            let payload = object(&attachment["payload"], "message.attachment.payload")?;
            if let Some(url) = payload.get("url") {
                string(url, "message.attachment.payload.url")?;
            } else if let Some(id) = payload.get("attachment_id") {
                string(id, "message.attachment.payload.attachment_id")?;
            } else if attachment["type"] != "template" {
                return Err(
                    "an attachment's payload needs a `url` or an `attachment_id`"
                        .to_string()
                        .into(),
                );
            }
            if payload.get("is_reusable").is_some_and(|v| !v.is_boolean()) {
                return Err("`is_reusable` must be a boolean".to_string().into());
            }
        }
        _ => {
            return Err("`message` needs exactly one of `text` and `attachment`"
                .to_string()
                .into());
        }
    }
    if let Some(quick_replies) = message.get("quick_replies") {
        let quick_replies = array(quick_replies, "message.quick_replies")?;
        if !(1..=13).contains(&quick_replies.len()) {
            return Err(format!("1 to 13 quick replies, got {}", quick_replies.len()).into());
        }
        for reply in quick_replies {
            let kind = one_of(
                &reply["content_type"],
                "quick_reply.content_type",
                &["text", "user_phone_number", "user_email"],
            )?;
            if kind == "text" {
                at_most(
                    string(&reply["title"], "quick_reply.title")?,
                    "quick_reply.title",
                    20,
                )?;
                at_most(
                    string(&reply["payload"], "quick_reply.payload")?,
                    "quick_reply.payload",
                    1000,
                )?;
            }
        }
    }
    let limit_hours = match tag {
        None => Some(24),
        Some("HUMAN_AGENT") => Some(7 * 24),
        Some(_) => None,
    };
    if let (Some(limit), Some(silent)) = (limit_hours, silent_for(fake, psid))
        && silent > limit * HOUR_MS
    {
        return Err(Refusal {
            code: Some(10),
            reason: format!(
                "(#10) This message is sent outside of allowed window: {messaging_type}{} \
                 more than {limit} hours after the person last wrote",
                tag.map(|t| format!("/{t}")).unwrap_or_default()
            ),
        });
    }
    Ok(())
}

/// `POST /2010-04-01/Accounts/{sid}/Messages.json` (§2.4).
fn twilio_send(
    fake: &Shared,
    credentials: &Credentials,
    account_sid: &str,
    authorization: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Checked {
    let Some(auth_token) = credentials.twilio.get(account_sid) else {
        return Err(refusal(
            20404,
            format!(
                "no Twilio account {account_sid} was registered with the fake (FakeProvider::channel)"
            ),
        ));
    };
    let basic = authorization
        .strip_prefix("Basic ")
        .and_then(|encoded| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()
        })
        .and_then(|decoded| String::from_utf8(decoded).ok());
    match basic {
        None => {
            return Err(refusal(
                20003,
                "no HTTP Basic `Authorization` (AccountSid:AuthToken)",
            ));
        }
        Some(pair) if pair != format!("{account_sid}:{auth_token}") => {
            return Err(refusal(
                20003,
                "HTTP Basic credentials are not the account's SID and auth token",
            ));
        }
        Some(_) => {}
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(format!(
            "the body must be application/x-www-form-urlencoded, not {content_type:?}"
        )
        .into());
    }
    let form = Form::parse(body);
    let one = |name: &str| -> Result<Option<&str>, String> {
        match form.all(name).as_slice() {
            [] => Ok(None),
            [value] if !value.is_empty() => Ok(Some(*value)),
            [_] => Err(format!("`{name}` is empty")),
            _ => Err(format!("`{name}` is given more than once")),
        }
    };
    let to = one("To")?.ok_or_else(|| refusal(21604, "`To` is required"))?;
    let from = one("From")?;
    let service = one("MessagingServiceSid")?;
    match (from, service) {
        (Some(_), Some(_)) => {
            return Err("`From` and `MessagingServiceSid` exclude each other"
                .to_string()
                .into());
        }
        (None, None) => {
            return Err(refusal(
                21603,
                "`From` or `MessagingServiceSid` is required",
            ));
        }
        (None, Some(sid)) if !sid.starts_with("MG") => {
            return Err(format!("`MessagingServiceSid` must be an MG… SID, got {sid:?}").into());
        }
        _ => {}
    }
    let whatsapp = to.starts_with("whatsapp:");
    if let Some(from) = from {
        if from.starts_with("whatsapp:") != whatsapp {
            return Err(format!(
                "`From` {from:?} and `To` {to:?} must both be whatsapp: addresses or neither"
            )
            .into());
        }
        let number = from.strip_prefix("whatsapp:").unwrap_or(from);
        // An E.164 number, or an alphanumeric sender ID (SMS only, up to 11 characters).
        let sender_id = !whatsapp
            && (1..=11).contains(&number.len())
            && number
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b' ')
            && number.bytes().any(|b| b.is_ascii_alphabetic());
        if !number.starts_with('+') && !sender_id {
            return Err(
                format!("`From` must be an E.164 number or a sender ID, got {from:?}").into(),
            );
        }
    }
    let body_text = one("Body")?;
    let media = form.all("MediaUrl");
    let content_sid = one("ContentSid")?;
    if body_text.is_none() && media.is_empty() && content_sid.is_none() {
        return Err(refusal(
            21602,
            "one of `Body`, `MediaUrl` or `ContentSid` is required",
        ));
    }
    if let Some(text) = body_text {
        at_most(text, "Body", 1600)?;
    }
    if media.len() > 10 {
        return Err(format!("at most 10 `MediaUrl`, got {}", media.len()).into());
    }
    for url in &media {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(refusal(21620, format!("`MediaUrl` {url:?} is not a URL")));
        }
    }
    match (content_sid, one("ContentVariables")?) {
        (Some(sid), variables) => {
            if !sid.starts_with("HX") {
                return Err(format!("`ContentSid` must be an HX… SID, got {sid:?}").into());
            }
            if body_text.is_some() {
                return Err("a `ContentSid` send carries no `Body`".to_string().into());
            }
            if let Some(variables) = variables {
                let parsed: Option<serde_json::Map<String, Value>> =
                    serde_json::from_str(variables).ok();
                if !parsed.is_some_and(|map| map.values().all(Value::is_string)) {
                    return Err(refusal(
                        21656,
                        format!(
                            "`ContentVariables` must be a JSON object of strings, got {variables:?}"
                        ),
                    ));
                }
            }
        }
        (None, Some(_)) => {
            return Err("`ContentVariables` without a `ContentSid`"
                .to_string()
                .into());
        }
        (None, None) => {}
    }
    if let Some(callback) = one("StatusCallback")?
        && !(callback.starts_with("https://") || callback.starts_with("http://"))
    {
        return Err(format!("`StatusCallback` {callback:?} is not a URL").into());
    }
    if whatsapp
        && content_sid.is_none()
        && silent_for(fake, to).is_some_and(|silent| silent > 24 * HOUR_MS)
    {
        return Err(refusal(
            63016,
            "a free-form WhatsApp message more than 24 hours after the contact last wrote; \
             only a Content template may go then",
        ));
    }
    Ok(())
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
    let form = Form::parse(body);
    let field = |name: &str| {
        form.field(name)
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
fn upload_session(fake: &Shared, query: &str, count: usize) -> Response {
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
    fake: &Shared,
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
fn components_acceptable(fake: &Shared, components: &[Value]) -> bool {
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
fn templates(fake: &Shared, method: &Method, body: &[u8], count: usize) -> Response {
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

/// Twilio's REST error (§2.6), with HTTP 400.
fn twilio_error(code: u32, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({
            "code": code, "message": message,
            "more_info": format!("https://www.twilio.com/docs/errors/{code}"), "status": 400
        })),
    )
        .into_response()
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
