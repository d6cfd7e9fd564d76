//! Customer care on a subscriber's behalf (`admin consents list`, `admin consents revoke`):
//! what the user has agreed to, and ending an SP's access for them, as the user would in the
//! app — tokens dead, withdrawal receipt, the SP told (Shared Signals), audited, and the user
//! told in the app and in their history.

use super::Gateway;
use crate::flows::admin::{AdminError, subscriber};
use crate::flows::consent::{EndedBy, client_name, covered_attributes, end_consent};
use crate::store::{Consent, QueuedSms, UserNotification};
use serde_json::json;

/// One grant in force, as customer care sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantView {
    pub consent: Consent,
    pub client_name: String,
    /// The attributes it lets the SP read (withdrawn ones left out).
    pub attributes: Vec<String>,
}

/// The subscriber's long-lived consents in force at `now_ms`, oldest first.
pub async fn consents_of(
    gateway: &Gateway,
    msisdn: &str,
    now_ms: i64,
) -> Result<Vec<GrantView>, AdminError> {
    let user = subscriber(&gateway.store, msisdn).await?.id;
    let mut views = Vec::new();
    for consent in gateway.store.user_live_consents(&user, now_ms).await? {
        views.push(GrantView {
            client_name: client_name(gateway, &consent.client_id).await?,
            attributes: covered_attributes(gateway, &consent),
            consent,
        });
    }
    Ok(views)
}

/// A grant as `admin consents list --json` prints it.
pub fn grant_json(view: &GrantView) -> serde_json::Value {
    let rfc3339 = crate::base::clock::rfc3339;
    json!({
        "grant_id": view.consent.id,
        "sp": view.consent.client_id,
        "sp_name": view.client_name,
        "scope": view.consent.scope.join(" "),
        "attributes": view.attributes,
        "withdrawn": view.consent.withdrawn,
        "granted_at": rfc3339(view.consent.granted_ms),
        "expires_at": view.consent.expires_ms.map(rfc3339),
    })
}

/// What a subscriber without the app reads when customer care ended an SP's access.
pub fn revoked_sms(client_name: &str) -> String {
    format!("Assent: at your request, customer care ended {client_name}'s access to your data.")
}

/// Ends every consent in force of the subscriber to `client_id`; how many. The user hears of
/// it in the app (a notification, when they have a device in use) or by SMS, and in their
/// history.
pub async fn revoke(gateway: &Gateway, msisdn: &str, client_id: &str) -> Result<usize, AdminError> {
    let now_ms = gateway.now_ms();
    let crate::store::User {
        id: user,
        msisdn: number,
        ..
    } = subscriber(&gateway.store, msisdn).await?;
    if gateway.store.client(client_id).await?.is_none() {
        return Err(AdminError::UnknownClient(client_id.to_owned()));
    }
    let consents = gateway
        .store
        .live_consents(&user, client_id, now_ms)
        .await?;
    let mut ended = 0;
    for consent in &consents {
        if end_consent(gateway, consent, EndedBy::Operator).await? {
            ended += 1;
        }
    }
    if ended == 0 {
        return Err(AdminError::NoConsent(client_id.to_owned()));
    }
    if gateway.store.live_devices(&user, now_ms).await?.is_empty() {
        // No app to tell: an SMS, sent by the serving gateway (this process has no network).
        let name = client_name(gateway, client_id).await?;
        gateway
            .store
            .queue_sms(&QueuedSms {
                id: crate::base::ids::new_id("q"),
                user_id: user,
                msisdn: number,
                text: revoked_sms(&name),
                created_ms: now_ms,
            })
            .await?;
    } else {
        gateway
            .store
            .queue_user_notification(&UserNotification {
                id: crate::base::ids::new_id("n"),
                user_id: user,
                client_id: client_id.to_owned(),
                kind: "consent_revoked".into(),
                detail: json!({"by": "operator", "consents": ended}).to_string(),
                created_ms: now_ms,
            })
            .await?;
    }
    Ok(ended)
}
