//! The volunteer's main flow on a phone (390 × 844): the list and the open conversation are
//! separate screens with a way back, the composer is in reach, and every control is at least
//! 44 px tall.

use crate::harness;

use fantoccini::{Client, Locator};
use std::time::Duration;

use harness::{
    Browser, Inbound, Server, click, receive_and_open, shows, wait_until, write_in_composer,
};

async fn displayed(client: &Client, css: &str) -> bool {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap()
}

/// The visible buttons, fields and links-styled-as-controls of the page lower than 44 px, as
/// "tag.class (height)".
async fn small_controls(client: &Client) -> Vec<String> {
    let found = client
        .execute(
            "return [...document.querySelectorAll('button, select, textarea, .button, .back-to-list, .conversation-row, .view-tab, input:not([type=checkbox]):not([type=radio]):not([type=hidden])')]
                .filter((element) => {
                    const box = element.getBoundingClientRect();
                    return element.offsetParent !== null && box.width > 2 && box.height > 2;
                })
                .filter((element) => element.getBoundingClientRect().height < 44)
                .map((element) => `${element.tagName.toLowerCase()}.${element.className} (${element.getBoundingClientRect().height})`);",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

#[tokio::test]
async fn a_volunteer_answers_from_a_phone() {
    let server = Server::start().await;
    let browser = Browser::start_with(&["--window-size=390,844"]).await;
    let client = &browser.client;
    receive_and_open(
        &browser,
        &server,
        &Inbound {
            from: "+15550147777",
            name: "Pia Phone",
            text: "Can someone call me?",
        },
        "volunteer@example.org",
        "unassigned",
    )
    .await;
    assert!(
        !displayed(client, "nav.conversation-list").await,
        "the conversation has the screen to itself"
    );
    assert_eq!(small_controls(client).await, Vec::<String>::new());
    click(client, "//button[normalize-space()='Assign to me']").await;
    shows(
        client,
        "//span[@class='assignee'][normalize-space()='Assigned to Vic Volunteer']",
        "taken",
    )
    .await;
    write_in_composer(client, "Yes, we will call you in ten minutes").await;
    shows(
        client,
        "//li[contains(@class, 'outbound')]//p[normalize-space()='Yes, we will call you in ten minutes']",
        "the reply",
    )
    .await;
    let composer_in_view = client
        .execute(
            "const box = document.querySelector('form.composer').getBoundingClientRect(); \
             return box.top >= 0 && box.bottom <= window.innerHeight;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(composer_in_view, true, "the composer is on the screen");

    // Back to the list where it was: Unassigned, which Pia has left.
    click(client, "//a[contains(@class, 'back-to-list')]").await;
    wait_until("the list is back", Duration::from_secs(15), async || {
        displayed(client, "nav.conversation-list").await
    })
    .await;
    assert!(!displayed(client, "section.conversation-pane").await);
    assert_eq!(
        client.current_url().await.unwrap().as_str(),
        server.url("/?view=unassigned")
    );
    assert_eq!(small_controls(client).await, Vec::<String>::new());
    browser.close().await;
}
