//! CAMARA KYC Match (`POST /kyc-match/v1/match`) on the resource server's one pipeline: the
//! request becomes the Mobile Connect match request it is (its held fields as `mc_claims`;
//! a two-legged token's `phoneNumber` as `User-ID`), served by
//! [`crate::flows::resource::serve`] with every rule of a match there — the token's life,
//! DPoP, scope, the user's consent (a generic token needs the user's consent in force),
//! withdrawn attributes, one-time spending, the audit and the user's notification — and its
//! answer and refusals are given back in CAMARA's words ([`crate::rules::kyc_match`]).

use crate::flows::resource::{Endpoint, ResourceServer, serve, validate};
use crate::rules::kyc_match::{self, KycError, KycRequest};
use crate::rules::resource::wire::{
    ResourceCall, ResourceError, ResourceErrorKind, Sender, UserIdHeaders,
};
use serde_json::Value;

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
        ResourceErrorKind::InvalidRequest => KycError::invalid_argument(error.description.clone()),
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
) -> Result<Value, KycError> {
    // Who the subject is depends on the token: a user's (three-legged) names it, a generic
    // one (two-legged) needs the phone number. The pipeline reads the token again, with
    // everything else.
    let facts = validate(rs, token).await.map_err(|e| camara(&e))?;
    let user_id = match (&facts.user_id, &request.phone_number) {
        (Some(_), Some(_)) => return Err(KycError::unnecessary_identifier()),
        (Some(_), None) => None,
        (None, None) => return Err(KycError::missing_identifier()),
        (None, Some(number)) => {
            let digits = number.trim_start_matches('+').to_owned();
            // Only a caller whose token could ask learns whether the number is a
            // subscriber's (the same answer the Mobile Connect match gives to `User-ID`).
            if rs
                .store
                .user_by_msisdn(&digits)
                .await
                .map_err(|e| camara(&e.into()))?
                .is_none()
            {
                return Err(KycError::identifier_not_found());
            }
            Some(UserIdHeaders {
                id_type: Some("MSISDN".into()),
                id: Some(digits),
            })
        }
    };
    let claims = request.mc_claims();
    if claims.is_empty() {
        // Nothing the operator holds was asked: every field is `not_available`, for a token
        // that may match at all.
        if !crate::rules::resource::claims::has_match_service(&rs.catalog, &facts.scope) {
            return Err(camara(&ResourceError::insufficient_scope()));
        }
        return Ok(kyc_match::response(request, &serde_json::Map::new(), &[]));
    }
    let call = ResourceCall {
        token: token.to_owned(),
        sender,
        mc_claims: Some(claims),
        user_id,
    };
    match serve(rs, Endpoint::KycMatch, &call, peer).await {
        Ok(disclosure) => Ok(kyc_match::response(
            request,
            &disclosure.claims,
            &disclosure.similarity,
        )),
        Err(refused) => Err(camara(&refused.error)),
    }
}
