//! The session against an SMSC written here with `rusmpp`'s own codec, for what node-smpp
//! cannot be made to show: the window holds back a submit while another awaits its
//! response, and a refused bind is retried without a link ever being reported.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_smpp::{Client, Endpoint, Submission};
use futures_util::{SinkExt, StreamExt};
use rusmpp::pdus::{BindTransceiverResp, SubmitSmResp};
use rusmpp::tokio_codec::CommandCodec;
use rusmpp::types::COctetString;
use rusmpp::{Command, CommandStatus, Pdu};
use std::str::FromStr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::Framed;

type Link = Framed<TcpStream, CommandCodec>;

async fn listener() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    (listener, port)
}

async fn next(link: &mut Link) -> Command {
    tokio::time::timeout(Duration::from_secs(10), link.next())
        .await
        .expect("a PDU from the gateway")
        .unwrap()
        .unwrap()
}

/// Accepts the connection and answers its bind with `status`.
async fn accept_bind(listener: &TcpListener, status: CommandStatus) -> Link {
    let (stream, _) = listener.accept().await.unwrap();
    let mut link = Framed::new(stream, CommandCodec::new());
    let bind = next(&mut link).await;
    assert!(matches!(bind.pdu(), Some(Pdu::BindTransceiver(_))));
    let resp = BindTransceiverResp::builder()
        .system_id(COctetString::from_str("smsc").unwrap())
        .build();
    link.send(Command::new(status, bind.sequence_number(), resp))
        .await
        .unwrap();
    link
}

fn sms(text: &str) -> Submission {
    Submission {
        to: "447700900001".into(),
        parts: assent_smpp::sms_parts(text, "gsm7", 1).unwrap(),
        ussd: None,
        receipt: false,
    }
}

#[tokio::test]
async fn the_window_holds_a_submit_back_until_the_one_before_is_answered() {
    let (listener, port) = listener().await;
    let endpoint = Endpoint::from_str(&format!("smpp://id:pw@127.0.0.1:{port}?window=1")).unwrap();
    let (client, _inbound) = Client::start(endpoint);
    let mut link = accept_bind(&listener, CommandStatus::EsmeRok).await;

    let (one, two) = (client.clone(), client.clone());
    let first = tokio::spawn(async move { one.submit(sms("one")).await });
    let submitted = next(&mut link).await;
    let second = tokio::spawn(async move { two.submit(sms("two")).await });
    // Nothing more while the first awaits its response (window = 1).
    assert!(
        tokio::time::timeout(Duration::from_millis(500), link.next())
            .await
            .is_err(),
        "a second submit went out inside a window of one"
    );
    let resp = SubmitSmResp::new(COctetString::from_str("A").unwrap(), Vec::new());
    link.send(Command::new(
        CommandStatus::EsmeRok,
        submitted.sequence_number(),
        resp,
    ))
    .await
    .unwrap();
    let following = next(&mut link).await;
    assert!(matches!(following.pdu(), Some(Pdu::SubmitSm(_))));
    let resp = SubmitSmResp::new(COctetString::from_str("B").unwrap(), Vec::new());
    link.send(Command::new(
        CommandStatus::EsmeRok,
        following.sequence_number(),
        resp,
    ))
    .await
    .unwrap();
    assert_eq!(first.await.unwrap(), Ok(vec!["A".to_owned()]));
    assert_eq!(second.await.unwrap(), Ok(vec!["B".to_owned()]));
}

#[tokio::test]
async fn a_refused_bind_is_tried_again_and_never_reported_bound() {
    let (listener, port) = listener().await;
    let endpoint = Endpoint::from_str(&format!("smpp://id:wrong@127.0.0.1:{port}")).unwrap();
    let (client, _inbound) = Client::start(endpoint);
    let _refused = accept_bind(&listener, CommandStatus::EsmeRbindfail).await;
    assert!(!client.bound(Duration::from_millis(200)).await);
    // Bound on the next attempt (after the pause).
    let _link = accept_bind(&listener, CommandStatus::EsmeRok).await;
    assert!(client.bound(Duration::from_secs(5)).await);
    assert_eq!(client.link().binds, 1);
}
