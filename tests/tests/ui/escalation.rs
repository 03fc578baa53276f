//! Escalation in a real browser: an admin lists a risk word on Settings; a message holding it
//! (in other case and without its accent) arrives while a coordinator has the inbox open; the
//! coordinator is alerted, finds the conversation at the top of the list marked "Urgent", and
//! clears the flag with a reason.

use crate::harness;

use fantoccini::Locator;
use harness::{Browser, Inbound, Server, click, shows, sign_in, simulate_whatsapp_message};

const CONTACT: &str = "Rita Risk";
const REASON: &str = "Called her back; she is safe with her sister";

/// The list's first row, when it is the contact's and says "Urgent".
fn first_row_urgent() -> String {
    format!(
        "(//a[contains(@class, 'conversation-row')])[1]\
         [.//*[normalize-space()='{CONTACT}']]\
         [.//span[contains(@class, 'urgent-marker')][contains(., 'Urgent')]]"
    )
}

#[tokio::test]
async fn a_risk_word_alerts_coordinators_and_they_clear_it_with_a_reason() {
    let server = Server::start().await;
    let admin = Browser::start().await;
    let coordinator = Browser::start().await;

    // The admin lists the risk words, one per line.
    sign_in(&admin, &server, "admin@example.org").await;
    admin.client.goto(&server.url("/settings")).await.unwrap();
    admin.wait_for_hydration().await;
    let words = admin
        .client
        .wait()
        .for_element(Locator::Css("textarea#risk-words"))
        .await
        .expect("admins have the risk words card");
    words.clear().await.unwrap();
    words.send_keys("kill myself\nSuicídio").await.unwrap();
    click(
        &admin.client,
        "//button[normalize-space()='Save risk words']",
    )
    .await;
    shows(
        &admin.client,
        "//section[@aria-labelledby='risk-words-heading']//p[@role='status'][normalize-space()='Saved.']",
        "the risk words are saved",
    )
    .await;

    // The coordinator has the inbox open when the message arrives.
    sign_in(&coordinator, &server, "coordinator@example.org").await;
    simulate_whatsapp_message(
        &admin,
        &server,
        &Inbound {
            from: "+15550147777",
            name: CONTACT,
            text: "Ando pensando em SUICIDIO",
        },
    )
    .await;
    shows(
        &coordinator.client,
        "//div[contains(@class, 'urgent-alerts')][@role='alert']\
         //li[contains(., 'risk word \u{201c}Suicídio\u{201d} marked a conversation urgent')]",
        "the coordinator is alerted without a reload",
    )
    .await;
    shows(
        &coordinator.client,
        &first_row_urgent(),
        "the urgent conversation leads the list, marked in words",
    )
    .await;

    // Opened, the thread says so too, and the coordinator clears it with a reason.
    click(&coordinator.client, &first_row_urgent()).await;
    shows(
        &coordinator.client,
        &format!(
            "//article[contains(@class, 'thread')][.//h2[@id='thread-title'][normalize-space()='{CONTACT}']]\
             //span[contains(@class, 'urgent-marker')][contains(., 'Urgent')]"
        ),
        "the thread is marked urgent",
    )
    .await;
    shows(
        &coordinator.client,
        "//li[contains(@class, 'conversation-event')]\
         [contains(., 'Marked urgent: a message holds the risk word \u{201c}Suicídio\u{201d}')]",
        "the thread tells why",
    )
    .await;
    coordinator
        .client
        .wait()
        .for_element(Locator::Css("form.urgent-form input#urgent-reason"))
        .await
        .expect("coordinators have the form")
        .send_keys(REASON)
        .await
        .unwrap();
    click(
        &coordinator.client,
        "//form[contains(@class, 'urgent-form')]//button[normalize-space()='Clear urgent flag']",
    )
    .await;
    shows(
        &coordinator.client,
        &format!(
            "//li[contains(@class, 'conversation-event')]\
             [contains(., 'Cora Coordinator cleared the urgent flag: {REASON}')]"
        ),
        "the clearing and its reason are told in the thread",
    )
    .await;
    shows(
        &coordinator.client,
        "//form[contains(@class, 'urgent-form')]//button[normalize-space()='Mark urgent']",
        "it can be marked urgent again",
    )
    .await;
    shows(
        &coordinator.client,
        &format!(
            "//a[contains(@class, 'conversation-row')][.//*[normalize-space()='{CONTACT}']]\
             [not(.//span[contains(@class, 'urgent-marker')])]"
        ),
        "the list no longer marks it",
    )
    .await;
    assert!(
        coordinator
            .client
            .find(Locator::Css("div.urgent-alerts"))
            .await
            .is_err(),
        "the alert went with the flag"
    );
    admin.close().await;
    coordinator.close().await;
}
