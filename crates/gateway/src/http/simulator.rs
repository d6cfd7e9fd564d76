//! The handset simulator over HTTP (`--demo`): what a simulated handset received, and the
//! user's reply to an open prompt. The logic is in [`crate::flows::handset`] and
//! [`crate::flows::answers`].

use crate::flows::handset::SimulatorError;
use crate::http::state::AppState;
use assent_proto::sim::{SimMessage, SimReply, SimReplyAnswer};
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

/// `POST /sim/handsets/{msisdn}/reply` with `{"message_id": "...", "text": "1"}`: the user
/// answers an open USSD or SMS prompt on the simulated handset ("1" yes, "2" no).
#[utoipa::path(post, path = "/sim/handsets/{msisdn}/reply", tag = "simulator",
    params(("msisdn" = String, Path, description = "E.164 number, `+` optional")),
    request_body(content = assent_proto::sim::SimReply, content_type = "application/json"),
    responses(
        (status = 200, description = "`{message_id, accepted}`: accepted is false when the request was no longer open", body = assent_proto::sim::SimReplyAnswer),
        (status = 400, description = "Not an E.164 number, a malformed body or an answer other than 1 or 2", body = crate::http::wire::OAuthError),
        (status = 404, description = "No open message with this id on this handset", body = crate::http::wire::OAuthError),
        (status = 503, description = "Database unreachable", body = crate::http::wire::OAuthError),
    ))]
pub async fn sim_reply(
    State(state): State<AppState>,
    Path(msisdn): Path<String>,
    body: Bytes,
) -> Result<Json<SimReplyAnswer>, SimulatorError> {
    let msisdn = crate::flows::handset::handset_number(&msisdn)?;
    // The body is proto's `SimReply` (unknown members refused); the error names it as the
    // members it expects, as it always has.
    let reply: SimReply = serde_json::from_slice(&body).map_err(|e| {
        SimulatorError::Invalid(format!("expected {{\"message_id\", \"text\"}}: {e}"))
    })?;
    let accepted =
        crate::flows::answers::sim_reply(&state, &msisdn, &reply.message_id, &reply.text).await?;
    Ok(Json(SimReplyAnswer {
        accepted,
        message_id: reply.message_id,
    }))
}
