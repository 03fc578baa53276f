//! Accessibility in the real browser: axe-core, the engine most accessibility audits run on, finds
//! no serious or critical WCAG 2.1 A or AA violation on the pages people use, signed out and
//! signed in, with a conversation open, in the dark theme and in Arabic (right to left).

use crate::harness;

use std::path::PathBuf;

use fantoccini::{Client, Locator};
use harness::{Browser, Inbound, Server, open_conversation, sign_in, simulate_whatsapp_message};

/// axe-core's browser script; scripts/setup.sh installs it from npm.
fn axe_script() -> String {
    let path = std::env::var_os("SWITCHBOARD_AXE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap())
                .join(".cache/switchboard-tools/axe-core/node_modules/axe-core/axe.min.js")
        });
    std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "axe-core at {} (scripts/setup.sh installs it): {error}",
            path.display()
        )
    })
}

/// Runs axe-core on the page `client` shows and describes each serious or critical violation.
async fn audit(client: &Client, axe: &str, page: &str) -> Vec<String> {
    client.execute(axe, vec![]).await.unwrap();
    let violations = client
        .execute_async(
            r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, {
                runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
            }).then(
                (results) => done(results.violations
                    .filter((v) => v.impact === "serious" || v.impact === "critical")
                    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${
                        v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`)),
                (error) => done([`axe-core failed: ${error}`]),
            );
            "#,
            vec![],
        )
        .await
        .unwrap();
    violations
        .as_array()
        .expect("a list of violations")
        .iter()
        .map(|violation| format!("{page}: {}", violation.as_str().unwrap_or_default()))
        .collect()
}

#[tokio::test]
async fn axe_finds_no_serious_violation_on_the_pages_people_use() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    let client = &browser.client;
    let axe = axe_script();
    // The audit sees what it is there to see: a picture without a text alternative.
    client
        .goto("data:text/html,<!doctype html><html lang=en><title>Known</title><main><img src=x></main></html>")
        .await
        .unwrap();
    let known = audit(client, &axe, "a page with a known violation").await;
    assert!(
        known
            .iter()
            .any(|violation| violation.contains("critical image-alt")),
        "axe-core reports a missing alt text: {known:?}"
    );
    let mut violations = Vec::new();

    client.goto(&server.url("/login")).await.unwrap();
    browser.wait_for_hydration().await;
    violations.extend(audit(client, &axe, "/login").await);

    sign_in(&browser, &server, "admin@example.org").await;
    simulate_whatsapp_message(
        &browser,
        &server,
        &Inbound {
            from: "+15550147878",
            name: "Ada Access",
            text: "Is the food bank open on Saturday?",
        },
    )
    .await;
    for page in [
        "/",
        "/search?q=food",
        "/mentions",
        "/supervision",
        "/templates",
        "/channels",
        "/people",
        "/settings",
        "/audit",
        "/events",
        "/account",
        "/reports",
        "/reports?show=opened",
    ] {
        client.goto(&server.url(page)).await.unwrap();
        browser.wait_for_hydration().await;
        client
            .wait()
            .for_element(Locator::Css("main h1, main h2"))
            .await
            .unwrap_or_else(|_| panic!("{page} shows its heading"));
        violations.extend(audit(client, &axe, page).await);
    }

    open_conversation(&browser, &server, "all", "Ada Access").await;
    violations.extend(audit(client, &axe, "an open conversation").await);
    browser.close().await;

    // The dark theme, which follows the system setting, keeps the same promises.
    let dark = Browser::start_with(&["--force-dark-mode"]).await;
    let client = &dark.client;
    sign_in(&dark, &server, "admin@example.org").await;
    let background = client
        .execute(
            "return getComputedStyle(document.documentElement).backgroundColor;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(background, "rgb(15, 20, 25)", "the page is dark");
    for page in ["/", "/templates", "/settings", "/people", "/reports"] {
        client.goto(&server.url(page)).await.unwrap();
        dark.wait_for_hydration().await;
        violations.extend(audit(client, &axe, &format!("{page} (dark)")).await);
    }
    open_conversation(&dark, &server, "all", "Ada Access").await;
    violations.extend(audit(client, &axe, "an open conversation (dark)").await);
    dark.close().await;

    // A browser that asks for Arabic gets the sign-in page in Arabic, right to left.
    let asks_arabic = Browser::start_asking_for("ar").await;
    asks_arabic
        .client
        .goto(&server.url("/login"))
        .await
        .unwrap();
    asks_arabic
        .client
        .wait()
        .for_element(Locator::Css("html[lang=ar][dir=rtl]"))
        .await
        .expect("the sign-in page follows the browser's language");
    asks_arabic.wait_for_hydration().await;
    violations.extend(audit(&asks_arabic.client, &axe, "/login (Arabic)").await);
    asks_arabic.close().await;

    // In Arabic, chosen on the Account page: the page turns right-to-left and keeps the promises.
    let arabic = Browser::start().await;
    let client = &arabic.client;
    sign_in(&arabic, &server, "admin@example.org").await;
    client.goto(&server.url("/account")).await.unwrap();
    arabic.wait_for_hydration().await;
    client
        .find(Locator::Css("select[name=language]"))
        .await
        .unwrap()
        .select_by_value("ar")
        .await
        .unwrap();
    client
        .find(Locator::Css(
            "section[aria-labelledby=language-heading] button[type=submit]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Css("html[lang=ar][dir=rtl]"))
        .await
        .expect("the page reloads in Arabic, right to left");
    for page in [
        "/",
        "/search?q=food",
        "/templates",
        "/channels",
        "/people",
        "/account",
        "/settings",
        "/reports",
    ] {
        client.goto(&server.url(page)).await.unwrap();
        arabic.wait_for_hydration().await;
        violations.extend(audit(client, &axe, &format!("{page} (Arabic)")).await);
    }
    open_conversation(&arabic, &server, "all", "Ada Access").await;
    violations.extend(audit(client, &axe, "an open conversation (Arabic)").await);
    client.goto(&server.url("/")).await.unwrap();
    arabic.wait_for_hydration().await;
    // Mirrored: the name comes first on the right, the navigation follows to its left.
    let layout = client
        .execute(
            r#"const brand = document.querySelector(".topbar .brand").getBoundingClientRect();
               const nav = document.querySelector(".topbar nav").getBoundingClientRect();
               return [brand.right, nav.right, document.documentElement.clientWidth,
                       document.querySelector(".topbar nav a").textContent];"#,
            vec![],
        )
        .await
        .unwrap();
    let (brand_right, nav_right, width) = (
        layout[0].as_f64().unwrap(),
        layout[1].as_f64().unwrap(),
        layout[2].as_f64().unwrap(),
    );
    assert!(
        brand_right > width - 80.0 && nav_right < brand_right,
        "right to left: {layout}"
    );
    assert_eq!(layout[3], "صندوق الوارد", "the navigation speaks Arabic");
    arabic.close().await;

    assert!(
        violations.is_empty(),
        "axe-core found {} violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}
