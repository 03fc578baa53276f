//! Translation through the real paths, against fake translation services that check each
//! API's request shape: an admin sets the service (the key is never returned), a volunteer
//! translates a contact's Spanish message (the service is asked once; the next reader gets the
//! kept translation), numbers never leave while they are masked, the detected language shows
//! in the list, a reply translated in the composer reaches the contact while the thread keeps
//! both texts, and failures are clear answers, not 500s.

use crate::common;

use std::sync::{Arc, Mutex};

use app::model::{InboxSettings, Role};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use common::conversations::{DANA, whatsapp_number};
use common::provider::FakeProvider;
use common::{Db, TestApp, now_secs, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

const SPANISH: &str =
    "Hola, necesito ayuda. Llámame al +34 612 345 678 o escribe a dana@example.org";

/// One request a fake translation service received.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    authorization: Option<String>,
    body: Value,
}

/// A translation service on loopback that keeps what it is sent and answers as `answer` says.
#[derive(Clone)]
struct FakeTranslator {
    seen: Arc<Mutex<Vec<Seen>>>,
    base: String,
}

type Answer = fn(&Value) -> (StatusCode, Value);

async fn receive(
    State((seen, answer)): State<(Arc<Mutex<Vec<Seen>>>, Answer)>,
    uri: Uri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> impl IntoResponse {
    seen.lock().unwrap().push(Seen {
        path: uri.path().to_owned(),
        authorization: headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
        body: body.clone(),
    });
    let (status, answer) = answer(&body);
    (status, Json(answer))
}

impl FakeTranslator {
    async fn start(answer: Answer) -> FakeTranslator {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new()
            .fallback(axum::routing::post(receive))
            .with_state((seen.clone(), answer));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeTranslator { seen, base }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// LibreTranslate as its documentation shows it: source `auto` gets `detectedLanguage`.
fn libretranslate(body: &Value) -> (StatusCode, Value) {
    (
        StatusCode::OK,
        json!({
            "translatedText": format!("EN: {}", body["q"].as_str().unwrap_or_default()),
            "detectedLanguage": { "confidence": 90.0, "language": "es" },
        }),
    )
}

/// An OpenAI-compatible chat endpoint whose model answers in a code fence, as small local
/// models do; a user message saying "garbage" gets prose instead of JSON.
fn chat_model(body: &Value) -> (StatusCode, Value) {
    let text = body["messages"][1]["content"].as_str().unwrap_or_default();
    let content = if text.contains("garbage") {
        "I am sorry, I cannot translate that.".to_owned()
    } else {
        let system = body["messages"][0]["content"].as_str().unwrap_or_default();
        let (language, prefix) = if system.contains("\"es\"") {
            ("en", "ES")
        } else {
            ("es", "EN")
        };
        format!(
            "```json\n{}\n```",
            json!({ "language": language, "translation": format!("{prefix}: {text}") })
        )
    };
    (
        StatusCode::OK,
        json!({
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "choices": [{ "index": 0, "message": { "role": "assistant", "content": content }, "finish_reason": "stop" }],
        }),
    )
}

/// No phone number or address of `SPANISH` (or of the reply) left Switchboard.
fn assert_nothing_personal(sent: &str) {
    for personal in ["612", "345 678", "dana@", "example.org", "555 000", "@"] {
        assert!(!sent.contains(personal), "{personal} was sent: {sent}");
    }
}

async fn set_service(app: &TestApp, admin: &str, settings: Value) -> Value {
    let (status, saved) = app
        .api(admin, Method::PUT, "/settings/translation", Some(settings))
        .await;
    assert_eq!(status, 200, "{saved}");
    saved
}

async fn translate(app: &TestApp, token: &str, message: i64) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/messages/{message}/translation")))
        .bearer_auth(token)
        .header("Accept-Language", "en-GB,en;q=0.9,es;q=0.5")
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The newest message of the conversation, as the thread shows it.
async fn last_message(app: &TestApp, token: &str, conversation: i64) -> Value {
    app.conversation_detail(token, conversation).await["messages"]
        .as_array()
        .unwrap()
        .last()
        .cloned()
        .unwrap()
}

async fn mask_numbers(app: &TestApp, admin_id: i64) {
    app.set_inbox_settings(
        admin_id,
        InboxSettings {
            mask_numbers_for_volunteers: true,
            ..InboxSettings::default()
        },
    )
    .await;
}

async fn libretranslate_keeps_translations_and_numbers(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    app.connect(fake.channel(whatsapp_number())).await;
    fake.contact_wrote(DANA, (now_secs() - 60) * 1000);
    app.whatsapp_text_from(DANA, "Dana", "wamid.es1", now_secs() - 60, SPANISH)
        .await;
    let conversation = app.conversation_with(DANA).await;
    let (admin, admin_id) = app.token("admin@example.org", Role::Admin).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    let (colleague, _) = app.token("val@example.org", Role::Volunteer).await;
    let (coordinator, _) = app.token("cora@example.org", Role::Coordinator).await;
    let message = last_message(&app, &volunteer, conversation).await["id"]
        .as_i64()
        .unwrap();

    // Off until an admin sets it; only admins do.
    let (status, off) = translate(&app, &volunteer, message).await;
    assert_eq!(
        (status, off["code"].as_str()),
        (409, Some("conflict")),
        "{off}"
    );
    let (status, _) = app
        .api(&admin, Method::GET, "/settings/translation", None)
        .await;
    assert_eq!(status, 200);
    for (method, body) in [
        (Method::GET, None),
        (Method::PUT, Some(json!({ "service": "off" }))),
    ] {
        let (status, _) = app
            .api(&coordinator, method, "/settings/translation", body)
            .await;
        assert_eq!(status, 403, "only admins see and set the service");
    }

    let lt = FakeTranslator::start(libretranslate).await;
    let saved = set_service(
        &app,
        &admin,
        json!({ "service": "libretranslate", "base_url": lt.base, "api_key": "lt-secret-key" }),
    )
    .await;
    assert_eq!(saved["service"], "libretranslate");
    assert_eq!(saved["api_key_saved"], true);
    let (_, shown) = app
        .api(&admin, Method::GET, "/settings/translation", None)
        .await;
    let stored_key: String = sqlx::query_scalar("SELECT api_key FROM translation_service")
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    assert!(
        stored_key.starts_with("sealed:"),
        "the key is sealed at rest"
    );
    let audited = app.services.store().recent_audit(10).await.unwrap();
    let audit_text = format!("{audited:?}");
    for seen in [shown.to_string(), saved.to_string(), audit_text] {
        assert!(
            !seen.contains("lt-secret-key"),
            "the key is never shown: {seen}"
        );
    }
    assert_eq!(
        app.audited("settings.translation", "settings").await,
        [Some(admin_id)]
    );
    // A link-local address (cloud metadata) is refused.
    let (status, refused) = app
        .api(
            &admin,
            Method::PUT,
            "/settings/translation",
            Some(json!({ "service": "libretranslate", "base_url": "http://169.254.169.254/" })),
        )
        .await;
    assert_eq!(status, 422, "{refused}");

    // While numbers are masked, numbers and addresses stay here.
    mask_numbers(&app, admin_id).await;
    let (status, _) = app
        .api(
            &volunteer,
            Method::POST,
            &format!("/conversations/{conversation}/assign"),
            Some(json!({ "take": true })),
        )
        .await;
    assert_eq!(status, 200);
    let (status, translation) = translate(&app, &volunteer, message).await;
    assert_eq!(status, 200, "{translation}");
    assert_eq!(translation["source_language"], "es");
    assert_eq!(translation["target_language"], "en");
    assert_eq!(
        translation["text"], "EN: Hola, necesito ayuda. Llámame al [PHONE 1] o escribe a [EMAIL 1]",
        "a volunteer who sees numbers masked sees the placeholders"
    );
    let seen = lt.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/translate");
    assert_eq!(
        seen[0].body,
        json!({
            "q": "Hola, necesito ayuda. Llámame al [PHONE 1] o escribe a [EMAIL 1]",
            "source": "auto",
            "target": "en",
            "format": "text",
            "api_key": "lt-secret-key",
        })
    );
    assert_nothing_personal(seen[0].body["q"].as_str().unwrap());

    // The next reader gets the kept translation, with the numbers they may see.
    let (status, again) = translate(&app, &coordinator, message).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(
        again["text"],
        "EN: Hola, necesito ayuda. Llámame al +34 612 345 678 o escribe a dana@example.org"
    );
    let by_server_fn = app
        .server_fn_with_token(
            &coordinator,
            "messages/translate",
            &[("message_id", &message.to_string())],
        )
        .await;
    assert_eq!(by_server_fn.status(), 200);
    assert_eq!(lt.seen().len(), 1, "the service was asked once");

    // The detected language is the conversation's, in the list.
    let (_, mine) = app
        .api(&volunteer, Method::GET, "/conversations?view=mine", None)
        .await;
    assert_eq!(mine["conversations"][0]["id"], conversation);
    assert_eq!(mine["conversations"][0]["language"], "es");

    // Only those who may see the conversation translate its messages.
    let (status, _) = translate(&app, &colleague, message).await;
    assert_eq!(
        status, 404,
        "a colleague's conversation is not theirs to read"
    );
    let anonymous = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/messages/{message}/translation")))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    // A service that cannot be reached is a clear 502.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    set_service(
        &app,
        &admin,
        json!({ "service": "libretranslate", "base_url": closed_base }),
    )
    .await;
    app.whatsapp_text_from(DANA, "Dana", "wamid.es2", now_secs() - 30, "¿Hay alguien?")
        .await;
    let second = last_message(&app, &volunteer, conversation).await["id"]
        .as_i64()
        .unwrap();
    let (status, down) = translate(&app, &volunteer, second).await;
    assert_eq!(status, 502, "{down}");
    assert_eq!(down["code"], "provider_unavailable");
    assert!(
        down["message"]
            .as_str()
            .unwrap()
            .starts_with("Translation failed: the translation service could not be reached."),
        "{down}"
    );

    // Translations go with the contact's erasure.
    let contact = app.conversation_detail(&admin, conversation).await["summary"]["contact_id"]
        .as_i64()
        .unwrap();
    let (status, erased) = app
        .api(
            &admin,
            Method::POST,
            &format!("/contacts/{contact}/erase"),
            Some(json!({ "confirm": "Dana" })),
        )
        .await;
    assert_eq!(status, 200, "{erased}");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM message_translations")
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

async fn a_reply_translated_in_the_composer_reaches_the_contact(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    app.connect(fake.channel(whatsapp_number())).await;
    fake.contact_wrote(DANA, (now_secs() - 60) * 1000);
    app.whatsapp_text_from(DANA, "Dana", "wamid.es1", now_secs() - 60, "Hola")
        .await;
    let conversation = app.conversation_with(DANA).await;
    let (admin, admin_id) = app.token("admin@example.org", Role::Admin).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    let message = last_message(&app, &volunteer, conversation).await["id"]
        .as_i64()
        .unwrap();
    mask_numbers(&app, admin_id).await;

    let chat = FakeTranslator::start(chat_model).await;
    let saved = set_service(
        &app,
        &admin,
        json!({
            "service": "openai_compatible",
            "base_url": format!("{}/v1", chat.base),
            "model": "llama3.1",
            "api_key": "sk-test-key",
        }),
    )
    .await;
    assert_eq!(
        (saved["model"].as_str(), saved["api_key_saved"].as_bool()),
        (Some("llama3.1"), Some(true))
    );

    // The contact's message tells the conversation its language.
    let (status, translated) = translate(&app, &volunteer, message).await;
    assert_eq!(status, 200, "{translated}");
    assert_eq!(translated["text"], "EN: Hola");
    let seen = chat.seen();
    assert_eq!(seen[0].path, "/v1/chat/completions");
    assert_eq!(seen[0].authorization.as_deref(), Some("Bearer sk-test-key"));
    let body = &seen[0].body;
    assert_eq!(body["model"], "llama3.1");
    assert_eq!(body["temperature"], 0);
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(
        body["messages"][1],
        json!({ "role": "user", "content": "Hola" })
    );
    let mut fields: Vec<&String> = body.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(fields, ["messages", "model", "temperature"]);
    let detail = app.conversation_detail(&volunteer, conversation).await;
    assert_eq!(detail["summary"]["language"], "es");
    assert_eq!(detail["translation_enabled"], true);

    // The composer translates into the contact's language; the numbers stay here and come
    // back in the translation.
    let draft = "Call us at +1 555 000 1234 any time.";
    let (status, draft_translation) = app
        .api(
            &volunteer,
            Method::POST,
            &format!("/conversations/{conversation}/translation"),
            Some(json!({ "text": draft })),
        )
        .await;
    assert_eq!(status, 200, "{draft_translation}");
    assert_eq!(draft_translation["target_language"], "es");
    assert_eq!(
        draft_translation["text"],
        "ES: Call us at +1 555 000 1234 any time."
    );
    let sent_to_model = chat.seen()[1].body["messages"][1]["content"].clone();
    assert_eq!(sent_to_model, "Call us at [PHONE 1] any time.");
    assert_nothing_personal(sent_to_model.as_str().unwrap());

    // Sent: the contact receives the translation, the thread keeps both.
    let (status, queued) = app
        .api(
            &volunteer,
            Method::POST,
            &format!("/conversations/{conversation}/messages"),
            Some(json!({
                "body": draft_translation["text"],
                "translation": { "language": "es", "original_text": draft },
            })),
        )
        .await;
    assert_eq!(status, 202, "{queued}");
    assert!(app.services.deliver_next("w").await.unwrap());
    let sent = fake
        .received()
        .into_iter()
        .rfind(|request| request.path.ends_with("/messages"))
        .unwrap()
        .json();
    assert_eq!(
        sent["text"]["body"],
        "ES: Call us at +1 555 000 1234 any time."
    );
    let reply = last_message(&app, &volunteer, conversation).await;
    assert_eq!(reply["body"], "ES: Call us at +1 555 000 1234 any time.");
    assert_eq!(reply["translated_to"], "es");
    assert_eq!(reply["original_text"], draft);

    // The page, as the server renders it: the list's language badge, the Translate button,
    // the reply with its text as written, the composer's translator.
    let (browser, _) = app.signed_in("vera@example.org", Role::Volunteer).await;
    let page = app
        .page(
            &browser,
            &format!("/conversations/{conversation}?view=unassigned"),
        )
        .await;
    for shown in [
        "Language: Spanish",
        ">Translate</button>",
        "Sent in Spanish; the text as written:",
        "Translate to Spanish",
    ] {
        assert!(page.contains(shown), "the thread page shows {shown}");
    }
    let (admin_browser, _) = app.signed_in("adam@example.org", Role::Admin).await;
    let settings = app.page(&admin_browser, "/settings").await;
    assert!(
        settings.contains("A key is saved."),
        "the settings card says a key is saved"
    );
    assert!(!settings.contains("sk-test-key"));

    // A model that does not answer with a translation is refused, clearly.
    let (status, refused) = app
        .api(
            &volunteer,
            Method::POST,
            &format!("/conversations/{conversation}/translation"),
            Some(json!({ "text": "garbage please", "language": "fr" })),
        )
        .await;
    assert_eq!(status, 502, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("not a translation (the model did not answer in JSON)"),
        "{refused}"
    );

    // The key can be removed; turning translation off turns the buttons off.
    let saved = set_service(
        &app,
        &admin,
        json!({
            "service": "openai_compatible",
            "base_url": chat.base,
            "model": "llama3.1",
            "remove_api_key": true,
        }),
    )
    .await;
    assert_eq!(saved["api_key_saved"], false);
    set_service(&app, &admin, json!({ "service": "off" })).await;
    let detail = app.conversation_detail(&volunteer, conversation).await;
    assert_eq!(detail["translation_enabled"], false);
}

on_both_databases!(
    libretranslate_keeps_translations_and_numbers,
    a_reply_translated_in_the_composer_reaches_the_contact,
);
