//! The Templates page's form for a template with a picture, video or document header: its
//! sample file is posted with it, so it is a plain multipart form that comes back to the page
//! with the outcome to show.

use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::response::Redirect;

use app::error::AppError;
use app::model::TemplateInput;

use crate::http::api::ApiActor;
use crate::http::media::read_form;
use crate::startup::AppState;

/// Parts: `template` (a [`TemplateInput`] as JSON), the file `sample`, and `version_of`, the
/// id of the template a new version replaces.
pub async fn template_form(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    form: Result<Multipart, MultipartRejection>,
) -> Redirect {
    let saved = async {
        let form = read_form(form, state.config.media_max_bytes, "sample").await?;
        let input: TemplateInput = form
            .json("template")?
            .ok_or_else(|| AppError::bad_request("The form has no template."))?;
        match form.text("version_of").and_then(|id| id.parse().ok()) {
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
    let (key, message) = match saved {
        Ok(template) => ("template_outcome", template.submission_outcome()),
        Err(error) => ("template_error", error.message),
    };
    Redirect::to(&format!(
        "/templates?{key}={}",
        url::form_urlencoded::byte_serialize(message.as_bytes()).collect::<String>()
    ))
}
