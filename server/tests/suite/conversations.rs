//! Working conversations through the API: taking and assigning, status and snoozes, tags, notes
//! with mentions, contacts, the masking setting, keyset pages and live updates.

use crate::common;

use app::model::{InboxSettings, Role};
use common::live::{events_until, open_stream, wait_for_event};
use common::{Db, TestApp, now_secs, spawn_app};
use serde_json::{Value, json};

async fn send(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> reqwest::Response {
    reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    send(app, token, reqwest::Method::POST, path, body).await
}

async fn json(response: reqwest::Response) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{error}: {text}"))
}

/// The only conversation's id.
async fn one_conversation(app: &TestApp, coordinator: &str) -> i64 {
    let page = json(
        app.get_as(coordinator, "/api/v1/conversations?view=all")
            .await,
    )
    .await;
    page["conversations"][0]["id"].as_i64().unwrap()
}

fn event_texts(detail: &Value) -> Vec<String> {
    detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["text"].as_str().unwrap().to_owned())
        .collect()
}

async fn taking_and_assigning_are_recorded_and_scoped(db: Db) {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    let (ana, ana_id) = app.token("ana@example.org", Role::Volunteer).await;
    let (ben, ben_id) = app.token("ben@example.org", Role::Volunteer).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    app.whatsapp_text_from("+15550000001", "Dina", "wamid.t1", now_secs(), "hello")
        .await;
    let id = one_conversation(&app, &cora).await;

    let taken = json(
        post(
            &app,
            &ana,
            &format!("/api/v1/conversations/{id}/assign"),
            json!({ "take": true }),
        )
        .await,
    )
    .await;
    assert_eq!(taken["summary"]["assignee_id"], ana_id);
    assert_eq!(event_texts(&taken), vec!["ana took this"]);
    assert_eq!(
        post(
            &app,
            &ben,
            &format!("/api/v1/conversations/{id}/assign"),
            json!({ "take": true })
        )
        .await
        .status(),
        404,
        "a colleague's conversation is not there for another volunteer"
    );
    assert_eq!(
        post(
            &app,
            &ana,
            &format!("/api/v1/conversations/{id}/assign"),
            json!({ "assignee_id": ben_id })
        )
        .await
        .status(),
        403,
        "volunteers do not assign"
    );

    let assigned = json(
        post(
            &app,
            &cora,
            &format!("/api/v1/conversations/{id}/assign"),
            json!({ "assignee_id": ben_id }),
        )
        .await,
    )
    .await;
    assert_eq!(assigned["summary"]["assignee_name"], "ben");
    assert_eq!(
        event_texts(&assigned),
        vec!["ana took this", "cora assigned this to ben"]
    );
    // And as facts, for the page to word in its reader's language.
    assert_eq!(
        assigned["events"][0]["facts"],
        json!({ "kind": "took", "who": "ana" })
    );
    assert_eq!(
        assigned["events"][1]["facts"],
        json!({ "kind": "assigned", "who": "cora", "assignee": "ben" })
    );
    let mine = json(app.get_as(&ben, "/api/v1/conversations?view=mine").await).await;
    assert_eq!(mine["conversations"][0]["id"], id);
    app.whatsapp_text_from(
        "+15550000001",
        "Dina",
        "wamid.t2",
        now_secs(),
        "hello again",
    )
    .await;
    let mine = json(app.get_as(&ben, "/api/v1/conversations?view=mine").await).await;
    assert_eq!(mine["unread_mine"], 1, "Dina's new message waits for ben");
    let read = format!("/api/v1/conversations/{id}/read");
    app.conversation_detail(&cora, id).await;
    assert_eq!(post(&app, &cora, &read, json!({})).await.status(), 204);
    let mine = json(app.get_as(&ben, "/api/v1/conversations?view=mine").await).await;
    assert_eq!(
        mine["unread_mine"], 1,
        "a coordinator's glance does not read it for ben"
    );
    app.conversation_detail(&ben, id).await;
    let mine = json(app.get_as(&ben, "/api/v1/conversations?view=mine").await).await;
    assert_eq!(mine["unread_mine"], 1, "loading it (a GET) changes nothing");
    assert_eq!(post(&app, &ben, &read, json!({})).await.status(), 204);
    let mine = json(app.get_as(&ben, "/api/v1/conversations?view=mine").await).await;
    assert_eq!(mine["unread_mine"], 0, "the page's read call read it");
    assert_eq!(
        app.get_as(&ana, &format!("/api/v1/conversations/{id}"))
            .await
            .status(),
        404
    );

    let unassigned = json(
        post(
            &app,
            &cora,
            &format!("/api/v1/conversations/{id}/assign"),
            json!({ "assignee_id": null }),
        )
        .await,
    )
    .await;
    assert_eq!(unassigned["summary"]["assignee_id"], Value::Null);
    assert_eq!(
        event_texts(&unassigned).last().unwrap(),
        "cora unassigned this"
    );
    assert_eq!(
        post(
            &app,
            &cora,
            &format!("/api/v1/conversations/{id}/assign"),
            json!({ "assignee_id": 999_999 })
        )
        .await
        .status(),
        422
    );

    let audit: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE subject = $1 ORDER BY id")
            .bind(format!("conversation:{id}"))
            .fetch_all(&app.sql().await)
            .await
            .unwrap();
    assert_eq!(
        audit,
        vec![
            "conversation.take",
            "conversation.assign",
            // The coordinator opened it between the assignments (audit_reads.rs).
            "conversation.read",
            "conversation.assign"
        ]
    );
}

async fn two_volunteers_taking_at_once_get_one_assignee(db: Db) {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    let (ana, _) = app.token("ana@example.org", Role::Volunteer).await;
    let (ben, _) = app.token("ben@example.org", Role::Volunteer).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    app.whatsapp_text_from("+15550000001", "Dina", "wamid.r1", now_secs(), "hello")
        .await;
    let id = one_conversation(&app, &cora).await;
    let path = format!("/api/v1/conversations/{id}/assign");
    let (first, second) = tokio::join!(
        post(&app, &ana, &path, json!({ "take": true })),
        post(&app, &ben, &path, json!({ "take": true }))
    );
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses[0], 200, "one of them has it");
    assert!(
        matches!(statuses[1], 404 | 409),
        "the other is told it is taken: {statuses:?}"
    );
    let detail = app.conversation_detail(&cora, id).await;
    assert_eq!(event_texts(&detail).len(), 1, "one assignment happened");
}

async fn status_changes_and_snoozes(db: Db) {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    let (ana, _) = app.token("ana@example.org", Role::Volunteer).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    app.whatsapp_text_from("+15550000001", "Dina", "wamid.s1", now_secs(), "hello")
        .await;
    let id = one_conversation(&app, &cora).await;
    let status = format!("/api/v1/conversations/{id}/status");

    let resolved = json(post(&app, &ana, &status, json!({ "status": "resolved" })).await).await;
    assert_eq!(resolved["summary"]["status"], "resolved");
    let open = json(app.get_as(&cora, "/api/v1/conversations?view=all").await).await;
    assert_eq!(open["conversations"].as_array().unwrap().len(), 0);
    let listed = json(
        app.get_as(&cora, "/api/v1/conversations?view=all&status=resolved")
            .await,
    )
    .await;
    assert_eq!(listed["conversations"][0]["id"], id);

    for (body, why) in [
        (json!({ "status": "snoozed" }), "a snooze needs an end"),
        (
            json!({ "status": "snoozed", "snoozed_until": "2001-01-01T00:00:00Z" }),
            "in the past",
        ),
        (
            json!({ "status": "snoozed", "snoozed_until": "tomorrow" }),
            "not a time",
        ),
        (
            json!({ "status": "open", "snoozed_until": "2099-01-01T00:00:00Z" }),
            "only snoozes end",
        ),
    ] {
        assert_eq!(post(&app, &ana, &status, body).await.status(), 422, "{why}");
    }
    let snoozed = json(
        post(
            &app,
            &ana,
            &status,
            json!({ "status": "snoozed", "snoozed_until": "2099-01-01T09:00:00Z" }),
        )
        .await,
    )
    .await;
    assert_eq!(snoozed["summary"]["status"], "snoozed");
    assert_eq!(snoozed["summary"]["snoozed_until"], "2099-01-01T09:00:00Z");

    // The snooze ends: the worker's step reopens it.
    sqlx::query("UPDATE conversations SET snoozed_until = 1 WHERE id = $1")
        .bind(id)
        .execute(&app.sql().await)
        .await
        .unwrap();
    assert_eq!(app.services.wake_snoozed().await.unwrap(), 1);
    let woken = app.conversation_detail(&ana, id).await;
    assert_eq!(woken["summary"]["status"], "open");
    assert_eq!(
        event_texts(&woken).last().unwrap(),
        "The snooze ended: open again"
    );

    // A new message ends a snooze earlier.
    json(
        post(
            &app,
            &ana,
            &status,
            json!({ "status": "snoozed", "snoozed_until": "2099-01-01T09:00:00Z" }),
        )
        .await,
    )
    .await;
    app.whatsapp_text_from(
        "+15550000001",
        "Dina",
        "wamid.s2",
        now_secs(),
        "are you there?",
    )
    .await;
    let reopened = app.conversation_detail(&ana, id).await;
    assert_eq!(reopened["summary"]["status"], "open");

    let pending = json(post(&app, &ana, &status, json!({ "status": "pending" })).await).await;
    assert_eq!(pending["summary"]["status"], "pending");
}

async fn tags_are_managed_by_coordinators_and_used_by_everyone(db: Db) {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    let (ana, _) = app.token("ana@example.org", Role::Volunteer).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    app.whatsapp_text_from("+15550000001", "Dina", "wamid.g1", now_secs(), "hello")
        .await;
    app.whatsapp_text_from("+15550000002", "Eli", "wamid.g2", now_secs(), "hi")
        .await;
    let tag = json!({ "name": "Housing", "colour": "#2A7AE2" });
    assert_eq!(
        post(&app, &ana, "/api/v1/tags", tag.clone()).await.status(),
        403
    );
    assert_eq!(
        post(
            &app,
            &cora,
            "/api/v1/tags",
            json!({ "name": "Bad", "colour": "red" })
        )
        .await
        .status(),
        422
    );
    let created = json(post(&app, &cora, "/api/v1/tags", tag.clone()).await).await;
    assert_eq!(created["colour"], "#2a7ae2");
    assert_eq!(post(&app, &cora, "/api/v1/tags", tag).await.status(), 409);
    let tag_id = created["id"].as_i64().unwrap();

    let page = json(app.get_as(&cora, "/api/v1/conversations?view=all").await).await;
    let id = page["conversations"][0]["id"].as_i64().unwrap();
    let tagging = format!("/api/v1/conversations/{id}/tags");
    assert_eq!(
        post(&app, &ana, &tagging, json!({ "tag_id": tag_id }))
            .await
            .status(),
        204
    );
    let filtered = json(
        app.get_as(
            &ana,
            &format!("/api/v1/conversations?view=unassigned&tag_id={tag_id}"),
        )
        .await,
    )
    .await;
    let filtered = filtered["conversations"].as_array().unwrap();
    assert_eq!(filtered.len(), 1);
    assert_eq!(filtered[0]["id"], id);
    assert_eq!(filtered[0]["tags"][0]["name"], "Housing");

    let removed = send(
        &app,
        &ana,
        reqwest::Method::DELETE,
        &format!("{tagging}/{tag_id}"),
        json!({}),
    )
    .await;
    assert_eq!(removed.status(), 204);
    let detail = app.conversation_detail(&ana, id).await;
    assert_eq!(detail["summary"]["tags"], json!([]));
    assert_eq!(
        event_texts(&detail),
        vec!["ana added the tag Housing", "ana removed the tag Housing"]
    );
    assert_eq!(
        post(&app, &ana, &tagging, json!({ "tag_id": 424_242 }))
            .await
            .status(),
        404
    );
}

async fn notes_mention_people_and_everyone_sees_changes_live(db: Db) {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    let (ana, _) = app.token("ana@example.org", Role::Volunteer).await;
    let (ben, ben_id) = app.token("ben@example.org", Role::Coordinator).await;
    app.whatsapp_text_from("+15550000001", "Dina", "wamid.n1", now_secs(), "hello")
        .await;
    let id = one_conversation(&app, &ben).await;
    let mut bens_browser = open_stream(&app.base, &ben).await;
    let mut anas_browser = open_stream(&app.base, &ana).await;

    let note = post(
        &app,
        &ana,
        &format!("/api/v1/conversations/{id}/notes"),
        json!({ "body": "@ben she needs a call back <b>today</b>" }),
    )
    .await;
    assert_eq!(note.status(), 201);
    let mention = wait_for_event(&mut bens_browser, |event| event["type"] == "mention").await;
    assert_eq!(mention["person_id"], ben_id);
    assert_eq!(mention["conversation_id"], id);
    assert_eq!(mention["author_name"], "ana");
    let mentions = json(app.get_as(&ben, "/api/v1/mentions").await).await;
    assert_eq!(mentions[0]["conversation_id"], id);
    assert_eq!(mentions[0]["author_name"], "ana");
    assert_eq!(mentions[0]["contact_name"], "Dina");
    assert_eq!(mentions[0]["read"], false);
    assert_eq!(mentions.as_array().unwrap().len(), 1);
    assert_eq!(
        json(app.get_as(&ana, "/api/v1/mentions").await).await,
        json!([]),
        "mentions are the mentioned person's own"
    );
    wait_for_event(&mut anas_browser, |event| {
        event["type"] == "conversation" && event["id"] == id
    })
    .await;

    let detail = app.conversation_detail(&ben, id).await;
    let read = post(
        &app,
        &ben,
        &format!("/api/v1/conversations/{id}/read"),
        json!({}),
    )
    .await;
    assert_eq!(read.status(), 204);
    assert_eq!(
        detail["notes"][0]["body"],
        "@ben she needs a call back <b>today</b>"
    );
    assert_eq!(detail["notes"][0]["author_name"], "ana");
    assert_eq!(
        post(
            &app,
            &ana,
            &format!("/api/v1/conversations/{id}/notes"),
            json!({ "body": "  " })
        )
        .await
        .status(),
        422
    );
    let unread: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(ben_id)
    .fetch_one(&app.sql().await)
    .await
    .unwrap();
    assert_eq!(unread, 0, "the page's read call read the mention");
    let mentions = json(app.get_as(&ben, "/api/v1/mentions").await).await;
    assert_eq!(mentions[0]["read"], true);

    // A new message from the contact reaches open browsers too.
    app.whatsapp_text_from("+15550000001", "Dina", "wamid.n2", now_secs(), "still here")
        .await;
    wait_for_event(&mut anas_browser, |event| event["type"] == "activity").await;
    // Presence is relayed to the others.
    assert_eq!(
        app.server_fn_with_token(
            &ana,
            "conversations/presence",
            &[("conversation_id", &id.to_string()), ("typing", "true")]
        )
        .await
        .status(),
        200
    );
    let presence = wait_for_event(&mut bens_browser, |event| event["type"] == "presence").await;
    assert_eq!(presence["person_name"], "ana");
    assert_eq!(presence["typing"], true);
}

async fn contacts_have_notes_and_numbers_are_masked_for_volunteers(db: Db) {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    let (ana, _) = app.token("ana@example.org", Role::Volunteer).await;
    let (cora, cora_id) = app.token("cora@example.org", Role::Coordinator).await;
    let (admin, admin_id) = app.token("root@example.org", Role::Admin).await;
    app.whatsapp_text_from("+15551234567", "Dina", "wamid.c1", now_secs(), "hello")
        .await;
    let page = json(app.get_as(&cora, "/api/v1/conversations?view=all").await).await;
    let contact_id = page["conversations"][0]["contact_id"].as_i64().unwrap();
    let id = page["conversations"][0]["id"].as_i64().unwrap();

    let note = post(
        &app,
        &ana,
        &format!("/api/v1/contacts/{contact_id}/notes"),
        json!({ "body": "Prefers Spanish" }),
    )
    .await;
    assert_eq!(note.status(), 201);
    let contact = json(
        app.get_as(&ana, &format!("/api/v1/contacts/{contact_id}"))
            .await,
    )
    .await;
    assert_eq!(contact["notes"][0]["body"], "Prefers Spanish");
    assert_eq!(contact["addresses"][0]["address"], "+15551234567");
    assert_eq!(contact["conversations"][0]["id"], id);

    assert_eq!(
        send(
            &app,
            &cora,
            reqwest::Method::PUT,
            "/api/v1/settings/inbox",
            json!({ "mask_numbers_for_volunteers": true })
        )
        .await
        .status(),
        403,
        "only admins change settings"
    );
    let saved = json(
        send(
            &app,
            &admin,
            reqwest::Method::PUT,
            "/api/v1/settings/inbox",
            json!({ "mask_numbers_for_volunteers": true }),
        )
        .await,
    )
    .await;
    assert_eq!(saved["mask_numbers_for_volunteers"], true);
    let audit: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE actor_id = $1 AND action = 'settings.inbox'",
    )
    .bind(admin_id)
    .fetch_one(&app.sql().await)
    .await
    .unwrap();
    assert_eq!(audit, 1);

    let masked = "+1 ••• ••• 45 67";
    let list = json(
        app.get_as(&ana, "/api/v1/conversations?view=unassigned")
            .await,
    )
    .await;
    assert_eq!(list["conversations"][0]["contact_address"], masked);
    let detail = app.conversation_detail(&ana, id).await;
    assert_eq!(detail["summary"]["contact_address"], masked);
    let contact = json(
        app.get_as(&ana, &format!("/api/v1/contacts/{contact_id}"))
            .await,
    )
    .await;
    assert_eq!(contact["addresses"][0]["address"], masked);
    assert!(!contact.to_string().contains("1234567"), "{contact}");
    let seen_by_coordinator = json(
        app.get_as(&cora, &format!("/api/v1/contacts/{contact_id}"))
            .await,
    )
    .await;
    assert_eq!(
        seen_by_coordinator["addresses"][0]["address"],
        "+15551234567"
    );
    let reveals: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'contact.number_revealed' AND subject = $1",
    )
    .bind(format!("contact:{contact_id}"))
    .fetch_one(&app.sql().await)
    .await
    .unwrap();
    assert_eq!(
        reveals, 1,
        "the coordinator's look at the number is recorded; the volunteer's masked views are not"
    );
    let coordinators_list = json(app.get_as(&cora, "/api/v1/conversations?view=all").await).await;
    assert_eq!(
        coordinators_list["conversations"][0]["contact_address"],
        "+15551234567"
    );
    let found = json(app.get_as(&cora, "/api/v1/search?q=1234567").await).await;
    assert_eq!(found[0]["contact_address"], "+15551234567");
    let volunteers_search = json(app.get_as(&ana, "/api/v1/search?q=1234567").await).await;
    assert_eq!(
        volunteers_search,
        json!([]),
        "volunteers cannot search by a masked number"
    );
    let reveals: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'contact.number_revealed' AND subject = $1 AND actor_id = $2",
    )
    .bind(format!("contact:{contact_id}"))
    .bind(cora_id)
    .fetch_one(&app.sql().await)
    .await
    .unwrap();
    assert_eq!(
        reveals, 1,
        "the contact panel, the list and the search showed the coordinator the number within \
         the hour: one entry"
    );

    // Assigned to a colleague, the contact is out of a volunteer's sight.
    let (_, ben_id) = app.token("ben@example.org", Role::Volunteer).await;
    json(
        post(
            &app,
            &cora,
            &format!("/api/v1/conversations/{id}/assign"),
            json!({ "assignee_id": ben_id }),
        )
        .await,
    )
    .await;
    assert_eq!(
        app.get_as(&ana, &format!("/api/v1/contacts/{contact_id}"))
            .await
            .status(),
        404
    );
}

async fn only_the_assignee_replies_when_the_organisation_says_so(db: Db) {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    let (ana, ana_id) = app.token("ana@example.org", Role::Volunteer).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    let (admin_token, admin_id) = app.token("root@example.org", Role::Admin).await;
    app.whatsapp_text_from("+15550000001", "Dina", "wamid.o1", now_secs(), "hello")
        .await;
    let id = one_conversation(&app, &cora).await;
    app.set_inbox_settings(
        admin_id,
        InboxSettings {
            only_assignee_replies: true,
            ..InboxSettings::default()
        },
    )
    .await;
    let reply = format!("/api/v1/conversations/{id}/messages");
    let refused = post(&app, &ana, &reply, json!({ "body": "hi" })).await;
    assert_eq!(refused.status(), 422);
    let unassigned = "Only the person assigned may reply here. Take the conversation to reply.";
    assert_eq!(json_error(refused).await, unassigned);
    let detail = app.conversation_detail(&ana, id).await;
    assert_eq!(detail["reply_blocked"], unassigned);

    json(
        post(
            &app,
            &cora,
            &format!("/api/v1/conversations/{id}/assign"),
            json!({ "assignee_id": ana_id }),
        )
        .await,
    )
    .await;
    assert_eq!(
        post(&app, &ana, &reply, json!({ "body": "hi" }))
            .await
            .status(),
        202
    );
    let refused = post(&app, &admin_token, &reply, json!({ "body": "me too" })).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        json_error(refused).await,
        "Only the person assigned (ana) may reply here."
    );
}

async fn json_error(response: reqwest::Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["message"].as_str().unwrap().to_owned()
}

async fn the_list_pages_by_keyset_without_gaps_or_repeats(db: Db) {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    for n in 0..57 {
        app.whatsapp_text_from(
            &format!("+1555000{n:04}"),
            "",
            &format!("wamid.p{n}"),
            now_secs(),
            "hi",
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/conversations?view=all".to_owned();
    let mut pages = 0;
    loop {
        let page = json(app.get_as(&cora, &path).await).await;
        pages += 1;
        seen.extend(
            page["conversations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap()),
        );
        match page["next"].as_str() {
            Some(next) => path = format!("/api/v1/conversations?view=all&after={next}"),
            None => break,
        }
    }
    assert_eq!(pages, 2);
    let mut unique = seen.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (57, 57));
    assert_eq!(
        app.get_as(&cora, "/api/v1/conversations?view=all&after=garbage")
            .await
            .status(),
        400
    );
}

async fn auto_assignment_gives_waiting_conversations_to_available_volunteers_in_turn(db: Db) {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    let (ana, ana_id) = app.token("ana@example.org", Role::Volunteer).await;
    let (ben, ben_id) = app.token("ben@example.org", Role::Volunteer).await;
    app.token("cy@example.org", Role::Volunteer).await;
    let admin_id = app.add("root@example.org", Role::Admin).await;
    for n in 0..5 {
        app.whatsapp_text_from(
            &format!("+1555100{n:04}"),
            "",
            &format!("wamid.a{n}"),
            now_secs(),
            "hi",
        )
        .await;
    }
    assert!(
        !app.services.auto_assign_next().await.unwrap(),
        "off by default"
    );
    app.set_inbox_settings(
        admin_id,
        InboxSettings {
            auto_assign: true,
            auto_assign_cap: 2,
            ..InboxSettings::default()
        },
    )
    .await;
    for token in [&ana, &ben] {
        assert_eq!(
            app.server_fn_with_token(token, "me/available/set", &[("available", "true")])
                .await
                .status(),
            200
        );
    }
    let mut steps = 0;
    while app.services.auto_assign_next().await.unwrap() {
        steps += 1;
    }
    assert_eq!(steps, 4, "two each, up to the cap; cy is not available");
    let counts: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT assignee_id, COUNT(*) FROM conversations WHERE assignee_id IS NOT NULL GROUP BY assignee_id ORDER BY assignee_id",
    )
    .fetch_all(&app.sql().await)
    .await
    .unwrap();
    assert_eq!(counts, vec![(ana_id, 2), (ben_id, 2)]);
}

async fn canned_responses_are_kept_by_coordinators_for_everyone(db: Db) {
    let app = spawn_app(db).await;
    let (ana, _) = app.token("ana@example.org", Role::Volunteer).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    let hours = json!({ "shortcut": "hours", "body": "We are open Monday to Friday, 9 to 5." });
    assert_eq!(
        post(&app, &ana, "/api/v1/canned-responses", hours.clone())
            .await
            .status(),
        403
    );
    for (bad, why) in [
        (
            json!({ "shortcut": "two words", "body": "x" }),
            "a shortcut is one word",
        ),
        (
            json!({ "shortcut": "empty", "body": "  " }),
            "a body is needed",
        ),
    ] {
        assert_eq!(
            post(&app, &cora, "/api/v1/canned-responses", bad)
                .await
                .status(),
            422,
            "{why}"
        );
    }
    let created = json(post(&app, &cora, "/api/v1/canned-responses", hours.clone()).await).await;
    assert_eq!(
        post(&app, &cora, "/api/v1/canned-responses", hours)
            .await
            .status(),
        409
    );
    let listed = json(app.get_as(&ana, "/api/v1/canned-responses").await).await;
    assert_eq!(listed[0]["shortcut"], "hours");
    assert_eq!(listed[0]["body"], "We are open Monday to Friday, 9 to 5.");
    let path = format!("/api/v1/canned-responses/{}", created["id"]);
    assert_eq!(
        send(&app, &ana, reqwest::Method::DELETE, &path, json!({}))
            .await
            .status(),
        403
    );
    assert_eq!(
        send(&app, &cora, reqwest::Method::DELETE, &path, json!({}))
            .await
            .status(),
        204
    );
    assert_eq!(
        json(app.get_as(&ana, "/api/v1/canned-responses").await).await,
        json!([])
    );
}

/// A volunteer's browser hears of colleagues' conversations only that something changed: not
/// who is viewing or typing there, not which conversation it was.
async fn volunteers_are_told_live_only_of_conversations_they_may_see(db: Db) {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    let (ana, ana_id) = app.token("ana@example.org", Role::Volunteer).await;
    let (vic, vic_id) = app.token("vic@example.org", Role::Volunteer).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    app.whatsapp_text_from("+15550000001", "Dina", "wamid.s1", now_secs(), "hello")
        .await;
    let id = one_conversation(&app, &cora).await;
    app.whatsapp_text_from("+15550000002", "Eli", "wamid.s2", now_secs(), "hi")
        .await;
    let assigned = post(
        &app,
        &cora,
        &format!("/api/v1/conversations/{id}/assign"),
        json!({ "assignee_id": vic_id }),
    )
    .await;
    assert_eq!(assigned.status(), 200);
    let mut anas_browser = open_stream(&app.base, &ana).await;
    let mut coras_browser = open_stream(&app.base, &cora).await;

    let typing = app
        .server_fn_with_token(
            &vic,
            "conversations/presence",
            &[("conversation_id", &id.to_string()), ("typing", "true")],
        )
        .await;
    assert_eq!(typing.status(), 200);
    let note = post(
        &app,
        &vic,
        &format!("/api/v1/conversations/{id}/notes"),
        json!({ "body": "calling her back" }),
    )
    .await;
    assert_eq!(note.status(), 201);
    // A mention of Ana comes after both, in a conversation she may see.
    let others = json(
        app.get_as(&cora, "/api/v1/conversations?view=unassigned")
            .await,
    )
    .await;
    let elis = others["conversations"][0]["id"].as_i64().unwrap();
    assert_ne!(elis, id);
    let mention = post(
        &app,
        &cora,
        &format!("/api/v1/conversations/{elis}/notes"),
        json!({ "body": "@ana can you take Eli?" }),
    )
    .await;
    assert_eq!(mention.status(), 201);

    let told = events_until(&mut anas_browser, |event| event["type"] == "mention").await;
    assert_eq!(told.last().unwrap()["person_id"], ana_id);
    assert!(
        told.iter().all(|event| event["type"] != "presence"),
        "Ana is not told who types in Vic's conversation: {told:?}"
    );
    assert!(
        told.iter()
            .all(|event| !(event["type"] == "conversation" && event["id"] == id)),
        "Ana is not told which of Vic's conversations changed: {told:?}"
    );
    assert!(
        told.iter().any(|event| event["type"] == "activity"),
        "Ana's list still learns that something changed: {told:?}"
    );
    let presence = wait_for_event(&mut coras_browser, |event| event["type"] == "presence").await;
    assert_eq!(presence["conversation_id"], id);
    assert_eq!(presence["person_name"], "vic");
    wait_for_event(&mut coras_browser, |event| {
        event["type"] == "conversation" && event["id"] == id
    })
    .await;

    let anas_mentions = json(app.get_as(&ana, "/api/v1/mentions").await).await;
    assert_eq!(anas_mentions[0]["conversation_id"], elis);
    let reassigned = post(
        &app,
        &cora,
        &format!("/api/v1/conversations/{elis}/assign"),
        json!({ "assignee_id": vic_id }),
    )
    .await;
    assert_eq!(reassigned.status(), 200);
    assert_eq!(
        json(app.get_as(&ana, "/api/v1/mentions").await).await,
        json!([]),
        "a mention in a conversation now out of Ana's sight is not listed"
    );

    let out_of_sight = post(
        &app,
        &cora,
        &format!("/api/v1/conversations/{elis}/notes"),
        json!({ "body": "@ana Vic has Eli now" }),
    )
    .await;
    assert_eq!(out_of_sight.status(), 201);
    app.whatsapp_text_from("+15550000003", "Fay", "wamid.s3", now_secs(), "hey")
        .await;
    let unassigned = json(
        app.get_as(&cora, "/api/v1/conversations?view=unassigned")
            .await,
    )
    .await;
    let fays = unassigned["conversations"][0]["id"].as_i64().unwrap();
    let in_sight = post(
        &app,
        &cora,
        &format!("/api/v1/conversations/{fays}/notes"),
        json!({ "body": "@ana can you take Fay?" }),
    )
    .await;
    assert_eq!(in_sight.status(), 201);
    let told = events_until(&mut anas_browser, |event| event["type"] == "mention").await;
    assert_eq!(
        told.last().unwrap()["conversation_id"],
        fays,
        "the mention in Vic's conversation reached Ana only as activity: {told:?}"
    );
    assert!(
        told.iter().any(|event| event["type"] == "activity"),
        "{told:?}"
    );
}

/// Numbers are masked for volunteers in the thread and the inbox list, in the API and in the
/// pages the server renders (their hydration data included); a coordinator's look at the
/// thread page shows the number and is recorded as a reveal, by that coordinator, of that
/// contact.
async fn masked_numbers_hold_in_the_rendered_pages_and_the_thread_page_records_reveals(db: Db) {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    let admin_id = app.add("root@example.org", Role::Admin).await;
    app.set_inbox_settings(
        admin_id,
        InboxSettings {
            mask_numbers_for_volunteers: true,
            ..InboxSettings::default()
        },
    )
    .await;
    app.whatsapp_text_from("+15551234567", "Dina", "wamid.m1", now_secs(), "hello")
        .await;
    // Without a name, the inbox list shows the contact by number.
    app.whatsapp_text_from("+15550009876", "", "wamid.m2", now_secs(), "hi")
        .await;
    let dina = app.conversation_with("+15551234567").await;
    let unnamed = app.conversation_with("+15550009876").await;
    let full_numbers = ["5551234567", "5550009876"];
    let (dina_masked, unnamed_masked) = ("+1 ••• ••• 45 67", "+1 ••• ••• 98 76");

    let (token, _) = app.token("ana@example.org", Role::Volunteer).await;
    let detail = app.conversation_detail(&token, dina).await;
    assert_eq!(detail["summary"]["contact_address"], dina_masked);
    let list = json(
        app.get_as(&token, "/api/v1/conversations?view=unassigned")
            .await,
    )
    .await;
    let mut listed: Vec<&str> = list["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|conversation| conversation["contact_address"].as_str().unwrap())
        .collect();
    listed.sort_unstable();
    assert_eq!(listed, [dina_masked, unnamed_masked]);

    let (volunteer, _) = app.signed_in("ben@example.org", Role::Volunteer).await;
    let thread = app
        .page(&volunteer, &format!("/conversations/{dina}"))
        .await;
    assert!(
        thread.contains(&format!(
            r#"<span class="contact-address">{dina_masked}</span>"#
        )),
        "the thread shows the masked number: {thread}"
    );
    let inbox = app.page(&volunteer, "/?view=unassigned").await;
    assert!(
        inbox.contains(unnamed_masked),
        "the inbox list shows the masked number: {inbox}"
    );
    let unnamed_thread = app
        .page(&volunteer, &format!("/conversations/{unnamed}"))
        .await;
    assert!(unnamed_thread.contains(unnamed_masked), "{unnamed_thread}");
    for (name, html) in [
        ("thread", &thread),
        ("inbox", &inbox),
        ("unnamed thread", &unnamed_thread),
    ] {
        for number in full_numbers {
            assert!(
                !html.contains(number),
                "the {name} page holds {number}: {html}"
            );
        }
    }
    let mut subjects = Vec::new();
    for conversation in [dina, unnamed] {
        let contact: i64 = sqlx::query_scalar("SELECT contact_id FROM conversations WHERE id = $1")
            .bind(conversation)
            .fetch_one(&app.sql().await)
            .await
            .unwrap();
        subjects.push(format!("contact:{contact}"));
    }
    let [dina_contact, unnamed_contact] = <[String; 2]>::try_from(subjects).unwrap();
    let reveal = "contact.number_revealed";
    for subject in [&dina_contact, &unnamed_contact] {
        assert_eq!(
            app.audited(reveal, subject).await,
            Vec::<Option<i64>>::new(),
            "a volunteer's masked views reveal nothing"
        );
    }

    let (coordinator, cora_id) = app.signed_in("cora@example.org", Role::Coordinator).await;
    let revealed = app
        .page(&coordinator, &format!("/conversations/{dina}"))
        .await;
    assert!(
        revealed.contains(r#"<span class="contact-address">+15551234567</span>"#),
        "{revealed}"
    );
    // Each answer the page is built from records what it showed (the thread, the contact,
    // the inbox list beside it), so one look can be several entries, all alike.
    let who_saw = |mut actors: Vec<Option<i64>>| {
        actors.dedup();
        actors
    };
    assert_eq!(
        who_saw(app.audited(reveal, &dina_contact).await),
        [Some(cora_id)],
        "the thread page recorded who saw whose number"
    );
    assert_eq!(
        who_saw(app.audited(reveal, &unnamed_contact).await),
        [Some(cora_id)],
        "the inbox list beside the thread showed the unnamed contact by number"
    );
}

on_both_databases!(
    canned_responses_are_kept_by_coordinators_for_everyone,
    volunteers_are_told_live_only_of_conversations_they_may_see,
    taking_and_assigning_are_recorded_and_scoped,
    two_volunteers_taking_at_once_get_one_assignee,
    status_changes_and_snoozes,
    tags_are_managed_by_coordinators_and_used_by_everyone,
    notes_mention_people_and_everyone_sees_changes_live,
    contacts_have_notes_and_numbers_are_masked_for_volunteers,
    masked_numbers_hold_in_the_rendered_pages_and_the_thread_page_records_reveals,
    only_the_assignee_replies_when_the_organisation_says_so,
    the_list_pages_by_keyset_without_gaps_or_repeats,
    auto_assignment_gives_waiting_conversations_to_available_volunteers_in_turn,
);

/// Two instances on one PostgreSQL: a change made through one reaches browsers on the other.
#[tokio::test]
async fn live_updates_cross_instances_on_postgres() {
    let app = spawn_app(Db::Postgres).await;
    app.whatsapp_channel().await;
    let other = app.another_instance().await;
    let (ana, _) = app.token("ana@example.org", Role::Volunteer).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    app.whatsapp_text_from("+15550000001", "Dina", "wamid.x1", now_secs(), "hello")
        .await;
    let id = one_conversation(&app, &cora).await;
    let mut on_other = open_stream(&other, &cora).await;
    json(
        post(
            &app,
            &ana,
            &format!("/api/v1/conversations/{id}/status"),
            json!({ "status": "pending" }),
        )
        .await,
    )
    .await;
    wait_for_event(&mut on_other, |event| {
        event["type"] == "conversation" && event["id"] == id
    })
    .await;
}
