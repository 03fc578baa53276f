//! What lets Switchboard be installed as an app on a phone or a desktop (a progressive web
//! app): the manifest, the icons, the service worker and the page it shows offline. The files
//! live in `server/pwa/` and are built into the binary. None holds personal data, so they may
//! be cached; `no-cache` makes browsers check for a newer version on each use.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const MANIFEST: &str = include_str!("../../pwa/manifest.webmanifest");
const SERVICE_WORKER: &str = include_str!("../../pwa/sw.js");
const REGISTRATION: &str = include_str!("../../pwa/service-worker-registration.js");
const OFFLINE_PAGE: &str = include_str!("../../pwa/offline.html");
const ICON_SVG: &str = include_str!("../../pwa/icon.svg");
const ICON_192: &[u8] = include_bytes!("../../pwa/icon-192.png");
const ICON_512: &[u8] = include_bytes!("../../pwa/icon-512.png");

/// The paths served here, which anyone may load: the sign-in page installs too.
pub const PUBLIC_PATHS: [&str; 5] = [
    "/manifest.webmanifest",
    "/sw.js",
    "/service-worker-registration.js",
    "/offline.html",
    "/icons/",
];

fn file(content_type: &'static str, body: impl IntoResponse) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

pub async fn manifest() -> Response {
    file("application/manifest+json", MANIFEST)
}

pub async fn service_worker() -> Response {
    file("text/javascript; charset=utf-8", SERVICE_WORKER)
}

pub async fn registration() -> Response {
    file("text/javascript; charset=utf-8", REGISTRATION)
}

pub async fn offline_page() -> Response {
    file("text/html; charset=utf-8", OFFLINE_PAGE)
}

pub async fn icon(Path(name): Path<String>) -> Response {
    match name.as_str() {
        "icon.svg" => file("image/svg+xml", ICON_SVG),
        "icon-192.png" => file("image/png", ICON_192),
        "icon-512.png" => file("image/png", ICON_512),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
