//! End-to-end tests: the release binary built by `cargo leptos build --release`, driven in
//! headless Chromium through ChromeDriver. `scripts/test.sh` builds both and sets
//! `SWITCHBOARD_BIN` and `SWITCHBOARD_SITE_ROOT`.

use crate::harness;

use fantoccini::Locator;
use harness::{
    Browser, Inbound, Server, open_conversation, processes_in_group, receive_and_open, sign_in,
    sign_out, simulate_whatsapp_message, wait_until,
};

/// A browser that outlived its test kept a Chromium running after `scripts/test.sh` ended.
#[tokio::test]
async fn a_finished_browser_leaves_no_process_behind() {
    let browser = Browser::start().await;
    browser.client.goto("about:blank").await.unwrap();
    let group = browser.process_group();
    assert!(
        processes_in_group(group).len() > 1,
        "ChromeDriver and Chromium run in the group"
    );
    drop(browser);
    // SIGKILL has been sent to the whole group; the kernel ends them a moment later.
    wait_until(
        "every process of the browser to end",
        std::time::Duration::from_secs(10),
        async || processes_in_group(group).is_empty(),
    )
    .await;
}

#[tokio::test]
async fn a_volunteer_signs_in_and_the_inbox_comes_alive() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    sign_in(&browser, &server, "volunteer@example.org").await;
    let client = &browser.client;

    let name = client
        .find(Locator::Css(".person-name"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(name, "Vic Volunteer");
    assert!(
        client
            .find(Locator::Css("nav a[href='/people']"))
            .await
            .is_err(),
        "volunteers are not offered the People page"
    );
    assert!(
        client.find(Locator::Css("[data-view=All]")).await.is_err(),
        "volunteers do not get the All view"
    );

    client
        .find(Locator::Css("[data-view=Unassigned]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::XPath(
            "//h2[@class='list-heading' and text()='Unassigned']",
        ))
        .await
        .expect("clicking a view tab changes the list after hydration");
    let selected = client
        .find(Locator::Css("[data-view=Unassigned]"))
        .await
        .unwrap()
        .attr("aria-selected")
        .await
        .unwrap();
    assert_eq!(selected.as_deref(), Some("true"));

    client.goto(&server.url("/people")).await.unwrap();
    browser.wait_for_hydration().await;
    let refusal = client
        .wait()
        .for_element(Locator::Css("[role=alert]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(refusal.contains("does not allow"), "{refusal}");

    sign_out(&browser, &server).await;
    browser.close().await;
}

#[tokio::test]
async fn an_admin_adds_a_person_and_sees_their_one_time_password() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    sign_in(&browser, &server, "admin@example.org").await;
    let client = &browser.client;

    client
        .find(Locator::Css("nav a[href='/people']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Css("table.people"))
        .await
        .unwrap();
    client
        .find(Locator::Css("input[name=name]"))
        .await
        .unwrap()
        .send_keys("Nia <b>New</b>")
        .await
        .unwrap();
    client
        .find(Locator::Css("input[name=email]"))
        .await
        .unwrap()
        .send_keys("nia@example.org")
        .await
        .unwrap();
    client
        .find(Locator::Css(".inline-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let password = client
        .wait()
        .for_element(Locator::Css("code.one-time-password"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(password.len(), 19, "{password}");
    let row = client
        .wait()
        .for_element(Locator::Css("tr[data-email='nia@example.org']"))
        .await
        .unwrap();
    let text = row.text().await.unwrap();
    assert!(
        text.contains("Nia <b>New</b>"),
        "markup in names shows as text: {text}"
    );
    browser.close().await;
}

#[tokio::test]
async fn an_admin_connects_a_whatsapp_channel() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    sign_in(&browser, &server, "admin@example.org").await;
    let client = &browser.client;

    client
        .find(Locator::Css("nav a[href='/channels']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Css("form.connect-channel"))
        .await
        .unwrap();
    // WhatsApp is the kind the form starts with.
    let fields = [
        ("name", "Test WhatsApp"),
        ("phone_number_id", "111222333"),
        ("waba_id", "444555"),
        ("display_number", "+1 555 000 1111"),
        ("access_token", "EAAG-secret-token"),
        ("app_secret", "app-secret-value"),
        ("verify_token", "verify-me-123"),
    ];
    for (name, value) in fields {
        client
            .find(Locator::Css(&format!(
                "form.connect-channel input[name={name}]"
            )))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    client
        .find(Locator::Css("form.connect-channel button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    let card = client
        .wait()
        .for_element(Locator::XPath(
            "//article[@data-kind='whatsapp'][.//h3[normalize-space()='Test WhatsApp']]",
        ))
        .await
        .expect("the new channel is listed");
    let text = card.text().await.unwrap();
    assert!(text.contains("verify-me-123"), "{text}");
    let webhook_url = card
        .find(Locator::Css("code.webhook-url"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(webhook_url.ends_with("/webhooks/whatsapp"), "{webhook_url}");
    let source = client.source().await.unwrap();
    for secret in ["EAAG-secret-token", "app-secret-value"] {
        assert!(!source.contains(secret), "{secret} is never shown");
    }
    browser.close().await;
}

#[tokio::test]
async fn an_admin_simulates_a_message_and_reads_it_in_the_inbox() {
    const TEXT: &str = "Hello <script>alert(1)</script> I need help";
    let server = Server::start().await;
    let browser = Browser::start().await;
    sign_in(&browser, &server, "admin@example.org").await;
    let client = &browser.client;

    simulate_whatsapp_message(
        &browser,
        &server,
        &Inbound {
            from: "+15551234567",
            name: "Dana Demo",
            text: TEXT,
        },
    )
    .await;

    open_conversation(&browser, &server, "all", "Dana Demo").await;
    let message = client
        .wait()
        .for_element(Locator::XPath(&format!(
            "//li[contains(@class, 'message') and contains(@class, 'inbound')][contains(., '{TEXT}')]"
        )))
        .await
        .expect("the message shows, as text");
    assert!(message.text().await.unwrap().contains(TEXT));
    assert!(
        client.find(Locator::Css(".messages script")).await.is_err(),
        "markup in messages is never rendered"
    );
    assert!(
        client.get_alert_text().await.is_err(),
        "no script from a message ran"
    );

    let current = client
        .find(Locator::Css("a.conversation-row[aria-current=page]"))
        .await
        .expect("the open conversation is marked in the list");
    assert!(current.text().await.unwrap().contains("Dana Demo"));
    let window = client
        .find(Locator::Css(".reply-window"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        window.starts_with("Free-form replies possible until"),
        "{window}"
    );
    browser.close().await;
}

#[tokio::test]
async fn a_volunteer_replies_from_the_composer() {
    const REPLY: &str = "We can help today";
    let server = Server::start().await;
    let browser = Browser::start().await;
    let client = &browser.client;
    receive_and_open(
        &browser,
        &server,
        &Inbound {
            from: "+15557654321",
            name: "Rosa Reply",
            text: "Is the food bank open today?",
        },
        "volunteer@example.org",
        "unassigned",
    )
    .await;
    let body = client
        .wait()
        .for_element(Locator::Css("form.composer textarea[name=body]:enabled"))
        .await
        .expect("the composer takes a reply while the 24-hour window is open");
    body.send_keys(REPLY).await.unwrap();
    client
        .find(Locator::Css("form.composer button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The sandbox provider is unreachable here: the reply is queued, never delivered.
    let message = client
        .wait()
        .for_element(Locator::XPath(&format!(
            "//li[contains(@class, 'message') and contains(@class, 'outbound')][contains(., '{REPLY}')]"
        )))
        .await
        .expect("the reply shows in the thread");
    let author = message
        .find(Locator::Css(".message-author"))
        .await
        .expect("the reply names its author")
        .text()
        .await
        .unwrap();
    assert_eq!(author, "Vic Volunteer");
    let left = client
        .find(Locator::Css("form.composer textarea[name=body]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(left.as_deref(), Some(""), "the composer is cleared");
    assert!(
        client
            .find(Locator::Css("form.composer [role=alert]"))
            .await
            .is_err(),
        "queueing the reply raised no error"
    );
    browser.close().await;
}

/// Volunteers on phones download the browser code compressed: the release build writes brotli
/// and gzip copies beside every file (`--precompress`), and the server sends the one the browser
/// accepts.
#[tokio::test]
async fn the_browser_code_is_served_compressed() {
    let server = Server::start().await;
    let http = reqwest::Client::new();
    let wasm = server.url("/pkg/switchboard.wasm");
    let plain = http.get(&wasm).send().await.unwrap();
    assert!(plain.status().is_success(), "{}", plain.status());
    assert!(plain.headers().get("content-encoding").is_none());
    let plain_len = plain.bytes().await.unwrap().len();
    for encoding in ["br", "gzip"] {
        let response = http
            .get(&wasm)
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-encoding"], encoding);
        assert_eq!(response.headers()["content-type"], "application/wasm");
        let len = response.bytes().await.unwrap().len();
        assert!(
            len * 2 < plain_len,
            "{encoding}: {len} of {plain_len} bytes"
        );
    }
}
