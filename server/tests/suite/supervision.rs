//! Supervision: a trainee's replies are held until a coordinator approves them (sent once, with
//! the edited text) or rejects them (never sent, the note shown in the thread); the board shows
//! who is online, what they have open and how long its contact has waited; coordinators join
//! and take over conversations.

use crate::common;

use app::model::Role;
use common::live::{open_stream, wait_for_event};
use common::provider::FakeProvider;
use common::{Db, TestApp, now_secs, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

const READING_ALONG: &str =
    "You joined this conversation to read along: write a note, or take it over to reply.";

/// When Dana wrote, in seconds before the test starts.
const DANA_WAITED_SECS: i64 = 600;

/// Tina, a trainee volunteer who has taken Dana's WhatsApp conversation; Cora, a coordinator;
/// Vic, a volunteer.
struct Supervised {
    app: TestApp,
    fake: FakeProvider,
    conversation: i64,
    /// When Dana wrote, epoch seconds.
    dana_wrote_at: i64,
    tina: String,
    tina_id: i64,
    cora: String,
    cora_id: i64,
    vic: String,
}

async fn supervised(db: Db) -> Supervised {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let dana_wrote_at = now_secs() - DANA_WAITED_SECS;
    let conversation = app.whatsapp_conversation(&fake, dana_wrote_at).await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let (tina, tina_id) = app.token("tina@example.org", Role::Volunteer).await;
    let (cora, cora_id) = app.token("cora@example.org", Role::Coordinator).await;
    let (vic, _) = app.token("vic@example.org", Role::Volunteer).await;

    let (status, person) = app
        .api(
            &admin,
            Method::PATCH,
            &format!("/users/{tina_id}"),
            Some(json!({ "trainee": true })),
        )
        .await;
    assert_eq!(status, 200, "{person}");
    assert_eq!(person["trainee"], true);
    let (_, people) = app.api(&admin, Method::GET, "/users", None).await;
    let trainees: Vec<&str> = people
        .as_array()
        .unwrap()
        .iter()
        .filter(|person| person["trainee"] == true)
        .map(|person| person["name"].as_str().unwrap())
        .collect();
    assert_eq!(trainees, ["tina"]);

    let (status, _) = app
        .api(
            &tina,
            Method::POST,
            &format!("/conversations/{conversation}/assign"),
            Some(json!({ "take": true })),
        )
        .await;
    assert_eq!(status, 200);
    Supervised {
        app,
        fake,
        conversation,
        dana_wrote_at,
        tina,
        tina_id,
        cora,
        cora_id,
        vic,
    }
}

impl Supervised {
    /// Tina replies `body`; returns the held message's id.
    async fn tina_replies(&self, body: &str) -> i64 {
        let (status, answer) = self
            .app
            .api(
                &self.tina,
                Method::POST,
                &format!("/conversations/{}/messages", self.conversation),
                Some(json!({ "body": body })),
            )
            .await;
        assert_eq!(status, 202, "{answer}");
        let last = self.last_message().await;
        assert_eq!(last["body"], body);
        assert_eq!(last["status"], "awaiting_approval");
        last["id"].as_i64().unwrap()
    }

    async fn last_message(&self) -> Value {
        let detail = self
            .app
            .conversation_detail(&self.tina, self.conversation)
            .await;
        detail["messages"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone()
    }

    /// The thread's events, as the holder of `token` reads them.
    async fn events_as(&self, token: &str) -> Vec<String> {
        let detail = self.app.conversation_detail(token, self.conversation).await;
        detail["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|event| event["text"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Delivers everything queued; returns how many were sent.
    async fn deliver_all(&self) -> usize {
        let mut sent = 0;
        while self.app.services.deliver_next("worker-1").await.unwrap() {
            sent += 1;
        }
        sent
    }

    async fn review(&self, token: &str, message: i64, what: &str, body: Value) -> (u16, Value) {
        self.app
            .api(
                token,
                Method::POST,
                &format!("/messages/{message}/{what}"),
                Some(body),
            )
            .await
    }

    /// The board as Cora reads it once `ready` holds; fails after 10 seconds. Presence is noted
    /// as a live stream opens, which a client does not wait for.
    async fn board_when(&self, ready: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let (status, board) = self
                .app
                .api(&self.cora, Method::GET, "/supervision", None)
                .await;
            assert_eq!(status, 200, "{board}");
            if ready(&board) {
                return board;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the board stays {board}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// The details the audit log keeps for `action` on `subject`, newest first.
    async fn audit_details(&self, action: &str, subject: &str) -> Vec<Value> {
        self.app
            .services
            .store()
            .recent_audit(100)
            .await
            .unwrap()
            .into_iter()
            .filter(|entry| entry.action == action && entry.subject == subject)
            .map(|entry| serde_json::from_str(&entry.detail).unwrap())
            .collect()
    }
}

fn rfc3339(epoch_secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(epoch_secs)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

async fn a_trainees_reply_waits_and_is_sent_once_as_approved(db: Db) {
    let s = supervised(db).await;
    let message = s.tina_replies("hi dana").await;
    assert_eq!(s.deliver_all().await, 0, "a held reply is not queued");
    assert!(s.fake.received().is_empty(), "the provider heard nothing");

    // The board lists it, and Tina with the conversation she has open.
    assert_eq!(
        s.app
            .server_fn_with_token(
                &s.tina,
                "conversations/presence",
                &[
                    ("conversation_id", &s.conversation.to_string()),
                    ("typing", "false")
                ]
            )
            .await
            .status(),
        200
    );
    let (status, board) = s.app.api(&s.cora, Method::GET, "/supervision", None).await;
    assert_eq!(status, 200, "{board}");
    let online = board["online"].as_array().unwrap();
    assert_eq!(online.len(), 1, "only Tina has Switchboard open: {board}");
    assert_eq!(online[0]["id"], s.tina_id);
    assert_eq!(online[0]["name"], "tina");
    assert_eq!(online[0]["role"], "volunteer");
    assert_eq!(online[0]["trainee"], true);
    let open = &online[0]["open"];
    assert_eq!(open.as_array().unwrap().len(), 1, "{open}");
    assert_eq!(open[0]["conversation_id"], s.conversation);
    assert_eq!(open[0]["contact_name"], "Dana");
    assert_eq!(open[0]["assignee_name"], "tina");
    assert_eq!(
        open[0]["waiting_since"],
        rfc3339(s.dana_wrote_at),
        "held replies do not answer the contact"
    );
    let waited = open[0]["waiting_seconds"].as_i64().unwrap();
    assert!(
        (DANA_WAITED_SECS..DANA_WAITED_SECS + 60).contains(&waited),
        "waited {waited} s"
    );
    let held = &board["awaiting_approval"];
    assert_eq!(held.as_array().unwrap().len(), 1, "{held}");
    assert_eq!(
        held[0],
        json!({
            "message_id": message,
            "conversation_id": s.conversation,
            "contact_name": "Dana",
            "author_id": s.tina_id,
            "author_name": "tina",
            "kind": "text",
            "body": "hi dana",
            "written_at": held[0]["written_at"],
        })
    );

    // Bad edits are refused, and nothing is decided by them.
    for (body, why) in [
        (json!({ "body": "   " }), "an empty reply"),
        (json!({ "body": 5 }), "a number"),
        (json!({ "body": "a".repeat(4097) }), "too long"),
    ] {
        let (status, answer) = s.review(&s.cora, message, "approve", body).await;
        assert_eq!(status, 422, "{why}: {answer}");
    }
    assert_eq!(s.last_message().await["status"], "awaiting_approval");

    let (status, answer) = s
        .review(
            &s.cora,
            message,
            "approve",
            json!({ "body": "Hello Dana, how can we help?" }),
        )
        .await;
    assert_eq!(status, 202, "{answer}");
    let (status, answer) = s.review(&s.cora, message, "approve", json!({})).await;
    assert_eq!(status, 409, "approved once: {answer}");
    assert_eq!(answer["code"], "conflict");

    assert_eq!(s.deliver_all().await, 1, "sent once");
    let received = s.fake.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].json()["text"]["body"],
        "Hello Dana, how can we help?"
    );
    let last = s.last_message().await;
    assert_eq!(last["id"], message);
    assert_eq!(last["body"], "Hello Dana, how can we help?");
    assert_eq!(last["status"], "sent");
    assert!(
        s.events_as(&s.tina)
            .await
            .contains(&"cora approved the reply by tina".to_owned())
    );
    assert_eq!(
        s.audit_details("message.approved", &format!("message:{message}"))
            .await,
        [json!({
            "conversation_id": s.conversation,
            "edited": true,
            "original_body": "hi dana",
            "sent_body": "Hello Dana, how can we help?",
        })]
    );
    assert_eq!(
        s.app
            .audited("message.approved", &format!("message:{message}"))
            .await,
        [Some(s.cora_id)]
    );

    // Answered: nothing waits any more.
    let (_, board) = s.app.api(&s.cora, Method::GET, "/supervision", None).await;
    assert_eq!(board["awaiting_approval"], json!([]));
    assert_eq!(
        board["online"][0]["open"][0]["waiting_seconds"],
        Value::Null
    );
    assert_eq!(board["online"][0]["open"][0]["waiting_since"], Value::Null);
}

async fn a_rejected_reply_is_never_sent_and_the_trainee_reads_why(db: Db) {
    let s = supervised(db).await;
    let message = s.tina_replies("k").await;
    for (body, why) in [
        (json!({}), "no note"),
        (json!({ "note": "   " }), "an empty note"),
        (json!({ "note": "x".repeat(1001) }), "too long"),
    ] {
        let (status, answer) = s.review(&s.cora, message, "reject", body).await;
        assert_eq!(status, 422, "{why}: {answer}");
    }
    let (status, answer) = s
        .review(
            &s.cora,
            message,
            "reject",
            json!({ "note": "Greet them by name, please" }),
        )
        .await;
    assert_eq!(status, 204, "{answer}");
    for what in ["reject", "approve"] {
        let (status, answer) = s
            .review(&s.cora, message, what, json!({ "note": "again" }))
            .await;
        assert_eq!(status, 409, "{what} after the rejection: {answer}");
    }
    assert_eq!(s.deliver_all().await, 0);
    assert!(s.fake.received().is_empty(), "the provider heard nothing");
    let last = s.last_message().await;
    assert_eq!(last["id"], message);
    assert_eq!(last["status"], "rejected");
    assert!(
        s.events_as(&s.tina)
            .await
            .contains(&"cora rejected the reply by tina: Greet them by name, please".to_owned()),
        "{:?}",
        s.events_as(&s.tina).await
    );
    let detail = s.app.conversation_detail(&s.tina, s.conversation).await;
    let facts: Vec<&Value> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| &event["facts"])
        .collect();
    assert!(
        facts.contains(&&json!({
            "kind": "rejected",
            "who": "cora",
            "author": "tina",
            "note": "Greet them by name, please",
        })),
        "the rejection as facts: {facts:?}"
    );
    assert_eq!(
        s.audit_details("message.rejected", &format!("message:{message}"))
            .await,
        [json!({ "conversation_id": s.conversation, "note": "Greet them by name, please" })]
    );
    let (_, board) = s.app.api(&s.cora, Method::GET, "/supervision", None).await;
    assert_eq!(board["awaiting_approval"], json!([]));
}

async fn a_trainees_file_waits_too_and_is_sent_as_it_was_written(db: Db) {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n-picture-bytes";
    let s = supervised(db).await;
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(PNG)
                .file_name("map.png")
                .mime_str("image/png")
                .unwrap(),
        )
        .text("caption", "The way to the hall");
    let response = reqwest::Client::new()
        .post(
            s.app
                .url(&format!("/api/v1/conversations/{}/files", s.conversation)),
        )
        .bearer_auth(&s.tina)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let held = s.last_message().await;
    assert_eq!(held["kind"], "image");
    assert_eq!(held["status"], "awaiting_approval");
    let message = held["id"].as_i64().unwrap();
    assert_eq!(s.deliver_all().await, 0);
    assert!(s.fake.received().is_empty(), "not even uploaded");

    let (status, answer) = s
        .review(
            &s.cora,
            message,
            "approve",
            json!({ "body": "Another caption" }),
        )
        .await;
    assert_eq!(status, 422, "only a text reply is edited: {answer}");
    let (status, answer) = s.review(&s.cora, message, "approve", json!({})).await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(s.deliver_all().await, 1);
    let received = s.fake.received();
    assert_eq!(received.len(), 2, "the upload, then the message");
    assert_eq!(received[0].path, "/v23.0/1000/media");
    assert_eq!(
        received[1].json()["image"]["caption"],
        "The way to the hall"
    );
    assert_eq!(s.last_message().await["status"], "sent");
    assert_eq!(
        s.audit_details("message.approved", &format!("message:{message}"))
            .await,
        [json!({
            "conversation_id": s.conversation,
            "edited": false,
            "original_body": "The way to the hall",
            "sent_body": "The way to the hall",
        })]
    );
}

async fn a_reply_that_waited_past_the_window_is_not_approved(db: Db) {
    let s = supervised(db).await;
    let message = s.tina_replies("hi dana").await;
    let two_days_ago = server::store::now_ms() - 48 * 3_600_000;
    sqlx::query("UPDATE conversations SET last_inbound_at = $1")
        .bind(two_days_ago)
        .execute(&s.app.sql().await)
        .await
        .unwrap();
    let (status, refused) = s.review(&s.cora, message, "approve", json!({})).await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .starts_with("The 24-hour window"),
        "{refused}"
    );
    assert_eq!(s.last_message().await["status"], "awaiting_approval");
    assert_eq!(s.deliver_all().await, 0);
    let (status, answer) = s
        .review(
            &s.cora,
            message,
            "reject",
            json!({ "note": "Send the follow-up template" }),
        )
        .await;
    assert_eq!(status, 204, "{answer}");
}

async fn only_coordinators_and_admins_supervise(db: Db) {
    let s = supervised(db).await;
    let message = s.tina_replies("hi dana").await;
    let (status, _) = s.app.api(&s.vic, Method::GET, "/supervision", None).await;
    assert_eq!(status, 403, "a volunteer's board");
    // The page is in the top bar of those who may use it only.
    let link = "href=\"/supervision\"";
    let (volunteer, _) = s.app.signed_in("val@example.org", Role::Volunteer).await;
    assert!(!s.app.page(&volunteer, "/").await.contains(link));
    let (coordinator, _) = s.app.signed_in("coco@example.org", Role::Coordinator).await;
    assert!(s.app.page(&coordinator, "/").await.contains(link));
    for (what, body) in [("approve", json!({})), ("reject", json!({ "note": "no" }))] {
        let (status, answer) = s.review(&s.vic, message, what, body.clone()).await;
        assert_eq!(status, 403, "a volunteer may not {what}: {answer}");
        let (status, answer) = s.review(&s.tina, message, what, body.clone()).await;
        assert_eq!(status, 403, "the trainee may not {what}: {answer}");
        let (status, answer) = s.review(&s.cora, 999_999, what, body).await;
        assert_eq!(status, 404, "{what} an unknown message: {answer}");
    }
    // The contact's own message is not a reply to review.
    let dana_said = s.app.conversation_detail(&s.tina, s.conversation).await["messages"][0]["id"]
        .as_i64()
        .unwrap();
    let (status, _) = s.review(&s.cora, dana_said, "approve", json!({})).await;
    assert_eq!(status, 404);
    for what in ["join", "take-over"] {
        let path = format!("/conversations/{}/{what}", s.conversation);
        let (status, _) = s.app.api(&s.vic, Method::POST, &path, None).await;
        assert_eq!(status, 403, "a volunteer may not {what}");
        let (status, _) = s
            .app
            .api(
                &s.cora,
                Method::POST,
                &format!("/conversations/999999/{what}"),
                None,
            )
            .await;
        assert_eq!(status, 404, "{what} an unknown conversation");
    }
    assert_eq!(s.last_message().await["status"], "awaiting_approval");
    assert_eq!(s.deliver_all().await, 0);
}

async fn coordinators_join_and_take_over(db: Db) {
    let s = supervised(db).await;
    // Tina's open inbox (its live stream) is her being online, with nothing open yet.
    let mut tinas_inbox = open_stream(&s.app.url(""), &s.tina).await;
    let board = s
        .board_when(|board| {
            board["online"]
                .as_array()
                .is_some_and(|online| !online.is_empty())
        })
        .await;
    assert_eq!(board["online"].as_array().unwrap().len(), 1, "{board}");
    assert_eq!(board["online"][0]["name"], "tina");
    assert_eq!(board["online"][0]["open"], json!([]));

    let join = format!("/conversations/{}/join", s.conversation);
    for _ in 0..2 {
        let (status, answer) = s.app.api(&s.cora, Method::POST, &join, None).await;
        assert_eq!(status, 204, "{answer}");
    }
    // Joined, Cora reads along and writes notes; replying needs taking the conversation over.
    let cora_replies = || async {
        s.app
            .api(
                &s.cora,
                Method::POST,
                &format!("/conversations/{}/messages", s.conversation),
                Some(json!({ "body": "Cora here" })),
            )
            .await
    };
    let (status, refused) = cora_replies().await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["message"], READING_ALONG);
    let detail = s.app.conversation_detail(&s.cora, s.conversation).await;
    assert_eq!(
        detail["reply_blocked"], READING_ALONG,
        "the composer says why"
    );
    let (status, note) = s
        .app
        .api(
            &s.cora,
            Method::POST,
            &format!("/conversations/{}/notes", s.conversation),
            Some(json!({ "body": "Reading along" })),
        )
        .await;
    assert_eq!(status, 201, "{note}");
    let joined: Vec<String> = s
        .events_as(&s.cora)
        .await
        .into_iter()
        .filter(|event| event == "Coordinator cora joined")
        .collect();
    assert_eq!(joined.len(), 1, "joining twice is joining once");
    assert_eq!(
        s.app
            .audited(
                "conversation.joined",
                &format!("conversation:{}", s.conversation)
            )
            .await,
        [Some(s.cora_id)]
    );

    let take_over = format!("/conversations/{}/take-over", s.conversation);
    let (status, answer) = s.app.api(&s.cora, Method::POST, &take_over, None).await;
    assert_eq!(status, 204, "{answer}");
    let told = wait_for_event(&mut tinas_inbox, |event| event["type"] == "taken_over").await;
    assert_eq!(
        told,
        json!({
            "type": "taken_over",
            "person_id": s.tina_id,
            "conversation_id": s.conversation,
            "by_name": "cora",
        }),
        "Tina is told live"
    );
    let detail = s.app.conversation_detail(&s.cora, s.conversation).await;
    assert_eq!(detail["summary"]["assignee_id"], s.cora_id);
    assert_eq!(detail["summary"]["assignee_name"], "cora");
    let events = s.events_as(&s.cora).await;
    assert!(
        events.contains(&"cora took this over from tina".to_owned()),
        "{events:?}"
    );
    assert!(events.contains(&"cora took this".to_owned()), "{events:?}");
    let (status, answer) = cora_replies().await;
    assert_eq!(status, 202, "once hers, Cora replies: {answer}");
    assert_eq!(
        s.app
            .audited(
                "conversation.take_over",
                &format!("conversation:{}", s.conversation)
            )
            .await,
        [Some(s.cora_id)]
    );
    assert_eq!(
        s.app
            .audited(
                "conversation.assign",
                &format!("conversation:{}", s.conversation)
            )
            .await,
        [Some(s.cora_id)],
        "the assignment itself is the usual one"
    );
    // Tina no longer has it, so she no longer sees it.
    let (status, _) = s
        .app
        .api(
            &s.tina,
            Method::GET,
            &format!("/conversations/{}", s.conversation),
            None,
        )
        .await;
    assert_eq!(status, 404);
}

on_both_databases!(
    a_trainees_reply_waits_and_is_sent_once_as_approved,
    a_rejected_reply_is_never_sent_and_the_trainee_reads_why,
    a_trainees_file_waits_too_and_is_sent_as_it_was_written,
    a_reply_that_waited_past_the_window_is_not_approved,
    only_coordinators_and_admins_supervise,
    coordinators_join_and_take_over,
);
