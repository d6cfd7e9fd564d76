//! The SMSC's address as the operator writes it:
//! `smpp://SYSTEM_ID:PASSWORD@HOST:PORT[?source=SENDER&window=N&enquire_link=SECONDS]`.

use std::time::Duration;

/// Where and as whom the gateway binds, and how it paces the session.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub system_id: String,
    pub password: String,
    /// The sender's address on submitted messages (`source_addr`); empty lets the SMSC
    /// choose.
    pub source: String,
    /// Submits awaiting their response at most (the SMSC's window).
    pub window: usize,
    /// Idle time after which the link is checked with `enquire_link`.
    pub enquire_link: Duration,
}

impl std::fmt::Debug for Endpoint {
    // The password stays out of logs and panics.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("system_id", &self.system_id)
            .field("source", &self.source)
            .field("window", &self.window)
            .field("enquire_link", &self.enquire_link)
            .finish_non_exhaustive()
    }
}

/// SMPP's conventional port (IANA `smpp`).
pub const DEFAULT_PORT: u16 = 2775;
/// Outstanding submits when the address names no window: a common SMSC default.
pub const DEFAULT_WINDOW: usize = 10;
/// `enquire_link` period when the address names none.
pub const DEFAULT_ENQUIRE_LINK: Duration = Duration::from_secs(30);

/// Why an SMSC address was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EndpointError {
    #[error("not a URL: {0}")]
    Url(String),
    #[error("the scheme must be smpp:// (got {0}://)")]
    Scheme(String),
    #[error("the address names no host")]
    NoHost,
    #[error("the system id (the URL's user) is missing or longer than 15 characters")]
    SystemId,
    #[error("the password is missing or longer than 8 characters")]
    Password,
    #[error("the source address is longer than 20 characters")]
    Source,
    #[error("{0} must be a whole number from 1 to {1}")]
    Number(&'static str, u64),
    #[error("unknown parameter {0:?} (known: source, window, enquire_link)")]
    Unknown(String),
}

impl std::str::FromStr for Endpoint {
    type Err = EndpointError;

    fn from_str(address: &str) -> Result<Self, Self::Err> {
        let url = url::Url::parse(address).map_err(|e| EndpointError::Url(e.to_string()))?;
        if url.scheme() != "smpp" {
            return Err(EndpointError::Scheme(url.scheme().to_owned()));
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or(EndpointError::NoHost)?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        // SMPP 3.4 §5.2.1: system_id is a C-octet string of at most 16 octets with its NUL,
        // the password of at most 9.
        let system_id = decode(url.username());
        if system_id.is_empty() || system_id.len() > 15 {
            return Err(EndpointError::SystemId);
        }
        let password = decode(url.password().unwrap_or(""));
        if password.is_empty() || password.len() > 8 {
            return Err(EndpointError::Password);
        }
        let mut endpoint = Endpoint {
            host,
            port: url.port().unwrap_or(DEFAULT_PORT),
            system_id,
            password,
            source: String::new(),
            window: DEFAULT_WINDOW,
            enquire_link: DEFAULT_ENQUIRE_LINK,
        };
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "source" if value.len() <= 20 => endpoint.source = value.into_owned(),
                "source" => return Err(EndpointError::Source),
                "window" => endpoint.window = number(&value, "window", 1000)? as usize,
                "enquire_link" => {
                    endpoint.enquire_link =
                        Duration::from_secs(number(&value, "enquire_link", 3600)?)
                }
                other => return Err(EndpointError::Unknown(other.to_owned())),
            }
        }
        Ok(endpoint)
    }
}

fn number(value: &str, name: &'static str, max: u64) -> Result<u64, EndpointError> {
    value
        .parse::<u64>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or(EndpointError::Number(name, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_part() -> Result<(), EndpointError> {
        let e: Endpoint =
            "smpp://assent:s%40cret@127.0.0.1:2776?source=Assent&window=4&enquire_link=5"
                .parse()?;
        assert_eq!(e.host, "127.0.0.1");
        assert_eq!(e.port, 2776);
        assert_eq!(e.system_id, "assent");
        assert_eq!(e.password, "s@cret");
        assert_eq!(e.source, "Assent");
        assert_eq!(e.window, 4);
        assert_eq!(e.enquire_link, Duration::from_secs(5));
        assert!(!format!("{e:?}").contains("s@cret"));
        Ok(())
    }

    #[test]
    fn defaults() -> Result<(), EndpointError> {
        let e: Endpoint = "smpp://id:pw@smsc.example".parse()?;
        assert_eq!(e.port, DEFAULT_PORT);
        assert_eq!(e.window, DEFAULT_WINDOW);
        assert_eq!(e.source, "");
        Ok(())
    }

    #[test]
    fn refuses_what_smpp_cannot_carry() {
        let refused = |a: &str| a.parse::<Endpoint>().err();
        assert_eq!(
            refused("http://id:pw@h:1"),
            Some(EndpointError::Scheme("http".into()))
        );
        assert_eq!(refused("smpp://h:1"), Some(EndpointError::SystemId));
        assert_eq!(refused("smpp://id@h:1"), Some(EndpointError::Password));
        assert_eq!(
            refused("smpp://id:123456789@h:1"),
            Some(EndpointError::Password)
        );
        assert_eq!(
            refused("smpp://id:pw@h:1?window=0"),
            Some(EndpointError::Number("window", 1000))
        );
        assert_eq!(
            refused("smpp://id:pw@h:1?colour=red"),
            Some(EndpointError::Unknown("colour".into()))
        );
    }
}
