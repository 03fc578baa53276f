//! Supervision in a real browser: an admin marks a volunteer as a trainee, the trainee's reply
//! waits for a coordinator's approval, and the coordinator approves it from the thread.

use crate::harness;

use fantoccini::Locator;
use harness::{
    Browser, Inbound, Server, click, open_conversation, receive_and_open, shows, sign_in, sign_out,
};

const REPLY: &str = "We can bring a parcel on Friday";

/// The reply in the thread, in the delivery state `status`.
fn reply_in(status: &str) -> String {
    format!("//li[contains(@class, 'outbound')][@data-status='{status}'][contains(., '{REPLY}')]")
}

#[tokio::test]
async fn a_trainees_reply_waits_for_a_coordinator_who_approves_it_from_the_thread() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    let client = &browser.client;

    // An admin marks Vic as a trainee on the People page.
    sign_in(&browser, &server, "admin@example.org").await;
    client.goto(&server.url("/people")).await.unwrap();
    browser.wait_for_hydration().await;
    click(
        client,
        "//tr[@data-email='volunteer@example.org']//input[contains(@class, 'trainee-toggle')]",
    )
    .await;
    shows(
        client,
        "//tr[@data-email='volunteer@example.org'][@data-trainee='true']",
        "Vic is a trainee",
    )
    .await;
    sign_out(&browser, &server).await;

    // A contact writes in; Vic takes the conversation and replies: the reply waits.
    receive_and_open(
        &browser,
        &server,
        &Inbound {
            from: "+15550143535",
            name: "Tom Trainee-Case",
            text: "Is there food this week?",
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
    client
        .wait()
        .for_element(Locator::Css("form.composer textarea:enabled"))
        .await
        .unwrap()
        .send_keys(REPLY)
        .await
        .unwrap();
    click(
        client,
        "//form[contains(@class, 'composer')]//button[@type='submit']",
    )
    .await;
    let waiting = shows(
        client,
        &reply_in("awaiting_approval"),
        "the reply waits for approval",
    )
    .await;
    assert!(
        waiting
            .text()
            .await
            .unwrap()
            .contains("Waiting for a coordinator's approval"),
        "the thread says why it is not sent"
    );
    assert!(
        waiting.find(Locator::Css("button.approve")).await.is_err(),
        "a volunteer cannot approve"
    );
    sign_out(&browser, &server).await;

    // Cora sees it on the Supervision board, then approves it from the thread.
    sign_in(&browser, &server, "coordinator@example.org").await;
    click(client, "//nav//a[normalize-space()='Supervision']").await;
    shows(
        client,
        &format!(
            "//li[contains(@class, 'held-reply')][contains(., 'Vic Volunteer')][contains(., '{REPLY}')]"
        ),
        "the board lists the held reply",
    )
    .await;
    open_conversation(&browser, &server, "all", "Tom Trainee-Case").await;
    click(
        client,
        &format!(
            "{}//button[normalize-space()='Approve and send']",
            reply_in("awaiting_approval")
        ),
    )
    .await;
    shows(
        client,
        "//li[contains(@class, 'conversation-event')][contains(., 'Cora Coordinator approved the reply by Vic Volunteer')]",
        "the approval is told in the thread",
    )
    .await;
    // On its way to the contact: out of approval, into the outbox like any reply (the demo's
    // sandbox channel has no provider behind it, so how far it gets is not asserted).
    let approved = shows(
        client,
        &format!(
            "//li[contains(@class, 'outbound')][contains(., '{REPLY}')][not(@data-status='awaiting_approval')][not(@data-status='rejected')]"
        ),
        "the reply is sent",
    )
    .await;
    assert!(
        !approved
            .text()
            .await
            .unwrap()
            .contains("Waiting for a coordinator's approval")
    );
    assert!(
        client.find(Locator::Css("button.approve")).await.is_err(),
        "nothing is left to approve"
    );
    browser.close().await;
}
