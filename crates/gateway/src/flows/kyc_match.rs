//! CAMARA KYC Match (`POST /kyc-match/v1/match`) on the resource server's one pipeline: the
//! request becomes the Mobile Connect match request it is (its held fields as `mc_claims`;
//! its `phoneNumber` as `User-ID`), served by [`crate::flows::resource::serve`] with every
//! rule of a match there, in the same order — the token's life, DPoP, the SP's blacklisting,
//! the subject, scope, the user's consent (a generic token needs the user's consent in
//! force), withdrawn attributes, one-time spending, the audit of every access and refusal,
//! and the user's notification — and its answer and refusals are given back in CAMARA's
//! words ([`crate::rules::kyc_match`]).

use crate::flows::resource::{Endpoint, Refused, ResourceServer, serve};
use crate::rules::kyc_match::{self, KycError, KycRequest};
use crate::rules::resource::claims::NONE_SUPPORTED;
use crate::rules::resource::wire::{
    NOT_TIED, ResourceCall, ResourceError, ResourceErrorKind, Sender, TIED, UNKNOWN_USER,
    UserIdHeaders,
};
use serde_json::Value;

/// A refusal: CAMARA's words, and the pipeline's refusal it came from (the HTTP edge counts
/// it against the SP's and the address's budgets of refusals).
#[derive(Debug)]
pub struct KycRefused {
    pub error: KycError,
    pub refused: Option<Refused>,
}

/// A refusal of the resource server in CAMARA's words.
pub fn camara(error: &ResourceError) -> KycError {
    match error.kind {
        ResourceErrorKind::NoToken
        | ResourceErrorKind::InvalidToken
        | ResourceErrorKind::InvalidDpopProof => KycError::unauthenticated(),
        ResourceErrorKind::InsufficientScope => KycError::permission_denied(
            "the access token's scopes do not include a match service (mc_kyc_match)",
        ),
        ResourceErrorKind::AccessDenied => KycError::permission_denied(error.description.clone()),
        ResourceErrorKind::InvalidRequest => match error.description.as_str() {
            TIED => KycError::unnecessary_identifier(),
            NOT_TIED => KycError::missing_identifier(),
            UNKNOWN_USER => KycError::identifier_not_found(),
            NONE_SUPPORTED => KycError::permission_denied(
                "the access token's match services do not cover the fields asked",
            ),
            other => KycError::invalid_argument(other),
        },
        ResourceErrorKind::Server => KycError::new(500, "INTERNAL", "Server error"),
        ResourceErrorKind::Unavailable => KycError::new(503, "UNAVAILABLE", "Service Unavailable"),
    }
}

/// Matches `request` for the bearer of `token` (presented as `sender`): the response body.
pub async fn kyc_match(
    rs: &ResourceServer,
    token: &str,
    sender: Sender,
    request: &KycRequest,
    peer: Option<std::net::IpAddr>,
) -> Result<Value, KycRefused> {
    let call = ResourceCall {
        token: token.to_owned(),
        sender,
        mc_claims: Some(request.mc_claims()),
        // Seed 003's header pair names the number for a generic token; beside a user's
        // token it is refused there, as CAMARA refuses an unnecessary identifier.
        user_id: request.phone_number.as_ref().map(|number| UserIdHeaders {
            id_type: Some("MSISDN".into()),
            id: Some(number.trim_start_matches('+').to_owned()),
        }),
    };
    match serve(rs, Endpoint::KycMatch, &call, peer).await {
        Ok(disclosure) => Ok(kyc_match::response(
            request,
            &disclosure.claims,
            &disclosure.similarity,
        )),
        Err(refused) => Err(KycRefused {
            error: camara(&refused.error),
            refused: Some(refused),
        }),
    }
}
