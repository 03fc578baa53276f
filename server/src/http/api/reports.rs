use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use app::model::{
    CostQuery, DailyReport, ReportConversation, ReportFigure, ReportQuery, ReportSummary,
};

use super::{ApiActor, ApiJson, ApiQuery};
use crate::domain::reports::BusinessHoursSettings;
use crate::http::error::ApiError;
use crate::startup::AppState;

pub async fn summary(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Json<ReportSummary>, ApiError> {
    let query = ReportQuery {
        show: None,
        ..query
    };
    Ok(Json(
        state.services.report_for(&actor, query).await?.summary,
    ))
}

pub async fn daily(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Json<DailyReport>, ApiError> {
    let query = ReportQuery {
        show: None,
        ..query
    };
    Ok(Json(state.services.report_for(&actor, query).await?.daily))
}

/// The conversations behind one figure (`show`), at most 200.
pub async fn conversations(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Json<Vec<ReportConversation>>, ApiError> {
    let query = ReportQuery {
        show: Some(query.show.unwrap_or(ReportFigure::Opened)),
        ..query
    };
    let report = state.services.report_for(&actor, query).await?;
    Ok(Json(report.shown.unwrap_or_default()))
}

pub async fn conversations_csv(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let csv = state.services.report_csv(&actor, query).await?;
    Ok(csv_download("switchboard-conversations.csv", csv))
}

pub async fn daily_csv(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let csv = state.services.report_daily_csv(&actor, query).await?;
    Ok(csv_download("switchboard-daily.csv", csv))
}

pub async fn people_csv(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let csv = state.services.report_people_csv(&actor, query).await?;
    Ok(csv_download("switchboard-people.csv", csv))
}

pub async fn hours_csv(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let csv = state.services.report_hours_csv(&actor, query).await?;
    Ok(csv_download("switchboard-hours.csv", csv))
}

pub async fn costs_csv(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<CostQuery>,
) -> Result<Response, ApiError> {
    let csv = state.services.cost_report_csv(&actor, query).await?;
    Ok(csv_download("switchboard-costs.csv", csv))
}

/// A CSV file the browser saves as `filename`.
fn csv_download(filename: &str, csv: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        csv,
    )
        .into_response()
}

pub async fn business_hours(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Option<BusinessHoursSettings>>, ApiError> {
    Ok(Json(state.services.business_hours_for(&actor).await?))
}

pub async fn update_business_hours(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(settings): ApiJson<BusinessHoursSettings>,
) -> Result<Json<BusinessHoursSettings>, ApiError> {
    Ok(Json(
        state
            .services
            .update_business_hours(&actor, settings)
            .await?,
    ))
}
