//! The shared inbox in a real browser: taking, replying, tagging, notes and resolving; a
//! coordinator assigning while a colleague watches live; what volunteers cannot reach.

use crate::harness;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, Locator};
use harness::{
    Browser, Db, Inbound, Server, click, open_conversation, receive_and_open, receive_then_sign_in,
    shows, sign_in, sign_out, simulate_whatsapp_message, what_the_page_shows, write_in_composer,
};

async fn choose(client: &Client, select: &str, option: &str) {
    client
        .wait()
        .for_element(Locator::Css(select))
        .await
        .unwrap()
        .select_by(Locator::XPath(&format!(
            ".//option[normalize-space()='{option}']"
        )))
        .await
        .unwrap();
}

// The main flows of a volunteer and of a coordinator, on each database the server supports.
on_both_databases!(
    a_volunteer_takes_replies_tags_notes_and_resolves,
    a_coordinator_assigns_while_a_colleague_watches_live,
);

async fn a_volunteer_takes_replies_tags_notes_and_resolves(db: Db) {
    const NOTE: &str = "@Cora call her back <img src=x onerror=alert(1)>";
    let server = Server::start_on(db).await;
    let browser = Browser::start().await;
    let client = &browser.client;
    receive_and_open(
        &browser,
        &server,
        &Inbound {
            from: "+15550142424",
            name: "Tess Take",
            text: "I need a food parcel",
        },
        "volunteer@example.org",
        "unassigned",
    )
    .await;
    click(client, "//button[normalize-space()='Assign to me']").await;
    shows(
        client,
        "//span[@class='assignee'][normalize-space()='Assigned to Vic Volunteer']",
        "taken",
    )
    .await;
    shows(
        client,
        "//li[contains(@class, 'conversation-event')][contains(., 'Vic Volunteer took this')]",
        "the take is told in the thread",
    )
    .await;

    choose(client, "#canned-response", "hours").await;
    let draft = client
        .find(Locator::Css("form.composer textarea"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        draft.as_deref(),
        Some("We are open Monday to Friday, 9:00 to 17:00."),
        "the canned response is in the reply, to edit or send"
    );
    write_in_composer(client, " We have parcels on Friday").await;
    shows(
        client,
        "//li[contains(@class, 'outbound')][contains(., '9:00 to 17:00. We have parcels on Friday')]",
        "the reply shows",
    )
    .await;
    // The demo's sandbox provider reports it sent, delivered and read, through signed webhooks.
    shows(
        client,
        "//li[contains(@class, 'outbound')][contains(., 'We have parcels on Friday')]//span[@class='delivery'][@data-status='read']",
        "the contact has read the reply",
    )
    .await;

    choose(client, "#add-tag", "Food").await;
    shows(
        client,
        "//ul[@class='tags']//span[contains(@class, 'tag-chip')][normalize-space()='Food']",
        "the tag is on",
    )
    .await;

    click(
        client,
        "//button[@role='tab'][normalize-space()='Private note']",
    )
    .await;
    write_in_composer(client, NOTE).await;
    let note = shows(client, "//li[contains(@class, 'note')]", "the note shows").await;
    assert!(
        note.text().await.unwrap().contains(NOTE),
        "markup in notes is text"
    );
    assert!(
        note.find(Locator::Css("img")).await.is_err(),
        "no element from a note"
    );
    // The label is upper-cased by the stylesheet, and WebDriver reads rendered text.
    assert!(
        note.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("private note"),
        "unmistakably internal"
    );

    click(client, "//button[normalize-space()='Resolve']").await;
    shows(
        client,
        "//header[@class='thread-header']//span[@data-status='resolved']",
        "resolved",
    )
    .await;
    shows(
        client,
        "//li[contains(@class, 'conversation-event')][contains(., 'Vic Volunteer resolved this')]",
        "the resolve is told",
    )
    .await;
    assert!(client.get_alert_text().await.is_err(), "no script ran");

    // The list follows its filters: resolved conversations are under Resolved.
    client
        .goto(&server.url("/?view=mine&status=resolved"))
        .await
        .unwrap();
    browser.wait_for_hydration().await;
    shows(
        client,
        "//a[contains(@class, 'conversation-row')][.//*[normalize-space()='Tess Take']]",
        "listed as resolved",
    )
    .await;
    browser.close().await;
}

async fn a_coordinator_assigns_while_a_colleague_watches_live(db: Db) {
    let server = Server::start_on(db).await;
    let coordinator = Browser::start().await;
    let admin = Browser::start().await;
    sign_in(&admin, &server, "admin@example.org").await;
    simulate_whatsapp_message(
        &admin,
        &server,
        &Inbound {
            from: "+15550143535",
            name: "Lia Live",
            text: "Can someone call me?",
        },
    )
    .await;
    sign_in(&coordinator, &server, "coordinator@example.org").await;
    open_conversation(&admin, &server, "all", "Lia Live").await;
    // The coordinator follows a link to the conversation: the page is rendered on the server
    // with the thread open, and the thread's code arrives before the page hydrates.
    let link = admin.client.current_url().await.unwrap();
    assert!(link.path().starts_with("/conversations/"), "{link}");
    coordinator.client.goto(link.as_str()).await.unwrap();
    coordinator.wait_for_hydration().await;
    shows(
        &coordinator.client,
        "//h2[@id='thread-title'][normalize-space()='Lia Live']",
        "the linked conversation is open",
    )
    .await;

    shows(
        &admin.client,
        "//p[@class='presence'][contains(., 'Cora Coordinator is viewing')]",
        "the admin sees who else is here",
    )
    .await;
    coordinator
        .client
        .find(Locator::Css("form.composer textarea"))
        .await
        .unwrap()
        .send_keys("Hello Lia")
        .await
        .unwrap();
    shows(
        &admin.client,
        "//p[@class='presence'][contains(., 'Cora Coordinator is typing')]",
        "and that she is typing",
    )
    .await;

    choose(&coordinator.client, "#assign-to", "Vic Volunteer").await;
    shows(
        &coordinator.client,
        "//span[@class='assignee'][normalize-space()='Assigned to Vic Volunteer']",
        "assigned",
    )
    .await;
    shows(
        &admin.client,
        "//span[@class='assignee'][normalize-space()='Assigned to Vic Volunteer']",
        "the other browser shows it without a reload",
    )
    .await;
    shows(&admin.client, "//li[contains(@class, 'conversation-event')][contains(., 'Cora Coordinator assigned this to Vic Volunteer')]", "and the event").await;
    shows(
        &admin.client,
        "//div[@class='thread-frame']/p[@role='status'][normalize-space()='Assigned to Vic Volunteer.']",
        "and tells a screen reader",
    )
    .await;

    // A new message from the contact arrives in the coordinator's open thread by itself, while
    // she is writing: the thread loads again and her typing goes on where it was.
    coordinator
        .client
        .find(Locator::Css("form.composer textarea"))
        .await
        .unwrap()
        .send_keys(",")
        .await
        .unwrap();
    simulate_whatsapp_message(
        &admin,
        &server,
        &Inbound {
            from: "+15550143535",
            name: "Lia Live",
            text: "Still waiting",
        },
    )
    .await;
    shows(
        &coordinator.client,
        "//li[contains(@class, 'inbound')][contains(., 'Still waiting')]",
        "the new message shows live",
    )
    .await;
    shows(
        &coordinator.client,
        "//div[@class='thread-frame']/p[@role='status'][normalize-space()='New message from Lia Live.']",
        "a screen reader hears of it",
    )
    .await;
    let focused = coordinator.client.active_element().await.unwrap();
    assert_eq!(
        focused.attr("id").await.unwrap().as_deref(),
        Some("composer-body"),
        "the composer keeps the focus"
    );
    focused.send_keys(" we can call you today").await.unwrap();
    assert_eq!(
        coordinator
            .client
            .find(Locator::Css("form.composer textarea"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Hello Lia, we can call you today"),
        "and the caret where it was"
    );
    admin.close().await;
    coordinator.close().await;
}

/// Presses `key` the way a person does: on the page, not in a field.
async fn press(client: &Client, key: char) {
    client
        .perform_actions(
            KeyActions::new("keyboard".into())
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key }),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_volunteer_works_the_queue_by_keyboard() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    let client = &browser.client;
    receive_then_sign_in(
        &browser,
        &server,
        &Inbound {
            from: "+15550144646",
            name: "Kim Keys",
            text: "Hello?",
        },
        "volunteer@example.org",
    )
    .await;
    client.goto(&server.url("/?view=unassigned")).await.unwrap();
    browser.wait_for_hydration().await;
    press(client, 'j').await;
    let first = shows(
        client,
        "//a[contains(@class, 'conversation-row')][@aria-current='page']",
        "j opens the first conversation in the list",
    )
    .await;
    let contact = first
        .find(Locator::Css(".contact-name"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    shows(
        client,
        &format!("//h2[@id='thread-title'][normalize-space()='{contact}']"),
        "and shows it",
    )
    .await;
    press(client, 'a').await;
    shows(
        client,
        "//span[@class='assignee'][normalize-space()='Assigned to Vic Volunteer']",
        "a assigns it to me",
    )
    .await;
    press(client, 'e').await;
    shows(
        client,
        "//header[@class='thread-header']//span[@data-status='resolved']",
        "e resolves it",
    )
    .await;
    press(client, '/').await;
    let focused = client.active_element().await.unwrap();
    assert_eq!(
        focused.attr("id").await.unwrap().as_deref(),
        Some("search-query"),
        "/ goes to search"
    );
    browser.close().await;
}

#[tokio::test]
async fn a_volunteer_cannot_reach_coordinator_or_admin_pages_or_actions() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    let client = &browser.client;
    sign_in(&browser, &server, "volunteer@example.org").await;
    assert!(
        client
            .find(Locator::Css("nav a[href='/settings']"))
            .await
            .is_err()
    );
    assert!(
        client.find(Locator::Css("#view-tab-all")).await.is_err(),
        "no All view"
    );

    for (path, refusal) in [
        ("/settings", "Only coordinators and admins change settings."),
        ("/people", "does not allow"),
        ("/channels", "does not allow"),
    ] {
        client.goto(&server.url(path)).await.unwrap();
        browser.wait_for_hydration().await;
        let text = client
            .wait()
            .for_element(Locator::Css("[role=alert]"))
            .await
            .unwrap_or_else(|_| panic!("{path} refuses"))
            .text()
            .await
            .unwrap();
        assert!(text.contains(refusal), "{path}: {text}");
    }

    // Calling the server directly from the page is refused too.
    let codes = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const post = (path, body) => fetch(path, {
                 method: 'POST',
                 headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
                 body,
             }).then(r => r.json()).then(body => body.code);
             Promise.all([
                 post('/api/tags/create', 'name=Mine&colour=%23000000'),
                 post('/api/settings/inbox/update', 'settings%5Bonly_assignee_replies%5D=false&settings%5Bmask_numbers_for_volunteers%5D=false&settings%5Bauto_assign%5D=false&settings%5Bauto_assign_cap%5D=0'),
                 post('/api/conversations/assign', 'id=1&assignee_id=1'),
             ]).then(done);",
            vec![],
        )
        .await
        .unwrap();
    let codes: Vec<String> = serde_json::from_value(codes).unwrap();
    assert_eq!(codes, vec!["forbidden"; 3], "each is refused");
    browser.close().await;
}

#[tokio::test]
async fn templates_are_written_with_a_preview_and_sent_from_the_composer() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    let client = &browser.client;
    sign_in(&browser, &server, "admin@example.org").await;

    // An admin writing a template sees a sample field per variable and the text as sent.
    client.goto(&server.url("/templates")).await.unwrap();
    browser.wait_for_hydration().await;
    shows(
        client,
        "//tr[@data-template='appointment_reminder']//span[normalize-space()='Approved']",
        "the demo's approved template is listed",
    )
    .await;
    client
        .find(Locator::Css("#template-body"))
        .await
        .unwrap()
        .send_keys("Hi {{1}}, your parcel is ready.")
        .await
        .unwrap();
    shows(
        client,
        "//input[@id='template-sample-1']",
        "a sample field appears",
    )
    .await
    .send_keys("Ana")
    .await
    .unwrap();
    shows(
        client,
        "//p[@id='template-preview'][normalize-space()='Hi Ana, your parcel is ready.']",
        "the preview fills the sample in",
    )
    .await;

    // A document header's sample must be a document: the refused form comes back as it was typed.
    let picture = tempfile::tempdir().unwrap();
    let picture_path = picture.path().join("parcel.png");
    std::fs::write(&picture_path, b"\x89PNG\r\n\x1a\n-not-a-document").unwrap();
    client
        .find(Locator::Css("#template-name"))
        .await
        .unwrap()
        .send_keys("parcel_ready")
        .await
        .unwrap();
    client
        .find(Locator::Css("#template-header-kind"))
        .await
        .unwrap()
        .select_by_value("document")
        .await
        .unwrap();
    shows(
        client,
        "//input[@id='template-sample-file']",
        "a sample file field",
    )
    .await
    .send_keys(picture_path.to_str().unwrap())
    .await
    .unwrap();
    click(
        client,
        "//form[contains(@class, 'template-form')]//button[@type='submit']",
    )
    .await;
    shows(
        client,
        "//p[@id='template-posted-error'][contains(., 'choose the sample file again')]",
        "the refusal is explained",
    )
    .await;
    browser.wait_for_hydration().await;
    for (field, typed) in [
        ("#template-name", "parcel_ready"),
        ("#template-body", "Hi {{1}}, your parcel is ready."),
        ("#template-sample-1", "Ana"),
        ("#template-header-kind", "document"),
    ] {
        let value = client
            .find(Locator::Css(field))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(
            value.as_deref(),
            Some(typed),
            "{field} keeps what was typed"
        );
    }
    sign_out(&browser, &server).await;

    // A volunteer fills the approved template in and sends it.
    receive_and_open(
        &browser,
        &server,
        &Inbound {
            from: "+15550143535",
            name: "Tom Template",
            text: "Can I come <b>next week</b>?",
        },
        "volunteer@example.org",
        "unassigned",
    )
    .await;
    click(
        client,
        "//button[@role='tab'][normalize-space()='Template']",
    )
    .await;
    choose(client, "#template-choice", "appointment_reminder (en)").await;
    shows(
        client,
        "//input[@id='template-value-1']",
        "a field per variable",
    )
    .await
    .send_keys("Tom")
    .await
    .unwrap();
    client
        .find(Locator::Css("#template-value-2"))
        .await
        .unwrap()
        .send_keys("<i>Friday</i>")
        .await
        .unwrap();
    shows(
        client,
        "//p[@id='template-preview'][contains(., 'Hello Tom, this is a reminder of your appointment on <i>Friday</i>.')]",
        "the preview shows what Tom will read, markup as text",
    )
    .await;
    click(client, "//button[@id='send-template']").await;
    let sent = shows(
        client,
        "//li[contains(@class, 'outbound')][@data-kind='template']",
        "the template shows in the thread",
    )
    .await;
    assert!(
        sent.text()
            .await
            .unwrap()
            .contains("Hello Tom, this is a reminder of your appointment on <i>Friday</i>."),
        "the thread shows the filled-in template"
    );
    assert!(
        sent.find(Locator::Css("i")).await.is_err(),
        "values are text"
    );
}

#[tokio::test]
async fn a_volunteer_sends_a_picture_from_the_composer() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    let client = &browser.client;
    receive_and_open(
        &browser,
        &server,
        &Inbound {
            from: "+15550146464",
            name: "Fay File",
            text: "Where is the hall?",
        },
        "volunteer@example.org",
        "unassigned",
    )
    .await;
    let picture = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    std::fs::write(picture.path(), b"\x89PNG\r\n\x1a\n-map-of-the-hall").unwrap();
    client
        .find(Locator::Css("#file-input"))
        .await
        .unwrap()
        .send_keys(&picture.path().to_string_lossy())
        .await
        .unwrap();
    client
        .find(Locator::Css("#file-caption"))
        .await
        .unwrap()
        .send_keys("The map")
        .await
        .unwrap();
    click(client, "//button[@id='send-file']").await;
    let sent = shows(
        client,
        "//li[contains(@class, 'outbound')][@data-kind='image']",
        "the picture shows in the thread",
    )
    .await;
    assert!(sent.text().await.unwrap().contains("The map"));
    let image = sent.find(Locator::Css("img.attachment")).await.unwrap();
    let src = image.attr("src").await.unwrap().unwrap();
    assert!(src.starts_with("/media/"), "{src}");

    // A file of a type that could run as a page is refused, with the reason shown.
    let page = tempfile::Builder::new().suffix(".html").tempfile().unwrap();
    std::fs::write(page.path(), b"<script>alert(1)</script>").unwrap();
    client
        .find(Locator::Css("#file-input"))
        .await
        .unwrap()
        .send_keys(&page.path().to_string_lossy())
        .await
        .unwrap();
    click(client, "//button[@id='send-file']").await;
    let refused = shows(client, "//p[@id='file-error']", "the refusal is shown").await;
    assert!(refused.text().await.unwrap().contains("cannot be sent"));
}

#[tokio::test]
async fn a_volunteer_offers_reply_buttons_and_reads_a_mention() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    let client = &browser.client;
    receive_and_open(
        &browser,
        &server,
        &Inbound {
            from: "+15550147474",
            name: "Bo Buttons",
            text: "Can I come on Friday?",
        },
        "coordinator@example.org",
        "all",
    )
    .await;
    click(
        client,
        "//button[@role='tab'][normalize-space()='Private note']",
    )
    .await;
    write_in_composer(client, "@Vic can you answer Bo?").await;
    shows(client, "//li[contains(@class, 'note')]", "the note shows").await;
    sign_out(&browser, &server).await;

    sign_in(&browser, &server, "volunteer@example.org").await;
    client.goto(&server.url("/mentions")).await.unwrap();
    browser.wait_for_hydration().await;
    let mention = shows(
        client,
        "//li[contains(concat(' ', @class, ' '), ' mention ')][contains(., 'mentioned you, with Bo Buttons')]",
        "the mention is listed",
    )
    .await;
    assert!(mention.text().await.unwrap().contains("can you answer Bo?"));
    mention
        .find(Locator::Css("a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    shows(
        client,
        "//h2[@id='thread-title'][normalize-space()='Bo Buttons']",
        "the mention opens its conversation",
    )
    .await;

    click(client, "//summary[normalize-space()='Add reply buttons']").await;
    for (field, title) in [
        ("#reply-button-1", "Yes, Friday"),
        ("#reply-button-2", "No"),
    ] {
        client
            .find(Locator::Css(field))
            .await
            .unwrap()
            .send_keys(title)
            .await
            .unwrap();
    }
    write_in_composer(client, "Shall we book you in?").await;
    let sent = shows(
        client,
        "//li[contains(@class, 'outbound')][contains(., 'Shall we book you in?')]",
        "the reply shows",
    )
    .await;
    let offered = sent
        .find(Locator::Css("ul.offered-buttons"))
        .await
        .expect("the thread shows the buttons offered")
        .text()
        .await
        .unwrap();
    assert!(
        offered.contains("Yes, Friday") && offered.contains("No"),
        "{offered}"
    );
    browser.close().await;
}

#[tokio::test]
async fn an_admin_exports_then_erases_a_contact_on_request() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    let client = &browser.client;
    receive_and_open(
        &browser,
        &server,
        &Inbound {
            from: "+15550178787",
            name: "Erin Erase",
            text: "Please delete everything about me",
        },
        "admin@example.org",
        "all",
    )
    .await;
    let export = shows(
        client,
        "//a[normalize-space()='Export everything held (ZIP)']",
        "admins are offered the export",
    )
    .await;
    let href = export.attr("href").await.unwrap().unwrap_or_default();
    assert!(
        href.starts_with("/api/v1/contacts/") && href.ends_with("/export"),
        "{href}"
    );

    click(client, "//summary[normalize-space()='Erase this contact…']").await;
    let confirm = shows(
        client,
        "//input[@id='erase-confirm']",
        "the confirmation field",
    )
    .await;
    confirm.send_keys("Erin").await.unwrap();
    click(client, "//button[normalize-space()='Erase for good']").await;
    shows(
        client,
        "//*[@role='alert'][contains(., 'Type the contact')]",
        "a wrong confirmation is refused with the reason",
    )
    .await;
    confirm.send_keys(" Erase").await.unwrap();
    click(client, "//button[normalize-space()='Erase for good']").await;
    shows(
        client,
        "//p[@role='status'][normalize-space()='Erased: 1 conversations, 1 messages, 0 notes and 0 files are gone.']",
        "the erasure is confirmed with what went",
    )
    .await;

    client.goto(&server.url("/?view=all")).await.unwrap();
    browser.wait_for_hydration().await;
    let page = what_the_page_shows(client).await;
    assert!(
        !page.contains("Erin Erase") && !page.contains("delete everything"),
        "{page}"
    );
    browser.close().await;
}
