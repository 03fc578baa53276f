use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use app::model::{AddedPerson, Me, NewPerson, Person, PersonChanges};

use super::{ApiActor, ApiJson, ApiPath};
use crate::http::error::ApiError;
use crate::startup::AppState;

pub async fn me(ApiActor(actor): ApiActor) -> Json<Me> {
    Json(actor.me())
}

pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<Person>>, ApiError> {
    Ok(Json(state.services.list_people(&actor).await?))
}

pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(new): ApiJson<NewPerson>,
) -> Result<(StatusCode, Json<AddedPerson>), ApiError> {
    let added = state
        .services
        .add_person(&actor, &new.email, &new.name, new.role)
        .await?;
    Ok((StatusCode::CREATED, Json(added)))
}

pub async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(changes): ApiJson<PersonChanges>,
) -> Result<Json<Person>, ApiError> {
    Ok(Json(
        state.services.update_person(&actor, id, changes).await?,
    ))
}
