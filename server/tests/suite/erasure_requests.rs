//! Erasure requests by message: the keyword alone in a message makes a request and is
//! acknowledged; an admin confirms it (the contact is told once, then erased) or declines it
//! with a reason the contact is told. Answers are checked in the providers' wire format at the
//! fake providers.

use crate::common;

use app::model::Role;
use common::conversations::DANA;
use common::provider::{FakeProvider, Received};
use common::{Db, TestApp, now_secs, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

const RECEIVED: &str =
    "We have received your request to delete your data. A member of our team will confirm it.";
const DELETED: &str = "Your data has been deleted.";

/// The WhatsApp text messages the fake took, as (to, body).
fn whatsapp_texts(fake: &FakeProvider) -> Vec<(String, String)> {
    fake.received()
        .iter()
        .filter(|received| received.path == "/v23.0/1000/messages")
        .map(Received::json)
        .map(|sent| {
            assert_eq!(sent["messaging_product"], "whatsapp");
            assert_eq!(sent["recipient_type"], "individual");
            assert_eq!(sent["type"], "text");
            assert_eq!(sent["text"]["preview_url"], false);
            (
                sent["to"].as_str().unwrap().to_owned(),
                sent["text"]["body"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Dana writes `text` on WhatsApp now (the fake is told, for its 24-hour rules).
async fn dana_says(app: &TestApp, fake: &FakeProvider, message_id: &str, text: &str) {
    let now = now_secs();
    fake.contact_wrote(DANA, now * 1000);
    app.whatsapp_text_from(DANA, "Dana", message_id, now, text)
        .await;
}

async fn requests(app: &TestApp, admin: &str) -> Value {
    let (status, listed) = app.api(admin, Method::GET, "/erasure-requests", None).await;
    assert_eq!(status, 200, "{listed}");
    listed
}

/// Sends every queued reply; returns how many there were.
async fn deliver_all(app: &TestApp) -> usize {
    let mut sent = 0;
    while app.services.deliver_next("worker").await.unwrap() {
        sent += 1;
    }
    sent
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.sql().await)
        .await
        .unwrap()
}

async fn the_keyword_alone_makes_one_request_and_is_acknowledged(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let (admin, _) = app.token("ada@example.org", Role::Admin).await;
    let (volunteer, _) = app.token("vic@example.org", Role::Volunteer).await;
    let conversation = app.whatsapp_conversation(&fake, now_secs() - 60).await;

    dana_says(&app, &fake, "wamid.in2", "please delete my data").await;
    assert_eq!(
        requests(&app, &admin).await,
        json!([]),
        "not the whole message"
    );

    dana_says(&app, &fake, "wamid.in3", "  Delete my data\n").await;
    let listed = requests(&app, &admin).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    let request = &listed[0];
    assert_eq!(request["contact_name"], "Dana");
    assert_eq!(request["conversation_id"], conversation);
    assert_eq!(request["status"], "pending");
    assert_eq!(request["decided_by_id"], Value::Null);
    assert_eq!(request["reason"], Value::Null);

    assert_eq!(deliver_all(&app).await, 1);
    assert_eq!(
        whatsapp_texts(&fake),
        [("15551234567".to_owned(), RECEIVED.to_owned())]
    );

    // The same delivery again, and the keyword again while the request is pending: nothing new.
    dana_says(&app, &fake, "wamid.in3", "  Delete my data\n").await;
    dana_says(&app, &fake, "wamid.in4", "DELETE MY DATA").await;
    assert_eq!(requests(&app, &admin).await.as_array().unwrap().len(), 1);
    assert_eq!(deliver_all(&app).await, 0, "acknowledged once");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'erasure_request.received'"
        )
        .await,
        1
    );

    // The Settings page lists it for admins, with the keyword and volunteers' access cards.
    let (browser, _) = app.signed_in("root@example.org", Role::Admin).await;
    let settings = app.page(&browser, "/settings").await;
    for shown in [
        r#"id="erasure-keyword""#,
        r#"value="DELETE MY DATA""#,
        r#"id="volunteer-access-days""#,
        r#"data-status="pending""#,
        "<strong>Dana</strong>",
        "Confirm and erase",
    ] {
        assert!(settings.contains(shown), "{shown} in {settings}");
    }

    let (status, _) = app
        .api(&volunteer, Method::GET, "/erasure-requests", None)
        .await;
    assert_eq!(status, 403, "admins handle data requests");
    let id = request["id"].as_i64().unwrap();
    let (status, _) = app
        .api(
            &volunteer,
            Method::POST,
            &format!("/erasure-requests/{id}/confirm"),
            None,
        )
        .await;
    assert_eq!(status, 403);
}

async fn confirming_tells_the_contact_once_then_erases(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let (admin, admin_id) = app.token("ada@example.org", Role::Admin).await;
    app.whatsapp_conversation(&fake, now_secs() - 60).await;
    dana_says(&app, &fake, "wamid.in2", "DELETE MY DATA").await;
    let id = requests(&app, &admin).await[0]["id"].as_i64().unwrap();
    let contact_id = requests(&app, &admin).await[0]["contact_id"]
        .as_i64()
        .unwrap();
    // The acknowledgement is still queued when the admin confirms: erasure removes it with
    // the conversation, and only the confirmation goes out.

    // The provider fails once: nothing is erased and the request stays pending.
    fake.then_answer(
        503,
        vec![],
        json!({ "error": { "message": "Service temporarily unavailable", "code": 2 } }),
    );
    let path = format!("/erasure-requests/{id}/confirm");
    let (status, answer) = app.api(&admin, Method::POST, &path, None).await;
    assert_eq!(status, 502, "{answer}");
    assert_eq!(answer["code"], "provider_unavailable");
    assert_eq!(requests(&app, &admin).await[0]["status"], "pending");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM conversations").await,
        1,
        "nothing erased"
    );

    let (status, decision) = app.api(&admin, Method::POST, &path, None).await;
    assert_eq!(status, 200, "{decision}");
    assert_eq!(decision["answered"], true);
    assert_eq!(decision["request"]["status"], "confirmed");
    assert_eq!(decision["request"]["decided_by_id"], admin_id);
    assert_eq!(decision["request"]["contact_name"], "", "erased");
    assert_eq!(decision["erasure"]["conversations"], 1);
    assert_eq!(
        whatsapp_texts(&fake),
        [
            ("15551234567".to_owned(), DELETED.to_owned()),
            ("15551234567".to_owned(), DELETED.to_owned())
        ],
        "the failed try and the one the provider took"
    );
    assert_eq!(
        deliver_all(&app).await,
        0,
        "nothing left to send: the answer went out once, and the queued acknowledgement \
         went with the conversation"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM conversations").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbound_jobs").await, 0);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM contacts WHERE erased_at IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        app.audited(
            "erasure_request.confirmed",
            &format!("contact:{contact_id}")
        )
        .await,
        [Some(admin_id)]
    );
    assert_eq!(
        app.audited("contact.erased", &format!("contact:{contact_id}"))
            .await,
        [Some(admin_id)]
    );

    let (status, _) = app.api(&admin, Method::POST, &path, None).await;
    assert_eq!(status, 409, "decided already");
    let (status, _) = app
        .api(
            &admin,
            Method::POST,
            "/erasure-requests/999999/confirm",
            None,
        )
        .await;
    assert_eq!(status, 404);
}

async fn declining_tells_the_contact_why(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let (admin, admin_id) = app.token("ada@example.org", Role::Admin).await;
    let (status, saved) = app
        .api(
            &admin,
            Method::PUT,
            "/settings/erasure-keyword",
            Some(json!({ "keyword": "  ERASE ME " })),
        )
        .await;
    assert_eq!((status, saved), (200, json!({ "keyword": "ERASE ME" })));
    let (status, _) = app
        .api(
            &admin,
            Method::PUT,
            "/settings/erasure-keyword",
            Some(json!({ "keyword": " " })),
        )
        .await;
    assert_eq!(status, 422);
    let (status, kept) = app
        .api(&admin, Method::GET, "/settings/erasure-keyword", None)
        .await;
    assert_eq!((status, kept), (200, json!({ "keyword": "ERASE ME" })));

    let conversation = app.sms_conversation(&fake).await;
    app.twilio_text_from(
        "+15552223333",
        "SM00000000000000000000000000000002",
        "erase me",
        false,
    )
    .await;
    assert_eq!(deliver_all(&app).await, 1);
    let id = requests(&app, &admin).await[0]["id"].as_i64().unwrap();
    let path = format!("/erasure-requests/{id}/decline");

    let (status, _) = app
        .api(&admin, Method::POST, &path, Some(json!({ "reason": "  " })))
        .await;
    assert_eq!(status, 422, "a reason is needed");
    let reason = "We must keep the records of an open case.";
    let (status, decision) = app
        .api(
            &admin,
            Method::POST,
            &path,
            Some(json!({ "reason": reason })),
        )
        .await;
    assert_eq!(status, 200, "{decision}");
    assert_eq!(decision["answered"], true);
    assert_eq!(decision["erasure"], Value::Null);
    assert_eq!(decision["request"]["status"], "declined");
    assert_eq!(decision["request"]["reason"], reason);
    assert_eq!(decision["request"]["conversation_id"], conversation);
    assert_eq!(deliver_all(&app).await, 1);

    let sent: Vec<_> = fake
        .received()
        .iter()
        .filter(|received| received.path.ends_with("/Messages.json"))
        .map(Received::form)
        .collect();
    assert_eq!(sent.len(), 2);
    for form in &sent {
        assert_eq!(form.field("To"), Some("+15552223333"));
        assert_eq!(form.field("From"), Some("+15550001111"));
    }
    assert_eq!(sent[0].field("Body"), Some(RECEIVED));
    assert_eq!(
        sent[1].field("Body"),
        Some(
            "We have not deleted your data, for this reason: We must keep the records of an \
             open case. You may complain to a data protection authority."
        )
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM conversations").await,
        1,
        "kept"
    );
    let contact: i64 = count(&app, "SELECT MIN(contact_id) FROM conversations").await;
    assert_eq!(
        app.audited("erasure_request.declined", &format!("contact:{contact}"))
            .await,
        [Some(admin_id)]
    );
    let (status, _) = app
        .api(
            &admin,
            Method::POST,
            &path,
            Some(json!({ "reason": reason })),
        )
        .await;
    assert_eq!(status, 409);
}

on_both_databases!(
    the_keyword_alone_makes_one_request_and_is_acknowledged,
    confirming_tells_the_contact_once_then_erases,
    declining_tells_the_contact_why,
);
