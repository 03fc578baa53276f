use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

use app::error::{AppError, ErrorCode};
use app::model::TemplateSend;
use app::ports::Actor;
use serde::de::DeserializeOwned;

use crate::http::api::ApiActor;
use crate::http::error::ApiError;
use crate::http::text::{has_nul, nul_refused};
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
        // Contacts' files are personal data: no copy is kept, not even in the browser.
        "private, no-store",
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

/// Whether a type is shown in the browser rather than downloaded: only passive pictures, sound
/// and video. SVG is a picture that can hold scripts and links, so it downloads like a document.
fn shows_inline(mime_type: &str) -> bool {
    let mime = mime_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let active = mime.contains("svg") || mime.contains("xml") || mime.contains("html");
    !active
        && ["image/", "audio/", "video/"]
            .iter()
            .any(|prefix| mime.starts_with(prefix))
}

/// Files from outside are opened in a sandbox: even if a browser renders one as a document, it
/// runs no script, submits no form and is not of this site's origin.
const FILE_CSP: &str = "sandbox; default-src 'none'; style-src 'unsafe-inline'";

/// Passive pictures, sound and video show inline; anything else downloads, so a document never
/// runs as a page of this site.
fn file_response(file: MediaFile, fallback_name: &str, cache: &str) -> Response {
    let inline = shows_inline(&file.mime_type);
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
        (header::CONTENT_SECURITY_POLICY, FILE_CSP.to_string()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

/// A `multipart/form-data` form: the file sent in one named part, if any, and the text parts.
pub struct Form {
    pub file: Option<Upload>,
    fields: Vec<(String, String)>,
}

impl Form {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    /// A text part holding JSON, such as `template`.
    pub fn json<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, AppError> {
        self.text(name)
            .map(|text| {
                serde_json::from_str(text).map_err(|error| {
                    AppError::unprocessable(format!(
                        "The form part \"{name}\" is not usable: {error}"
                    ))
                })
            })
            .transpose()
    }

    /// The form's file, which it must have.
    pub fn required_file(self, part: &str) -> Result<Upload, AppError> {
        self.file.ok_or_else(|| {
            AppError::bad_request(format!("Send the file as the form part named \"{part}\"."))
        })
    }
}

/// The most a text part of a form may hold: a caption, a template as JSON, an id. Text parts are
/// read into memory, so each is bounded, and read in chunks so that the bound holds while reading.
pub const MAX_TEXT_PART_BYTES: usize = 64 * 1024;

/// The most parts a form may have; with [`MAX_TEXT_PART_BYTES`] it bounds the text of a form.
pub const MAX_PARTS: usize = 16;

/// What a form body may hold besides its file: its text parts and the parts' headers.
pub const FORM_TEXT_ALLOWANCE: u64 = (MAX_PARTS * (MAX_TEXT_PART_BYTES + 1024)) as u64;

/// Bounds every `multipart/form-data` body to the largest file plus [`FORM_TEXT_ALLOWANCE`], on
/// every route: a body announced larger is refused at once with 413, and one that grows larger
/// while it is read fails the read (which [`read_form`] answers with 413). Other bodies keep the
/// extractors' own limits.
pub async fn limit_form_bodies(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"));
    if !is_form {
        return next.run(request).await;
    }
    let limit = state.config.media_max_bytes + FORM_TEXT_ALLOWANCE;
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if announced.is_some_and(|length| length > limit) {
        return ApiError(too_large_body(limit)).into_response();
    }
    let request = request.map(|body| {
        axum::body::Body::new(http_body_util::Limited::new(
            body,
            usize::try_from(limit).unwrap_or(usize::MAX),
        ))
    });
    next.run(request).await
}

fn too_large_body(limit: u64) -> AppError {
    AppError::payload_too_large(format!(
        "The upload is larger than {} MB in all.",
        limit.div_ceil(1_000_000)
    ))
}

/// Reads a `multipart/form-data` form whose file is the part named `file_part`, refusing
/// files over `limit` bytes, text parts over [`MAX_TEXT_PART_BYTES`] and forms of more than
/// [`MAX_PARTS`] parts as they are read, never reading more than that into memory. An empty
/// file part without a name (a file input left empty) is no file; a `caption` part is the
/// file's caption.
pub async fn read_form(
    form: Result<Multipart, MultipartRejection>,
    limit: u64,
    file_part: &str,
) -> Result<Form, AppError> {
    let mut form = form.map_err(|rejection| {
        AppError::bad_request(format!(
            "Send the file as multipart/form-data: {}",
            rejection.body_text()
        ))
    })?;
    let unreadable = |error: axum::extract::multipart::MultipartError| {
        if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            too_large_body(limit + FORM_TEXT_ALLOWANCE)
        } else {
            AppError::bad_request(format!(
                "The upload could not be read: {}",
                error.body_text()
            ))
        }
    };
    let mut file = None;
    let mut fields = Vec::new();
    let mut parts = 0;
    while let Some(mut field) = form.next_field().await.map_err(unreadable)? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(AppError::payload_too_large(format!(
                "The form has more than {MAX_PARTS} parts."
            )));
        }
        let name = field.name().unwrap_or_default().to_string();
        if name != file_part {
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                if text.len() + chunk.len() > MAX_TEXT_PART_BYTES {
                    return Err(AppError::payload_too_large(format!(
                        "The form part \"{name}\" is longer than {} KB.",
                        MAX_TEXT_PART_BYTES / 1024
                    )));
                }
                text.extend_from_slice(&chunk);
            }
            let text = String::from_utf8(text).map_err(|_| {
                AppError::bad_request(format!("The form part \"{name}\" is not UTF-8 text."))
            })?;
            fields.push((name, text));
            continue;
        }
        if file.is_some() {
            return Err(AppError::bad_request(format!(
                "Send one file, in the form part named \"{file_part}\"."
            )));
        }
        let mut upload = Upload {
            filename: field.file_name().map(str::to_string),
            mime_type: field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string(),
            bytes: Vec::new(),
            caption: String::new(),
        };
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if (upload.bytes.len() + chunk.len()) as u64 > limit {
                return Err(AppError::payload_too_large(format!(
                    "The file is larger than {}.",
                    crate::domain::sizes::limit_text(limit)
                )));
            }
            upload.bytes.extend_from_slice(&chunk);
        }
        let left_empty =
            upload.bytes.is_empty() && upload.filename.as_deref().unwrap_or("").is_empty();
        if !left_empty {
            file = Some(upload);
        }
    }
    let named_with_nul = file
        .as_ref()
        .and_then(|file: &Upload| file.filename.as_deref())
        .is_some_and(has_nul);
    if named_with_nul
        || fields
            .iter()
            .any(|(name, value)| has_nul(name) || has_nul(value))
    {
        return Err(nul_refused());
    }
    let mut form = Form { file: None, fields };
    form.file = file.map(|mut file| {
        file.caption = form.text("caption").unwrap_or_default().to_string();
        file
    });
    Ok(form)
}

/// A browser's form refused for its size: a page saying why, with the way back, and 413. The
/// other refusals go back to the form's page, but a body cut off mid-read may leave the browser
/// unable to follow a redirect with it.
pub fn too_large_page(error: &AppError, back: &str) -> Response {
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Upload too large</title></head><body><main><h1>This upload is too large</h1>\
         <p>{}</p><p><a href=\"{}\">Go back</a></p></main></body></html>",
        escape(&error.message),
        escape(back)
    );
    (
        axum::http::StatusCode::PAYLOAD_TOO_LARGE,
        axum::response::Html(page),
    )
        .into_response()
}

/// What the file form sends: a file with its caption or, with a `template` part (a
/// [`TemplateSend`] as JSON), that template with the file as its header.
pub async fn send_file_or_template(
    state: &AppState,
    actor: &Actor,
    conversation_id: i64,
    form: Form,
) -> Result<(), AppError> {
    match form.json::<TemplateSend>("template")? {
        Some(send) => {
            state
                .services
                .send_template(actor, conversation_id, send, form.file)
                .await
        }
        None => {
            let upload = form.required_file("file")?;
            state
                .services
                .send_file(actor, conversation_id, upload)
                .await
        }
    }
}

/// The composer's "Send a file" form, and its Template tab for a template with a picture,
/// video or document header: works without the page's script, and comes back to the
/// conversation with the outcome to show.
pub async fn send_file_form(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<i64>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let form = read_form(form, state.config.media_max_bytes, "file").await;
    if let Err(error) = &form
        && error.code == ErrorCode::PayloadTooLarge
    {
        return too_large_page(error, &format!("/conversations/{id}"));
    }
    let is_template = form
        .as_ref()
        .is_ok_and(|form| form.text("template").is_some());
    let sent = match form {
        Ok(form) => send_file_or_template(&state, &actor, id, form).await,
        Err(error) => Err(error),
    };
    match sent {
        Ok(()) => Redirect::to(&format!("/conversations/{id}")).into_response(),
        Err(error) => Redirect::to(&format!(
            "/conversations/{id}?{}={}",
            if is_template {
                "template_error"
            } else {
                "file_error"
            },
            url::form_urlencoded::byte_serialize(error.message.as_bytes()).collect::<String>()
        ))
        .into_response(),
    }
}
