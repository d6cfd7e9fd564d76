//! The handset simulator over HTTP (`--demo`): what a simulated handset received, and the
//! user's reply to an open prompt. The logic is in [`crate::flows::handset`] and
//! [`crate::flows::answers`].

use crate::flows::handset::SimulatorError;
use crate::http::state::AppState;
use assent_proto::sim::{SimDial, SimMessage, SimReply, SimReplyAnswer, UssdScreen};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};

/// `GET /sim/handsets/{msisdn}/messages`: what the simulated handset received, oldest first.
#[utoipa::path(get, path = "/sim/handsets/{msisdn}/messages", tag = "simulator",
    params(("msisdn" = String, Path, description = "E.164 number, `+` optional")),
    responses(
        (status = 200, description = "Messages, oldest first", body = Vec<assent_proto::sim::SimMessage>),
        (status = 400, description = "Not an E.164 number", body = crate::http::wire::OAuthError),
        (status = 404, description = "No such handset", body = crate::http::wire::OAuthError),
        (status = 503, description = "Database unreachable", body = crate::http::wire::OAuthError),
    ))]
pub async fn sim_messages(
    State(state): State<AppState>,
    Path(msisdn): Path<String>,
) -> Result<Json<Vec<SimMessage>>, SimulatorError> {
    Ok(Json(
        crate::flows::handset::sim_messages(&state, &msisdn).await?,
    ))
}

/// What a reply gets: a consent prompt's outcome, or a self-care session's next screen.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum SimReplyOutcome {
    Prompt(SimReplyAnswer),
    Screen(UssdScreen),
}

/// `POST /sim/handsets/{msisdn}/dial` with `{"code": "*123#"}`: the user dials a service
/// code; the operator's self-care code opens its menu (`--ussd-self-care-code`).
#[utoipa::path(post, path = "/sim/handsets/{msisdn}/dial", tag = "simulator",
    params(("msisdn" = String, Path, description = "E.164 number, `+` optional")),
    request_body(content = assent_proto::sim::SimDial, content_type = "application/json"),
    responses(
        (status = 200, description = "The first screen of the session: `{id, text}`", body = assent_proto::sim::UssdScreen),
        (status = 400, description = "Not an E.164 number, or a malformed body", body = crate::http::wire::OAuthError),
        (status = 404, description = "No service at this code, or not a subscriber", body = crate::http::wire::OAuthError),
        (status = 503, description = "Database unreachable", body = crate::http::wire::OAuthError),
    ))]
pub async fn sim_dial(
    State(state): State<AppState>,
    Path(msisdn): Path<String>,
    body: Bytes,
) -> Result<Json<UssdScreen>, SimulatorError> {
    let msisdn = crate::flows::handset::handset_number(&msisdn)?;
    let dial: SimDial = serde_json::from_slice(&body)
        .map_err(|e| SimulatorError::Invalid(format!("expected {{\"code\"}}: {e}")))?;
    Ok(Json(
        crate::flows::self_care::dial(&state, &msisdn, &dial.code).await?,
    ))
}

/// `POST /sim/handsets/{msisdn}/reply` with `{"message_id": "...", "text": "1"}`: the user
/// answers an open USSD or SMS prompt on the simulated handset ("1" yes, "2" no), or a
/// screen of a self-care session (any choice; the next screen comes back).
#[utoipa::path(post, path = "/sim/handsets/{msisdn}/reply", tag = "simulator",
    params(("msisdn" = String, Path, description = "E.164 number, `+` optional")),
    request_body(content = assent_proto::sim::SimReply, content_type = "application/json"),
    responses(
        (status = 200, description = "A prompt: `{message_id, accepted}` (accepted is false when the request was no longer open). A self-care screen: the next screen, `{id, text}`, with `\"end\": true` on the last", body = SimReplyOutcome),
        (status = 400, description = "Not an E.164 number, a malformed body or an answer other than 1 or 2", body = crate::http::wire::OAuthError),
        (status = 404, description = "No open message with this id on this handset", body = crate::http::wire::OAuthError),
        (status = 503, description = "Database unreachable", body = crate::http::wire::OAuthError),
    ))]
pub async fn sim_reply(
    State(state): State<AppState>,
    Path(msisdn): Path<String>,
    body: Bytes,
) -> Result<Json<SimReplyOutcome>, SimulatorError> {
    let msisdn = crate::flows::handset::handset_number(&msisdn)?;
    // The body is proto's `SimReply` (unknown members refused); the error names it as the
    // members it expects, as it always has.
    let reply: SimReply = serde_json::from_slice(&body).map_err(|e| {
        SimulatorError::Invalid(format!("expected {{\"message_id\", \"text\"}}: {e}"))
    })?;
    if let Some(screen) =
        crate::flows::self_care::reply(&state, &msisdn, &reply.message_id, &reply.text).await?
    {
        return Ok(Json(SimReplyOutcome::Screen(screen)));
    }
    let accepted =
        crate::flows::answers::sim_reply(&state, &msisdn, &reply.message_id, &reply.text).await?;
    Ok(Json(SimReplyOutcome::Prompt(SimReplyAnswer {
        accepted,
        message_id: reply.message_id,
    })))
}
