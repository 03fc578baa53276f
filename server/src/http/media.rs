use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

use app::error::AppError;

use crate::http::api::ApiActor;
use crate::http::error::ApiError;
use crate::services::{MediaFile, Upload};
use crate::startup::AppState;

/// A contact's media file, for signed-in people only. Pictures, sound and video show inline;
/// anything else downloads, so a document never runs as a page of this site.
pub async fn media(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let file = state.services.media_file(&actor, id).await?;
    Ok(file_response(
        file,
        &format!("attachment-{id}"),
        "private, max-age=3600",
    ))
}

/// A file the team sent, for the provider fetching it through its shared link (Twilio MMS,
/// Messenger attachments). No sign-in: the link itself is the key.
pub async fn shared(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let file = state.services.shared_file(&token).await?;
    Ok(file_response(file, "file", "private, no-store"))
}

/// Pictures, sound and video show inline; anything else downloads, so a document never runs
/// as a page of this site.
fn file_response(file: MediaFile, fallback_name: &str, cache: &str) -> Response {
    let inline = ["image/", "audio/", "video/"]
        .iter()
        .any(|prefix| file.mime_type.starts_with(prefix));
    let name: String = file
        .filename
        .unwrap_or_else(|| fallback_name.to_string())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
        .collect();
    let disposition = format!(
        "{}; filename=\"{name}\"",
        if inline { "inline" } else { "attachment" }
    );
    let mut response = file.bytes.into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, file.mime_type),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, cache.to_string()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

/// Reads a `multipart/form-data` upload: a `file` part and an optional `caption`, refusing
/// files over `limit` bytes before reading them whole.
pub async fn read_upload(
    form: Result<Multipart, MultipartRejection>,
    limit: u64,
) -> Result<Upload, AppError> {
    let mut form = form.map_err(|rejection| {
        AppError::bad_request(format!(
            "Send the file as multipart/form-data: {}",
            rejection.body_text()
        ))
    })?;
    let unreadable = |error: axum::extract::multipart::MultipartError| {
        AppError::bad_request(format!(
            "The upload could not be read: {}",
            error.body_text()
        ))
    };
    let mut upload = Upload {
        filename: None,
        mime_type: String::new(),
        bytes: Vec::new(),
        caption: String::new(),
    };
    let mut has_file = false;
    while let Some(mut field) = form.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("file") => {
                has_file = true;
                upload.filename = field.file_name().map(str::to_string);
                upload.mime_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_string();
                while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                    if (upload.bytes.len() + chunk.len()) as u64 > limit {
                        return Err(AppError::unprocessable(format!(
                            "The file is larger than {} MB.",
                            limit / 1_000_000
                        )));
                    }
                    upload.bytes.extend_from_slice(&chunk);
                }
            }
            Some("caption") => upload.caption = field.text().await.map_err(unreadable)?,
            _ => {}
        }
    }
    if !has_file {
        return Err(AppError::bad_request(
            "Send the file as the form part named \"file\".",
        ));
    }
    Ok(upload)
}

/// The composer's "Send a file" form: works without the page's script, and comes back to the
/// conversation with the outcome to show.
pub async fn send_file_form(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<i64>,
    form: Result<Multipart, MultipartRejection>,
) -> Redirect {
    let sent = match read_upload(form, state.config.media_max_bytes).await {
        Ok(upload) => state.services.send_file(&actor, id, upload).await,
        Err(error) => Err(error),
    };
    match sent {
        Ok(()) => Redirect::to(&format!("/conversations/{id}")),
        Err(error) => Redirect::to(&format!(
            "/conversations/{id}?file_error={}",
            url::form_urlencoded::byte_serialize(error.message.as_bytes()).collect::<String>()
        )),
    }
}
