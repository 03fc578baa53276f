//! Reading the inbox through the API: what each role sees, and a thread as the UI shows it.

use crate::common;

use app::model::Role;
use common::{Db, now_secs, spawn_app};
use serde_json::Value;

/// The conversations of a list page.
async fn conversations(response: reqwest::Response) -> Vec<Value> {
    let page: Value = response.json().await.unwrap();
    page["conversations"].as_array().unwrap().clone()
}

async fn each_role_sees_only_its_conversations(db: Db) {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    let (ana, ana_id) = app.token("ana@example.org", Role::Volunteer).await;
    let (ben, _) = app.token("ben@example.org", Role::Volunteer).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    app.whatsapp_text_from("+15550000001", "First", "wamid.1", 1_700_000_000, "one")
        .await;
    app.whatsapp_text_from("+15550000002", "Second", "wamid.2", 1_700_000_100, "two")
        .await;
    let pool = app.sql().await;
    sqlx::query(
        "UPDATE conversations SET assignee_id = $1 WHERE id = (SELECT MIN(id) FROM conversations)",
    )
    .bind(ana_id)
    .execute(&pool)
    .await
    .unwrap();

    let mine: Vec<Value> =
        conversations(app.get_as(&ana, "/api/v1/conversations?view=mine").await).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["contact_name"], "First");
    let assigned_id = mine[0]["id"].as_i64().unwrap();
    let unassigned: Vec<Value> = conversations(
        app.get_as(&ana, "/api/v1/conversations?view=unassigned")
            .await,
    )
    .await;
    assert_eq!(unassigned.len(), 1);
    assert_eq!(unassigned[0]["contact_name"], "Second");
    assert_eq!(
        app.get_as(&ana, "/api/v1/conversations?view=all")
            .await
            .status(),
        403
    );
    assert_eq!(
        app.get_as(&ben, &format!("/api/v1/conversations/{assigned_id}"))
            .await
            .status(),
        404,
        "another volunteer's conversation is hidden"
    );
    assert_eq!(
        app.get_as(&ana, &format!("/api/v1/conversations/{assigned_id}"))
            .await
            .status(),
        200
    );

    let all: Vec<Value> =
        conversations(app.get_as(&cora, "/api/v1/conversations?view=all").await).await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["contact_name"], "First", "longest waiting first");
    assert_eq!(all[0]["assignee_name"], "ana");
}

async fn a_thread_shows_messages_window_reactions_and_failures(db: Db) {
    let app = spawn_app(db).await;
    let channel = app.whatsapp_channel().await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    app.whatsapp_text_from(
        "+15550000001",
        "Dana",
        "wamid.a",
        1_700_000_000,
        "Hello <b>there</b>",
    )
    .await;
    let pool = app.sql().await;
    let conversation = app.conversation_with("+15550000001").await;
    sqlx::query(
        "INSERT INTO messages (conversation_id, channel_id, direction, kind, body, provider_message_id, status, error_code, error_title, provider_timestamp, created_at, updated_at) \
         VALUES ($1, $2, 'outbound', 'text', 'Late reply', 'wamid.out', 'failed', '131047', 'Re-engagement message', 1700090000000, 0, 0)",
    )
    .bind(conversation)
    .bind(channel)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO message_reactions (message_id, reactor, emoji, created_at) SELECT id, 'contact', '❤️', 0 FROM messages WHERE provider_message_id = 'wamid.a'")
        .execute(&pool)
        .await
        .unwrap();

    let detail = app.conversation_detail(&cora, conversation).await;
    assert_eq!(detail["summary"]["contact_address"], "+15550000001");
    assert_eq!(
        detail["window_closes_at"], "2023-11-15T22:13:20Z",
        "24 hours after the contact's message"
    );
    let messages = detail["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["body"], "Hello <b>there</b>");
    assert_eq!(messages[0]["reactions"], serde_json::json!(["❤️"]));
    assert_eq!(messages[1]["status"], "failed");
    assert_eq!(messages[1]["error_code"], "131047");
    assert_eq!(
        messages[1]["error_explanation"],
        "More than 24 hours have passed since this person last wrote, so only an approved template message can be sent. Send a template to restart the conversation.",
        "a plain explanation of 131047, not the provider's title"
    );
}

/// Every page renders whole on the server: a panic while rendering cuts the streamed page off,
/// and reading it fails.
async fn pages_render_whole_on_the_server(db: Db) {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    let now = now_secs();
    app.whatsapp_text_from(
        "+15550001111",
        "Ana",
        "wamid.a",
        now - 60,
        "Hello <b>there</b>",
    )
    .await;
    let conversation = app.conversation_with("+15550001111").await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    for path in [
        "/?view=all".to_string(),
        format!("/conversations/{conversation}?view=all"),
        "/templates".to_string(),
        "/settings".to_string(),
        "/channels".to_string(),
        "/search?q=hello".to_string(),
    ] {
        let response = app.get_as(&admin, &path).await;
        assert_eq!(response.status(), 200, "{path}");
        let page = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(page.contains("</html>"), "{path} is whole");
    }
}

/// A message in a right-to-left script reads right to left whatever the interface's
/// language: its text, the list's preview and the composer take their direction from their
/// content (`dir="auto"`), and the stylesheet uses only logical directions, so the page mirrors
/// when it is right to left.
async fn right_to_left_text_takes_its_own_direction(db: Db) {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    let arabic = "مرحبا، أحتاج إلى مساعدة في السكن";
    app.whatsapp_text_from(
        "+15550002222",
        "Salma",
        "wamid.rtl",
        now_secs() - 60,
        arabic,
    )
    .await;
    let conversation = app.conversation_with("+15550002222").await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let page = app
        .get_as(&admin, &format!("/conversations/{conversation}?view=all"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!(
            r#"<p dir="auto" class="message-body">{arabic}</p>"#
        )),
        "the message's text"
    );
    assert!(
        page.contains(&format!(
            r#"<span dir="auto" class="preview">{arabic}</span>"#
        )),
        "the list's preview"
    );
    let composer = page
        .split("<textarea")
        .find(|tag| tag.contains(r#"id="composer-body""#))
        .expect("the composer");
    assert!(
        composer[..composer.find('>').unwrap()].contains(r#"dir="auto""#),
        "the composer"
    );

    let stylesheet =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../style/main.css")).unwrap();
    let physical: Vec<&str> = stylesheet
        .lines()
        .filter(|line| {
            [
                "margin-left",
                "margin-right",
                "padding-left",
                "padding-right",
                "border-left",
                "border-right",
                "text-align: left",
                "text-align: right",
                "float: left",
                "float: right",
            ]
            .iter()
            .any(|property| line.contains(property))
        })
        .collect();
    assert_eq!(
        physical,
        Vec::<&str>::new(),
        "left and right do not mirror: use inline-start and inline-end"
    );
}

/// The app installs on a phone: every page names the manifest, the manifest names real icons
/// of the sizes it says, the service worker and its offline page load without signing in, and
/// the worker caches nothing but that page and the icon. An open conversation has its way
/// back to the list, which a phone shows as a screen of its own.
async fn the_app_installs_and_a_phone_gets_back_to_the_list(db: Db) {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    app.whatsapp_text_from("+15550003333", "Noor", "wamid.p", now_secs() - 60, "hi")
        .await;
    let conversation = app.conversation_with("+15550003333").await;
    let signed_out = reqwest::Client::new();
    let login = signed_out
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(login.contains(r#"<link rel="manifest" href="/manifest.webmanifest">"#));
    assert!(login.contains("interactive-widget=resizes-content"));

    let manifest = signed_out
        .get(app.url("/manifest.webmanifest"))
        .send()
        .await
        .unwrap();
    assert_eq!(manifest.status(), 200);
    assert_eq!(
        manifest.headers()["content-type"],
        "application/manifest+json"
    );
    let manifest: Value = manifest.json().await.unwrap();
    assert_eq!(manifest["display"], "standalone");
    assert_eq!(manifest["start_url"], "/");
    let mut png_sizes = Vec::new();
    for icon in manifest["icons"].as_array().unwrap() {
        let source = icon["src"].as_str().unwrap();
        let response = signed_out.get(app.url(source)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{source}");
        assert_eq!(
            response.headers()["content-type"],
            icon["type"].as_str().unwrap()
        );
        let bytes = response.bytes().await.unwrap();
        if icon["type"] == "image/png" {
            assert_eq!(&bytes[1..4], b"PNG", "{source}");
            let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
            let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
            assert_eq!(icon["sizes"], format!("{width}x{height}"), "{source}");
            png_sizes.push(width);
        }
    }
    assert!(png_sizes.contains(&192) && png_sizes.contains(&512));

    let worker = signed_out.get(app.url("/sw.js")).send().await.unwrap();
    assert_eq!(worker.status(), 200);
    assert!(
        worker.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let worker = worker.text().await.unwrap();
    assert!(worker.contains(r#"cache.addAll([OFFLINE, "/icons/icon.svg"])"#));
    assert_eq!(
        worker.matches("cache.put").count(),
        0,
        "nothing else is cached"
    );
    let offline = signed_out
        .get(app.url("/offline.html"))
        .send()
        .await
        .unwrap();
    assert_eq!(offline.status(), 200);
    assert!(offline.text().await.unwrap().contains("You are offline"));
    assert_eq!(
        signed_out
            .get(app.url("/icons/other.png"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let page = app
        .get_as(&admin, &format!("/conversations/{conversation}?view=all"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        opening_tag(&page, r#"class="inbox""#).contains(r#"data-open="true""#),
        "a phone shows the conversation alone"
    );
    let back = opening_tag(&page, r#"class="back-to-list""#);
    assert!(back.contains(r#"href="/?view=all""#), "{back}");
    let list = app.get_as(&admin, "/?view=all").await.text().await.unwrap();
    assert!(opening_tag(&list, r#"class="inbox""#).contains(r#"data-open="false""#));
    assert!(!list.contains(r#"class="back-to-list""#));
}

/// The opening tag in `page` that holds `attribute`, whatever the order of its attributes.
fn opening_tag<'a>(page: &'a str, attribute: &str) -> &'a str {
    let at = page
        .find(attribute)
        .unwrap_or_else(|| panic!("{attribute}"));
    let start = page[..at].rfind('<').unwrap();
    let end = at + page[at..].find('>').unwrap();
    &page[start..=end]
}

on_both_databases!(
    pages_render_whole_on_the_server,
    the_app_installs_and_a_phone_gets_back_to_the_list,
    right_to_left_text_takes_its_own_direction,
    each_role_sees_only_its_conversations,
    a_thread_shows_messages_window_reactions_and_failures,
);
