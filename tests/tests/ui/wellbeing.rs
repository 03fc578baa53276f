//! Volunteer wellbeing in a real browser: a contact's picture is blurred for a volunteer from
//! the first paint, and shown once they press "Show picture" (from the keyboard).

use crate::harness;

use fantoccini::{Client, Locator};
use harness::{Browser, Inbound, Server, receive_and_open, shows};

/// A red pixel.
const PICTURE: &[u8] = b"\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90\x77\x53\xde\x00\x00\x00\x0c\x49\x44\x41\x54\x78\x9c\x63\x38\xa1\xa1\x01\x00\x02\xd4\x01\x19\x05\x50\x8f\xa4\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";

/// The Enter key, as WebDriver spells it.
const ENTER: &str = "\u{E007}";

/// The CSS filter the browser applies to the thread's picture.
async fn picture_filter(client: &Client) -> String {
    client
        .execute(
            "return getComputedStyle(document.querySelector(\"img[alt='Photo from Rosa']\")).filter",
            vec![],
        )
        .await
        .expect("the picture's style")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_volunteer_sees_a_contacts_picture_blurred_until_they_ask_to_see_it() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    let client = &browser.client;
    receive_and_open(
        &browser,
        &server,
        &Inbound {
            from: "+15550147878",
            name: "Rosa",
            text: "This is what they did to the door",
        },
        "volunteer@example.org",
        "unassigned",
    )
    .await;
    // The picture comes with her message; the page is loaded again and the server renders it.
    server.attach_picture("Rosa", PICTURE).await;
    client.refresh().await.unwrap();
    browser.wait_for_hydration().await;

    let blurred = "//div[contains(@class, 'blurred-media')][contains(concat(' ', @class, ' '), ' blurred ')][.//img[@alt='Photo from Rosa']]";
    shows(client, blurred, "the picture, blurred").await;
    let filter = picture_filter(client).await;
    assert!(
        filter.starts_with("blur("),
        "the picture is blurred: {filter}"
    );

    // The button is a real button, labelled, reached and pressed from the keyboard.
    let show = shows(
        client,
        &format!("{blurred}//button[normalize-space()='Show picture']"),
        "the button that shows the picture",
    )
    .await;
    show.send_keys(ENTER).await.unwrap();

    shows(
        client,
        "//div[contains(@class, 'blurred-media')][not(contains(concat(' ', @class, ' '), ' blurred '))][.//img[@alt='Photo from Rosa']]",
        "the picture, no longer blurred",
    )
    .await;
    assert_eq!(picture_filter(client).await, "none");
    assert!(
        client
            .find(Locator::XPath("//button[normalize-space()='Show picture']"))
            .await
            .is_err(),
        "the button is gone once the picture shows"
    );
    browser.close().await;
}
