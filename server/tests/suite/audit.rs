//! The audit log as admins read it: filters, paging, CSV export, and who may read it.

use crate::common;

use app::model::Role;
use common::{Db, TestApp, spawn_app};
use serde_json::{Value, json};

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn page(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, body) = get(app, token, &format!("/api/v1/audit{query}")).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn details(page: &Value) -> Vec<i64> {
    page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["detail"]["n"].as_i64().unwrap())
        .collect()
}

async fn admins_filter_page_and_export_the_audit_log(db: Db) {
    let app = spawn_app(db).await;
    let (admin, admin_id) = app.token("ada@example.org", Role::Admin).await;
    let (coordinator, coordinator_id) = app.token("cora@example.org", Role::Coordinator).await;
    for n in 0..105 {
        app.services
            .store()
            .audit(
                Some(admin_id),
                "test_step",
                &format!("contact:{n}"),
                json!({ "n": n }),
            )
            .await
            .unwrap();
    }

    let first = page(&app, &admin, "?action=test_step").await;
    assert_eq!(details(&first), (5..105).rev().collect::<Vec<_>>());
    assert_eq!(first["entries"][0]["actor_name"], "ada");
    assert_eq!(first["entries"][0]["subject"], "contact:104");
    let after = first["next_after"].as_i64().expect("a second page");
    let second = page(&app, &admin, &format!("?action=test_step&after={after}")).await;
    assert_eq!(details(&second), vec![4, 3, 2, 1, 0]);
    assert_eq!(second["next_after"], Value::Null);

    let one = page(&app, &admin, "?subject=contact:7").await;
    assert_eq!(details(&one), vec![7]);
    let by_cora = page(&app, &admin, &format!("?actor_id={coordinator_id}")).await;
    let actions: Vec<&str> = by_cora["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["token_created"]);
    let long_ago = page(&app, &admin, "?from=2000-01-01&to=2000-01-02").await;
    assert_eq!(long_ago["entries"], json!([]));
    let today = time::OffsetDateTime::now_utc().date();
    let this_day = page(
        &app,
        &admin,
        &format!("?action=test_step&from={today}&to={today}"),
    )
    .await;
    assert_eq!(this_day["entries"].as_array().unwrap().len(), 100);

    let (status, body) = get(&app, &admin, "/api/v1/audit?from=yesterday").await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = get(&app, &coordinator, "/api/v1/audit").await;
    assert_eq!(status, 403, "only admins read the audit log");
    let (status, _) = get(&app, &coordinator, "/api/v1/audit.csv").await;
    assert_eq!(status, 403);

    let (status, csv) = get(&app, &admin, "/api/v1/audit.csv?action=test_step").await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 106, "a header and every entry, not one page");
    assert_eq!(lines[0], "id,at,actor_id,actor_name,action,subject,detail");
    assert!(
        lines[1].contains(&format!(
            ",{admin_id},ada,test_step,contact:104,\"{{\"\"n\"\":104}}\""
        )),
        "{}",
        lines[1]
    );
    let exported = page(&app, &admin, "?action=audit_exported").await;
    assert_eq!(exported["entries"][0]["actor_id"], admin_id);
    assert_eq!(
        exported["entries"][0]["detail"],
        json!({ "action": "test_step" })
    );
}

on_both_databases!(admins_filter_page_and_export_the_audit_log);
