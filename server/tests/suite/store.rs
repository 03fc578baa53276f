//! Story tests of the store, run on SQLite and PostgreSQL alike.

use crate::common;

use std::collections::HashMap;

use common::{Db, store};
use server::store::{NewUser, StoreError};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::SessionStore;

fn person<'a>(email: &'a str, role: &'a str) -> NewUser<'a> {
    NewUser {
        email,
        name: "Ana",
        role,
        password_hash: "$argon2id$placeholder",
        must_change_password: false,
    }
}

fn session_record(user_id: Option<i64>, expires_in: time::Duration) -> Record {
    let mut data = HashMap::new();
    if let Some(user_id) = user_id {
        data.insert(
            "auth".to_string(),
            serde_json::json!({ "user_id": user_id, "signed_in_at": 0 }),
        );
    }
    Record {
        id: Id::default(),
        data,
        expiry_date: time::OffsetDateTime::now_utc() + expires_in,
    }
}

async fn people_are_added_found_changed_and_deactivated(db: Db) {
    let (store, _db) = store(db).await;
    let ana = store
        .insert_user(person("ana@example.org", "volunteer"))
        .await
        .unwrap();
    assert!(ana.is_active());
    assert!(matches!(
        store.insert_user(person("ana@example.org", "admin")).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.user_by_email("ana@example.org").await.unwrap(),
        Some(ana.clone())
    );

    store
        .update_user_profile(ana.id, "Ana Souza", "coordinator")
        .await
        .unwrap();
    let changed = store.user_by_id(ana.id).await.unwrap().unwrap();
    assert_eq!(
        (changed.name.as_str(), changed.role.as_str()),
        ("Ana Souza", "coordinator")
    );

    store
        .insert_token(ana.id, "script", "hash-1", None)
        .await
        .unwrap();
    let mut record = session_record(Some(ana.id), time::Duration::hours(1));
    store.create(&mut record).await.unwrap();
    assert_eq!(store.count_sessions_of(ana.id).await.unwrap(), 1);

    store.deactivate_user(ana.id).await.unwrap();
    let deactivated = store.user_by_id(ana.id).await.unwrap().unwrap();
    assert!(!deactivated.is_active());
    assert_eq!(store.count_sessions_of(ana.id).await.unwrap(), 0);
    assert_eq!(store.user_by_token_hash("hash-1").await.unwrap(), None);
    assert!(store.active_tokens_of(ana.id).await.unwrap().is_empty());

    store.reactivate_user(ana.id).await.unwrap();
    assert!(store.user_by_id(ana.id).await.unwrap().unwrap().is_active());
    assert_eq!(
        store.user_by_token_hash("hash-1").await.unwrap(),
        None,
        "reactivation does not bring revoked tokens back"
    );
}

async fn only_active_admins_are_counted(db: Db) {
    let (store, _db) = store(db).await;
    let first = store
        .insert_user(person("a1@example.org", "admin"))
        .await
        .unwrap();
    store
        .insert_user(person("a2@example.org", "admin"))
        .await
        .unwrap();
    store
        .insert_user(person("v@example.org", "volunteer"))
        .await
        .unwrap();
    assert_eq!(store.count_active_admins().await.unwrap(), 2);
    store.deactivate_user(first.id).await.unwrap();
    assert_eq!(store.count_active_admins().await.unwrap(), 1);
    let listed: Vec<String> = store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.email)
        .collect();
    assert_eq!(
        listed.last().map(String::as_str),
        Some("a1@example.org"),
        "deactivated people list last"
    );
}

async fn tokens_are_found_by_hash_until_revoked(db: Db) {
    let (store, _db) = store(db).await;
    let ana = store
        .insert_user(person("ana@example.org", "admin"))
        .await
        .unwrap();
    let ben = store
        .insert_user(person("ben@example.org", "admin"))
        .await
        .unwrap();
    let token = store
        .insert_token(ana.id, "script", "hash-ana", None)
        .await
        .unwrap();
    assert_eq!(token.last_used_at, None);

    let found = store.user_by_token_hash("hash-ana").await.unwrap().unwrap();
    assert_eq!(found.id, ana.id);
    let listed = store.active_tokens_of(ana.id).await.unwrap();
    assert!(listed[0].last_used_at.is_some(), "use is recorded");

    assert!(
        !store.revoke_token(ben.id, token.id).await.unwrap(),
        "only the owner revokes"
    );
    assert!(store.revoke_token(ana.id, token.id).await.unwrap());
    assert!(
        !store.revoke_token(ana.id, token.id).await.unwrap(),
        "revoking twice changes nothing"
    );
    assert_eq!(store.user_by_token_hash("hash-ana").await.unwrap(), None);
}

async fn sessions_are_saved_loaded_expired_and_deleted(db: Db) {
    let (store, _db) = store(db).await;
    let ana = store
        .insert_user(person("ana@example.org", "admin"))
        .await
        .unwrap();

    let mut anonymous = session_record(None, time::Duration::hours(1));
    store.create(&mut anonymous).await.unwrap();
    let loaded = store.load(&anonymous.id).await.unwrap().unwrap();
    assert!(loaded.data.is_empty());

    let mut signed_in = anonymous.clone();
    signed_in.data = session_record(Some(ana.id), time::Duration::hours(1)).data;
    store.save(&signed_in).await.unwrap();
    assert_eq!(
        store.load(&anonymous.id).await.unwrap().unwrap().data,
        signed_in.data
    );
    assert_eq!(store.count_sessions_of(ana.id).await.unwrap(), 1);

    let mut expired = session_record(Some(ana.id), time::Duration::seconds(-5));
    store.create(&mut expired).await.unwrap();
    assert_eq!(
        store.load(&expired.id).await.unwrap(),
        None,
        "expired sessions do not load"
    );
    assert_eq!(store.delete_expired_sessions().await.unwrap(), 1);

    store.delete(&signed_in.id).await.unwrap();
    assert_eq!(store.load(&signed_in.id).await.unwrap(), None);
}

async fn the_audit_log_keeps_who_did_what(db: Db) {
    let (store, _db) = store(db).await;
    let ana = store
        .insert_user(person("ana@example.org", "admin"))
        .await
        .unwrap();
    store
        .audit(
            Some(ana.id),
            "person_added",
            "user:7",
            serde_json::json!({ "role": "volunteer" }),
        )
        .await
        .unwrap();
    store
        .audit(None, "demo_loaded", "system", serde_json::json!({}))
        .await
        .unwrap();
    let entries = store.recent_audit(10).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].action, "demo_loaded");
    assert_eq!(entries[1].actor_id, Some(ana.id));
    assert_eq!(entries[1].detail, r#"{"role":"volunteer"}"#);
}

async fn migrations_can_run_again(db: Db) {
    let (store, _db) = store(db).await;
    store.migrate().await.unwrap();
    store.ping().await.unwrap();
}

async fn instances_sharing_a_database_share_each_channels_send_slots(db: Db) {
    let (store, test_db) = store(db).await;
    let other_instance = server::store::Store::connect(&test_db.url).await.unwrap();
    let channel = store
        .insert_channel(server::store::ChannelWrite {
            kind: "twilio",
            name: "SMS",
            route_key: "+15550001111",
            api_base_url: "https://api.twilio.com",
            settings: "{}",
            secrets: "{}",
            send_rate_per_second: 4,
        })
        .await
        .unwrap()
        .id;
    let interval = 250_000;
    let now = 1_800_000_000_000_000;
    let mut slots = Vec::new();
    for turn in 0..6 {
        let instance = if turn % 2 == 0 {
            &store
        } else {
            &other_instance
        };
        slots.push(
            instance
                .reserve_send_slot(channel, interval, now)
                .await
                .unwrap(),
        );
    }
    let expected: Vec<i64> = (0..6).map(|n| now + n * interval).collect();
    assert_eq!(slots, expected, "each send gets its own slot, 1/rate apart");

    let later = now + 10 * interval;
    assert_eq!(
        store
            .reserve_send_slot(channel, interval, later)
            .await
            .unwrap(),
        later,
        "an idle channel sends at once"
    );
}

on_both_databases!(
    instances_sharing_a_database_share_each_channels_send_slots,
    people_are_added_found_changed_and_deactivated,
    only_active_admins_are_counted,
    tokens_are_found_by_hash_until_revoked,
    sessions_are_saved_loaded_expired_and_deleted,
    the_audit_log_keeps_who_did_what,
    migrations_can_run_again,
);
