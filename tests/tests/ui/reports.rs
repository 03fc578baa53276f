//! Reports in the real browser: a conversation answered through the sandbox shows up in the
//! figures, its reply is priced in the thread, and a figure leads to the conversations behind it.

use crate::harness;

use fantoccini::Locator;
use harness::{
    Browser, Inbound, Server, click, open_conversation, shows, sign_in, simulate_whatsapp_message,
    write_in_composer,
};

#[tokio::test]
async fn a_coordinator_reads_the_figures_and_drills_down_to_a_conversation() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    let client = &browser.client;
    sign_in(&browser, &server, "admin@example.org").await;
    simulate_whatsapp_message(
        &browser,
        &server,
        &Inbound {
            from: "+15550163636",
            name: "Rita Report",
            text: "Do you have nappies this week?",
        },
    )
    .await;
    open_conversation(&browser, &server, "all", "Rita Report").await;
    write_in_composer(client, "Yes, come by on Thursday").await;
    // The sandbox reports Meta's pricing with the delivery: a reply in the window is free.
    let cost = shows(
        client,
        "//li[contains(@class, 'outbound')]//span[contains(@class, 'message-cost')]",
        "the reply's cost",
    )
    .await;
    assert_eq!(
        cost.attr("title").await.unwrap().as_deref(),
        Some("WhatsApp service: Meta's pricing category times the rate table")
    );

    client.goto(&server.url("/reports")).await.unwrap();
    browser.wait_for_hydration().await;
    shows(
        client,
        "//dl[@id='report-figures']//dd/a[starts-with(@aria-label, 'Conversations opened: 1,')]",
        "one conversation opened",
    )
    .await;
    let first_response = shows(
        client,
        "//dl[@id='report-figures']//dd/a[starts-with(@aria-label, 'First response time: median ')]",
        "the first response time",
    )
    .await;
    assert_ne!(
        first_response.text().await.unwrap(),
        "—",
        "the reply is measured"
    );
    client
        .find(Locator::Css("figure#volume-chart svg[role=img]"))
        .await
        .expect("the volume chart is drawn");

    click(
        client,
        "//dl[@id='report-figures']//dd/a[starts-with(@aria-label, 'First response time')]",
    )
    .await;
    click(
        client,
        "//table[@id='shown-table']//a[normalize-space()='Rita Report']",
    )
    .await;
    shows(
        client,
        "//h2[@id='thread-title'][normalize-space()='Rita Report']",
        "the conversation behind the figure",
    )
    .await;
    browser.close().await;
}
