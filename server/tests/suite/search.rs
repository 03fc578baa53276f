//! Searching message text and contacts through the API: what each role finds, numbers masked
//! for volunteers, and queries that would be full-text syntax taken as plain words.

use crate::common;

use app::model::{InboxSettings, Role};
use common::{Db, TestApp, spawn_app};
use serde_json::Value;

async fn search_response(app: &TestApp, token: &str, query: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(app.url("/api/v1/search"))
        .query(&[("q", query)])
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn search(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let response = search_response(app, token, query).await;
    assert_eq!(response.status(), 200, "search for {query:?}");
    response.json().await.unwrap()
}

/// Two contacts, each with one conversation and one message.
async fn two_conversations(app: &TestApp) -> (i64, i64) {
    app.whatsapp_channel().await;
    app.whatsapp_text_from(
        "+15550000001",
        "Maria Lopez",
        "wamid.1",
        1_700_000_000,
        "Is the <b>food bank</b> open on Saturday?",
    )
    .await;
    app.whatsapp_text_from(
        "+15550000002",
        "Tom Berg",
        "wamid.2",
        1_700_000_100,
        "My landlord wants the rent by Friday, where can I find a shelter?",
    )
    .await;
    (
        app.conversation_with("+15550000001").await,
        app.conversation_with("+15550000002").await,
    )
}

async fn message_text_names_and_numbers_lead_to_their_conversation(db: Db) {
    let app = spawn_app(db).await;
    let (maria, tom) = two_conversations(&app).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;

    let hits = search(&app, &cora, "FOOD bank").await;
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["conversation_id"], maria);
    assert!(
        hits[0]["message_id"].is_i64(),
        "a message hit names its message"
    );
    assert_eq!(
        hits[0]["snippet"], "Is the <b>food bank</b> open on Saturday?",
        "plain text, as written"
    );
    assert_eq!(hits[0]["contact_name"], "Maria Lopez");
    assert_eq!(hits[0]["contact_address"], "+15550000001");
    assert_eq!(hits[0]["channel_kind"], "whatsapp");
    assert_eq!(hits[0]["at"], "2023-11-14T22:13:20Z");

    let hits = search(&app, &cora, "landlord").await;
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["conversation_id"], tom);
    assert!(
        search(&app, &cora, "landl").await.is_empty(),
        "message text matches whole words"
    );

    for name in ["lopez", "Maria Lo"] {
        let hits = search(&app, &cora, name).await;
        assert_eq!(hits.len(), 1, "{name} finds Maria Lopez");
        assert_eq!(hits[0]["conversation_id"], maria);
        assert!(hits[0]["message_id"].is_null(), "the contact matched");
        assert_eq!(
            hits[0]["snippet"], "Is the <b>food bank</b> open on Saturday?",
            "a contact hit shows the latest message"
        );
    }

    for number in ["+1 555 000 0002", "5550000002", "0002"] {
        let hits = search(&app, &cora, number).await;
        assert_eq!(hits.len(), 1, "{number} finds Tom's number");
        assert_eq!(hits[0]["conversation_id"], tom);
        assert_eq!(hits[0]["contact_address"], "+15550000002");
    }
    let hits = search(&app, &cora, "555 000").await;
    assert_eq!(hits.len(), 2, "digits from the middle of both numbers");
    assert!(search(&app, &cora, "5550 9999").await.is_empty());
    assert!(search(&app, &cora, "nothing like this").await.is_empty());
}

async fn contacts_come_first_then_messages_newest_first(db: Db) {
    let app = spawn_app(db).await;
    let (maria, tom) = two_conversations(&app).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    app.whatsapp_text_from(
        "+15550000001",
        "Maria Lopez",
        "wamid.3",
        1_700_000_200,
        "Tom Berg told me about the shelter",
    )
    .await;

    let hits = search(&app, &cora, "shelter").await;
    let found: Vec<(i64, &str)> = hits
        .iter()
        .map(|hit| {
            let snippet = hit["snippet"].as_str().unwrap();
            (hit["conversation_id"].as_i64().unwrap(), snippet)
        })
        .collect();
    assert_eq!(
        found,
        [
            (maria, "Tom Berg told me about the shelter"),
            (
                tom,
                "My landlord wants the rent by Friday, where can I find a shelter?"
            ),
        ]
    );

    let hits = search(&app, &cora, "tom berg").await;
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0]["conversation_id"], tom);
    assert!(hits[0]["message_id"].is_null(), "the contact first");
    assert_eq!(hits[1]["conversation_id"], maria);
    assert!(
        hits[1]["message_id"].is_i64(),
        "then the message naming him"
    );
}

async fn volunteers_find_only_conversations_assigned_to_them_or_no_one(db: Db) {
    let app = spawn_app(db).await;
    let (maria, tom) = two_conversations(&app).await;
    let (ana, _) = app.token("ana@example.org", Role::Volunteer).await;
    let (ben, ben_id) = app.token("ben@example.org", Role::Volunteer).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    sqlx::query("UPDATE conversations SET assignee_id = $1 WHERE id = $2")
        .bind(ben_id)
        .bind(tom)
        .execute(&app.sql().await)
        .await
        .unwrap();

    let conversations = |hits: Vec<Value>| -> Vec<i64> {
        hits.iter()
            .map(|hit| hit["conversation_id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(conversations(search(&app, &ana, "lopez").await), [maria]);
    assert!(
        search(&app, &ana, "berg").await.is_empty(),
        "Tom's conversation is Ben's"
    );
    assert!(search(&app, &ana, "shelter").await.is_empty());
    assert!(search(&app, &ana, "5550000002").await.is_empty());
    assert_eq!(conversations(search(&app, &ben, "berg").await), [tom]);
    assert_eq!(conversations(search(&app, &ben, "shelter").await), [tom]);
    assert_eq!(
        conversations(search(&app, &ben, "lopez").await),
        [maria],
        "unassigned conversations are everyone's"
    );
    assert_eq!(
        conversations(search(&app, &cora, "555000000").await),
        [tom, maria]
    );
}

async fn masked_numbers_are_masked_in_hits_and_cannot_be_searched(db: Db) {
    let app = spawn_app(db).await;
    let (maria, _) = two_conversations(&app).await;
    let admin_id = app.add("admin@example.org", Role::Admin).await;
    app.set_inbox_settings(
        admin_id,
        InboxSettings {
            mask_numbers_for_volunteers: true,
            ..Default::default()
        },
    )
    .await;
    let (ana, _) = app.token("ana@example.org", Role::Volunteer).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;

    let hits = search(&app, &ana, "maria").await;
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["conversation_id"], maria);
    assert_eq!(hits[0]["contact_address"], "+1 ••• ••• 00 01");
    for number in ["5550000001", "+1 555 000 0001", "0001"] {
        assert!(
            search(&app, &ana, number).await.is_empty(),
            "{number} must not find a masked number"
        );
    }

    let hits = search(&app, &cora, "5550000001").await;
    assert_eq!(hits.len(), 1, "coordinators see and search numbers");
    assert_eq!(hits[0]["contact_address"], "+15550000001");
}

async fn full_text_syntax_is_searched_as_plain_words(db: Db) {
    let app = spawn_app(db).await;
    let (maria, _) = two_conversations(&app).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;

    // Each query's exact hits: operators and punctuation are not syntax, the words that remain
    // must all be found.
    let none: &[i64] = &[];
    for (query, expected) in [
        ("\"food", &[maria][..]),
        ("food\"", &[maria]),
        ("a* OR", none),
        ("NEAR(", none),
        ("NEAR(food bank)", none),
        ("-food", &[maria]),
        ("food:", &[maria]),
        ("food)", &[maria]),
        ("body:food", none),
        ("food & !bank", &[maria]),
        ("foo|bar <-> baz", none),
        ("it's", none),
        ("back\\slash", none),
        ("\"*\"", none),
        (")(", none),
        ("^food", &[maria]),
        ("**", none),
    ] {
        let response = search_response(&app, &cora, query).await;
        assert_eq!(response.status(), 200, "{query:?} is not an error");
        let hits: Vec<Value> = response.json().await.unwrap();
        let found: Vec<i64> = hits
            .iter()
            .map(|hit| hit["conversation_id"].as_i64().unwrap())
            .collect();
        assert_eq!(found, expected, "{query:?}");
    }
    assert!(
        search(&app, &cora, "food OR rent").await.is_empty(),
        "OR is a word to find, not an operator"
    );
}

async fn the_index_follows_changed_and_deleted_text(db: Db) {
    let app = spawn_app(db).await;
    let (maria, _) = two_conversations(&app).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    let pool = app.sql().await;

    sqlx::query(
        "UPDATE messages SET body = 'Where is the pantry?' WHERE provider_message_id = 'wamid.1'",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("UPDATE contacts SET name = 'Mariana Ruiz' WHERE name = 'Maria Lopez'")
        .execute(&pool)
        .await
        .unwrap();
    assert!(search(&app, &cora, "food").await.is_empty());
    assert!(search(&app, &cora, "lopez").await.is_empty());
    assert_eq!(search(&app, &cora, "pantry").await.len(), 1);
    let hits = search(&app, &cora, "ruiz").await;
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["conversation_id"], maria);

    sqlx::query("DELETE FROM messages WHERE provider_message_id = 'wamid.1'")
        .execute(&pool)
        .await
        .unwrap();
    assert!(search(&app, &cora, "pantry").await.is_empty());

    sqlx::query(
        "UPDATE contact_identities SET address = '+447700900123' WHERE address = '+15550000001'",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert!(search(&app, &cora, "0000001").await.is_empty());
    let hits = search(&app, &cora, "7700 900").await;
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["conversation_id"], maria);
    sqlx::query("DELETE FROM contact_identities WHERE address = '+447700900123'")
        .execute(&pool)
        .await
        .unwrap();
    assert!(search(&app, &cora, "7700 900").await.is_empty());
}

async fn queries_too_short_or_too_long_are_refused(db: Db) {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    let (ana, _) = app.token("ana@example.org", Role::Volunteer).await;

    let too_short = "Type at least 2 characters to search.";
    let too_long = "A search can be at most 200 characters long.";
    let long_query = "x".repeat(201);
    for (query, reason) in [
        ("", too_short),
        ("a", too_short),
        ("  a  ", too_short),
        (long_query.as_str(), too_long),
    ] {
        let response = search_response(&app, &ana, query).await;
        assert_eq!(response.status(), 422, "{query:?}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], "unprocessable");
        assert_eq!(error["message"], reason, "{query:?}");
    }
    let without_query = reqwest::Client::new()
        .get(app.url("/api/v1/search"))
        .bearer_auth(&ana)
        .send()
        .await
        .unwrap();
    assert_eq!(without_query.status(), 422);
    assert_eq!(search(&app, &ana, &"é".repeat(200)).await.len(), 0);

    let anonymous = reqwest::get(app.url("/api/v1/search?q=food"))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

on_both_databases!(
    message_text_names_and_numbers_lead_to_their_conversation,
    contacts_come_first_then_messages_newest_first,
    volunteers_find_only_conversations_assigned_to_them_or_no_one,
    masked_numbers_are_masked_in_hits_and_cannot_be_searched,
    full_text_syntax_is_searched_as_plain_words,
    the_index_follows_changed_and_deleted_text,
    queries_too_short_or_too_long_are_refused,
);
