//! Requests the gateway makes to SPs' endpoints (CIBA notifications, Shared Signals pushes):
//! what may be said of a failed one.

/// A transport error without the URL (which may carry an SP's secrets in its query).
pub fn without_url(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "transport error"
    };
    kind.to_owned()
}
