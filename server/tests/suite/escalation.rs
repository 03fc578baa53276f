//! Escalation: a message holding a risk word (whole words, ignoring case and accents) makes its
//! conversation urgent on every channel, audited with the word and never the text; urgent
//! conversations come first in every list and page; coordinators and admins are alerted live;
//! a coordinator clears the flag only with a reason, or flags by hand; volunteers may do
//! neither; admins keep the list, which is checked when saved — on SQLite and PostgreSQL.

use crate::common;

use app::model::Role;
use common::live::{open_stream, wait_for_event};
use common::{Db, TestApp, now_secs, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

const MESSENGER_SECRET: &str = "escalation-page-secret";
const PAGE_ID: &str = "3000";

/// An admin saves the risk words through the API.
async fn risk_words_are(app: &TestApp, words: &[&str]) {
    let (admin, _) = app.token("root@example.org", Role::Admin).await;
    let (status, saved) = app
        .api(
            &admin,
            Method::PUT,
            "/settings/risk-words",
            Some(json!({ "words": words })),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved, json!({ "words": words }));
}

/// The audit entries of `action` on the conversation: who, and the detail.
async fn audit_of(app: &TestApp, action: &str, conversation: i64) -> Vec<(Option<i64>, Value)> {
    app.services
        .store()
        .recent_audit(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|entry| {
            entry.action == action && entry.subject == format!("conversation:{conversation}")
        })
        .map(|entry| (entry.actor_id, serde_json::from_str(&entry.detail).unwrap()))
        .collect()
}

/// The id of the newest message of a conversation.
async fn last_message(app: &TestApp, conversation: i64) -> i64 {
    sqlx::query_scalar("SELECT MAX(id) FROM messages WHERE conversation_id = $1")
        .bind(conversation)
        .fetch_one(&app.sql().await)
        .await
        .unwrap()
}

/// The urgent fields of a conversation's summary.
fn urgency(summary: &Value) -> Value {
    json!({
        "urgent": summary["urgent"],
        "urgent_word": summary["urgent_word"],
        "urgent_flagged_by": summary["urgent_flagged_by"],
    })
}

fn flagged_by_word(word: &str) -> Value {
    json!({ "urgent": true, "urgent_word": word, "urgent_flagged_by": null })
}

fn not_urgent() -> Value {
    json!({ "urgent": false, "urgent_word": null, "urgent_flagged_by": null })
}

/// The ids of a list page, in order.
async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<i64> {
    let (status, page) = app
        .api(token, Method::GET, &format!("/conversations?{query}"), None)
        .await;
    assert_eq!(status, 200, "{page}");
    page["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["id"].as_i64().unwrap())
        .collect()
}

/// The thread's event sentences.
fn told(detail: &Value) -> Vec<String> {
    detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["text"].as_str().unwrap().to_owned())
        .collect()
}

async fn set_urgent(app: &TestApp, token: &str, conversation: i64, body: Value) -> (u16, Value) {
    app.api(
        token,
        Method::POST,
        &format!("/conversations/{conversation}/urgent"),
        Some(body),
    )
    .await
}

async fn a_risk_word_flags_its_conversation_on_every_channel(db: Db) {
    let app = spawn_app(db).await;
    risk_words_are(&app, &["suicide", "Suicídio", "kill myself"]).await;
    app.whatsapp_channel().await;
    app.connect(common::conversations::twilio_number()).await;
    app.connect(common::messenger(PAGE_ID, MESSENGER_SECRET))
        .await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;

    app.whatsapp_text_from(
        "+15550000001",
        "Wanda",
        "wamid.r1",
        now_secs(),
        "I keep thinking about SUICIDE, every day",
    )
    .await;
    let whatsapp = app.conversation_with("+15550000001").await;
    let sms = app
        .twilio_text_from(
            "+15550000002",
            "SM00000000000000000000000000000002",
            "penso em suicidio",
            false,
        )
        .await;
    let messenger = channels::simulate::messenger_text(
        MESSENGER_SECRET,
        PAGE_ID,
        "psid-1",
        "m_r1",
        now_secs() * 1000,
        "I want to kill\n   myself",
    );
    let response = app.post_signed("/webhooks/messenger", messenger).await;
    assert_eq!(response.status(), 200);
    let messenger = app.conversation_with("psid-1").await;
    // Words inside other words do not match.
    app.whatsapp_text_from(
        "+15550000003",
        "Sam",
        "wamid.r2",
        now_secs(),
        "a new skill: suicides of cells",
    )
    .await;
    let calm = app.conversation_with("+15550000003").await;

    for (conversation, word) in [
        (whatsapp, "suicide"),
        (sms, "Suicídio"),
        (messenger, "kill myself"),
    ] {
        let detail = app.conversation_detail(&cora, conversation).await;
        assert_eq!(urgency(&detail["summary"]), flagged_by_word(word), "{word}");
        assert_eq!(
            told(&detail),
            vec![format!(
                "Marked urgent: a message holds the risk word \u{201c}{word}\u{201d}"
            )]
        );
        assert_eq!(
            audit_of(&app, "conversation.flagged_urgent", conversation).await,
            vec![(
                None,
                json!({ "word": word, "message_id": last_message(&app, conversation).await })
            )],
            "the audit names the word and the message, never its text"
        );
    }
    let detail = app.conversation_detail(&cora, calm).await;
    assert_eq!(urgency(&detail["summary"]), not_urgent());
    assert_eq!(told(&detail), Vec::<String>::new());
    assert_eq!(
        audit_of(&app, "conversation.flagged_urgent", calm).await,
        vec![]
    );

    // Another risky message in a conversation already urgent changes nothing more.
    app.whatsapp_text_from(
        "+15550000001",
        "Wanda",
        "wamid.r3",
        now_secs(),
        "kill myself",
    )
    .await;
    let detail = app.conversation_detail(&cora, whatsapp).await;
    assert_eq!(urgency(&detail["summary"]), flagged_by_word("suicide"));
    assert_eq!(
        audit_of(&app, "conversation.flagged_urgent", whatsapp)
            .await
            .len(),
        1
    );
    // The list carries the flag too.
    let (_, page) = app
        .api(&cora, Method::GET, "/conversations?view=all", None)
        .await;
    let rows = page["conversations"].as_array().unwrap();
    let row = |id: i64| rows.iter().find(|row| row["id"] == id).unwrap().clone();
    assert_eq!(urgency(&row(sms)), flagged_by_word("Suicídio"));
    assert_eq!(urgency(&row(calm)), not_urgent());
}

async fn without_risk_words_nothing_is_flagged(db: Db) {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    app.whatsapp_text_from("+15550000001", "Wanda", "wamid.n1", now_secs(), "suicide")
        .await;
    let conversation = app.conversation_with("+15550000001").await;
    let detail = app.conversation_detail(&cora, conversation).await;
    assert_eq!(urgency(&detail["summary"]), not_urgent());
}

async fn urgent_conversations_come_first_in_every_view(db: Db) {
    let app = spawn_app(db).await;
    risk_words_are(&app, &["overdose"]).await;
    app.whatsapp_channel().await;
    let (cora, cora_id) = app.token("cora@example.org", Role::Coordinator).await;
    let (browser, _) = app
        .signed_in("coordinator@example.org", Role::Coordinator)
        .await;
    let start = now_secs() - 600;
    // Waiting longest first: first, then second, then third.
    for (n, text) in ["hello", "are you there?", "I took an overdose"]
        .into_iter()
        .enumerate()
    {
        app.whatsapp_text_from(
            &format!("+1555000000{n}"),
            &format!("Contact {n}"),
            &format!("wamid.o{n}"),
            start + 60 * n as i64,
            text,
        )
        .await;
    }
    let first = app.conversation_with("+15550000000").await;
    let second = app.conversation_with("+15550000001").await;
    let urgent = app.conversation_with("+15550000002").await;

    let in_order = vec![urgent, first, second];
    assert_eq!(listed(&app, &cora, "view=all").await, in_order);
    assert_eq!(listed(&app, &cora, "view=unassigned").await, in_order);

    // The page the server renders lists it first, marked in words.
    let page = app.page(&browser, "/?view=all").await;
    let position = |id: i64| {
        page.find(&format!("data-conversation-id=\"{id}\""))
            .unwrap_or_else(|| panic!("conversation {id} is listed"))
    };
    assert!(position(urgent) < position(first) && position(first) < position(second));
    let row_start = position(urgent);
    let row = &page[row_start..row_start + page[row_start..].find("</a>").unwrap()];
    assert!(row.contains(">Urgent<"), "the row says Urgent: {row}");
    assert!(row.contains("risk word “overdose”"), "and why: {row}");
    let row_start = position(first);
    let row = &page[row_start..row_start + page[row_start..].find("</a>").unwrap()];
    assert!(!row.contains("Urgent"), "{row}");

    // Mine, and a page boundary: the urgent one leads and the next page goes on after it.
    for conversation in [first, second, urgent] {
        let (status, _) = app
            .api(
                &cora,
                Method::POST,
                &format!("/conversations/{conversation}/assign"),
                Some(json!({ "assignee_id": cora_id })),
            )
            .await;
        assert_eq!(status, 200);
    }
    assert_eq!(listed(&app, &cora, "view=mine").await, in_order);
    let (_, page) = app
        .api(&cora, Method::GET, "/conversations?view=mine", None)
        .await;
    assert_eq!(page["next"], Value::Null);

    // Cleared, it goes back to its place in the queue.
    let (status, _) = set_urgent(
        &app,
        &cora,
        urgent,
        json!({ "urgent": false, "reason": "Ambulance called" }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        listed(&app, &cora, "view=all").await,
        vec![first, second, urgent]
    );
}

async fn clearing_needs_a_reason_and_is_audited(db: Db) {
    let app = spawn_app(db).await;
    risk_words_are(&app, &["hurt myself"]).await;
    app.whatsapp_channel().await;
    let (cora, cora_id) = app.token("cora@example.org", Role::Coordinator).await;
    app.whatsapp_text_from(
        "+15550000001",
        "Wanda",
        "wamid.c1",
        now_secs(),
        "I might hurt myself",
    )
    .await;
    let conversation = app.conversation_with("+15550000001").await;

    for body in [
        json!({ "urgent": false }),
        json!({ "urgent": false, "reason": null }),
        json!({ "urgent": false, "reason": "   " }),
    ] {
        let (status, answer) = set_urgent(&app, &cora, conversation, body.clone()).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(
            answer["message"],
            "Say why the conversation is no longer urgent."
        );
    }
    let (status, answer) = set_urgent(
        &app,
        &cora,
        conversation,
        json!({ "urgent": false, "reason": "x".repeat(501) }),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        answer["message"],
        "Give a reason of at most 500 characters."
    );
    let detail = app.conversation_detail(&cora, conversation).await;
    assert_eq!(urgency(&detail["summary"]), flagged_by_word("hurt myself"));
    assert_eq!(
        audit_of(&app, "conversation.urgent_cleared", conversation).await,
        vec![]
    );

    let (status, detail) = set_urgent(
        &app,
        &cora,
        conversation,
        json!({ "urgent": false, "reason": "  Spoke with her; she is safe  " }),
    )
    .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(urgency(&detail["summary"]), not_urgent());
    assert_eq!(
        told(&detail)[1],
        "cora cleared the urgent flag: Spoke with her; she is safe"
    );
    assert_eq!(
        audit_of(&app, "conversation.urgent_cleared", conversation).await,
        vec![(
            Some(cora_id),
            json!({ "reason": "Spoke with her; she is safe" })
        )]
    );
    // Clearing again changes nothing.
    let (status, _) = set_urgent(
        &app,
        &cora,
        conversation,
        json!({ "urgent": false, "reason": "again" }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        audit_of(&app, "conversation.urgent_cleared", conversation)
            .await
            .len(),
        1
    );

    // A coordinator flags it by hand, with no reason needed.
    let (status, detail) = set_urgent(&app, &cora, conversation, json!({ "urgent": true })).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(
        urgency(&detail["summary"]),
        json!({ "urgent": true, "urgent_word": null, "urgent_flagged_by": "cora" })
    );
    assert_eq!(told(&detail)[2], "cora marked this urgent");
    assert_eq!(
        audit_of(&app, "conversation.flagged_urgent", conversation)
            .await
            .first()
            .cloned(),
        Some((Some(cora_id), json!({ "reason": null })))
    );

    // A conversation that does not exist.
    let (status, _) = set_urgent(
        &app,
        &cora,
        conversation + 1000,
        json!({ "urgent": false, "reason": "gone" }),
    )
    .await;
    assert_eq!(status, 404);
}

async fn volunteers_may_neither_flag_nor_clear_nor_read_the_words(db: Db) {
    let app = spawn_app(db).await;
    risk_words_are(&app, &["hopeless"]).await;
    app.whatsapp_channel().await;
    let (vic, _) = app.token("vic@example.org", Role::Volunteer).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    app.whatsapp_text_from(
        "+15550000001",
        "Wanda",
        "wamid.v1",
        now_secs(),
        "I feel hopeless",
    )
    .await;
    let conversation = app.conversation_with("+15550000001").await;

    for body in [
        json!({ "urgent": false, "reason": "fine" }),
        json!({ "urgent": true }),
    ] {
        let (status, _) = set_urgent(&app, &vic, conversation, body).await;
        assert_eq!(status, 403);
    }
    // The volunteer still sees that it is urgent.
    let detail = app.conversation_detail(&vic, conversation).await;
    assert_eq!(urgency(&detail["summary"]), flagged_by_word("hopeless"));

    let (status, _) = app
        .api(&vic, Method::GET, "/settings/risk-words", None)
        .await;
    assert_eq!(status, 403);
    let (status, words) = app
        .api(&cora, Method::GET, "/settings/risk-words", None)
        .await;
    assert_eq!((status, words), (200, json!({ "words": ["hopeless"] })));
    for token in [&vic, &cora] {
        let (status, _) = app
            .api(
                token,
                Method::PUT,
                "/settings/risk-words",
                Some(json!({ "words": [] })),
            )
            .await;
        assert_eq!(status, 403);
    }
}

async fn the_risk_words_are_checked_when_saved(db: Db) {
    let app = spawn_app(db).await;
    let (admin, admin_id) = app.token("admin@example.org", Role::Admin).await;
    let put = |body: Value| {
        let (app, admin) = (&app, &admin);
        async move {
            app.api(admin, Method::PUT, "/settings/risk-words", Some(body))
                .await
        }
    };
    let (status, words) = app
        .api(&admin, Method::GET, "/settings/risk-words", None)
        .await;
    assert_eq!((status, words), (200, json!({ "words": [] })));

    let (status, saved) = put(json!({
        "words": ["  suicide ", "", "SUICIDE", "kill \t myself", "Kill myself", "Suicídio", "suicidio"]
    }))
    .await;
    assert_eq!(
        (status, saved),
        (
            200,
            json!({ "words": ["suicide", "kill myself", "Suicídio"] })
        )
    );
    let (_, words) = app
        .api(&admin, Method::GET, "/settings/risk-words", None)
        .await;
    assert_eq!(
        words,
        json!({ "words": ["suicide", "kill myself", "Suicídio"] })
    );
    assert_eq!(
        app.audited("settings.risk_words", "settings").await,
        vec![Some(admin_id)]
    );

    let too_many: Vec<String> = (0..501).map(|n| format!("word{n}")).collect();
    for (body, message) in [
        (
            json!({ "words": too_many }),
            "List at most 500 risk words or phrases (this list has 501).",
        ),
        (
            json!({ "words": ["a".repeat(101)] }),
            "A risk word or phrase has at most 100 characters: “aaaaaaaaaaaaaaaaaaaa…” is longer.",
        ),
        (
            json!({ "words": ["?!"] }),
            "“?!” has no letters or digits to match.",
        ),
    ] {
        let (status, answer) = put(body).await;
        assert_eq!((status, answer["message"].as_str()), (422, Some(message)));
    }
    for body in [
        json!({ "words": "suicide" }),
        json!({}),
        json!({ "words": [1] }),
    ] {
        let (status, answer) = put(body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
    }
    // Nothing refused was kept.
    let (_, words) = app
        .api(&admin, Method::GET, "/settings/risk-words", None)
        .await;
    assert_eq!(
        words,
        json!({ "words": ["suicide", "kill myself", "Suicídio"] })
    );
}

async fn coordinators_and_admins_are_alerted_live(db: Db) {
    let app = spawn_app(db).await;
    risk_words_are(&app, &["suicide"]).await;
    app.connect(common::conversations::twilio_number()).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    let (vic, _) = app.token("vic@example.org", Role::Volunteer).await;
    let mut coras_browser = open_stream(&app.base, &cora).await;
    let mut vics_browser = open_stream(&app.base, &vic).await;

    let conversation = app
        .twilio_text_from(
            "+15550000009",
            "SM00000000000000000000000000000009",
            "Suicide is on my mind",
            false,
        )
        .await;
    let alert = wait_for_event(&mut coras_browser, |event| event["type"] == "urgent").await;
    assert_eq!(
        alert,
        json!({ "type": "urgent", "conversation_id": conversation, "word": "suicide" })
    );
    // A volunteer who may see it is told it changed, without the alert.
    let told = wait_for_event(&mut vics_browser, |event| {
        event["type"] == "urgent" || event["type"] == "conversation"
    })
    .await;
    assert_eq!(told, json!({ "type": "conversation", "id": conversation }));
}

on_both_databases!(
    a_risk_word_flags_its_conversation_on_every_channel,
    without_risk_words_nothing_is_flagged,
    urgent_conversations_come_first_in_every_view,
    clearing_needs_a_reason_and_is_audited,
    volunteers_may_neither_flag_nor_clear_nor_read_the_words,
    the_risk_words_are_checked_when_saved,
    coordinators_and_admins_are_alerted_live,
);
