//! The Templates page's form for a template with a picture, video or document header: its
//! sample file is posted with it, so it is a plain multipart form that comes back to the page
//! with the outcome to show, and with what was typed when it was refused.

use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::response::{IntoResponse, Redirect, Response};

use app::error::{AppError, ErrorCode};
use app::model::TemplateInput;

use crate::http::api::ApiActor;
use crate::http::media::{read_form, too_large_page};
use crate::startup::AppState;

/// Parts: `template` (a [`TemplateInput`] as JSON), the file `sample`, and `version_of`, the
/// id of the template a new version replaces.
pub async fn template_form(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let form = match read_form(form, state.config.media_max_bytes, "sample").await {
        Ok(form) => form,
        Err(error) if error.code == ErrorCode::PayloadTooLarge => {
            return too_large_page(&error, "/templates");
        }
        Err(error) => return back_to_page(&[("template_error", &error.message)]).into_response(),
    };
    // What was typed goes back with a refusal, so the page can fill the form in again.
    let draft = form
        .text("template")
        .filter(|json| json.len() <= MAX_DRAFT_BYTES)
        .map(str::to_owned);
    let version_of = form
        .text("version_of")
        .and_then(|id| id.parse::<i64>().ok());
    let saved = async {
        let input: TemplateInput = form
            .json("template")?
            .ok_or_else(|| AppError::bad_request("The form has no template."))?;
        match version_of {
            Some(id) => {
                state
                    .services
                    .new_template_version(&actor, id, input.category, input.content, form.file)
                    .await
            }
            None => {
                state
                    .services
                    .create_template(&actor, input, form.file)
                    .await
            }
        }
    }
    .await;
    let redirect = match saved {
        Ok(template) => back_to_page(&[("template_outcome", &template.submission_outcome())]),
        Err(error) => {
            let version_of = version_of.map(|id| id.to_string());
            let mut query = vec![("template_error", error.message.as_str())];
            query.extend(draft.as_deref().map(|draft| ("template_draft", draft)));
            query.extend(version_of.as_deref().map(|id| ("version_of", id)));
            back_to_page(&query)
        }
    };
    redirect.into_response()
}

/// A template's text is at most a few kilobytes; anything longer is not from the page's form
/// and is not worth an address that long.
const MAX_DRAFT_BYTES: usize = 16 * 1024;

fn back_to_page(query: &[(&str, &str)]) -> Redirect {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    Redirect::to(&format!("/templates?{query}"))
}
