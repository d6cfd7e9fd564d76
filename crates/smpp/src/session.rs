//! The ESME's side of one SMPP 3.4 transceiver session, kept bound for as long as the
//! [`Client`] lives: the I/O edge of this crate.
//!
//! One task owns the connection. It binds (`bind_transceiver`), then:
//! - sends the submits queued by [`Client::submit`], at most [`Endpoint::window`] awaiting
//!   their response at once;
//! - resubmits a part the SMSC answered with `ESME_RTHROTTLED` or `ESME_RMSGQFUL` after a
//!   pause that doubles while the SMSC keeps refusing;
//! - checks the link with `enquire_link` when idle and drops it when the SMSC stops
//!   answering;
//! - hands what the SMSC delivers (a mobile-originated text, a USSD indication or answer, a
//!   delivery receipt) to the receiver of [`Inbound`] with an [`Ack`]: the `deliver_sm_resp`
//!   goes back only when the receiver says it has recorded it, so the SMSC redelivers
//!   whatever the gateway did not keep (and with "try again later" at once when the
//!   receiver is 256 deliveries behind: the task never waits on it, since the receiver may
//!   itself be waiting on a submit's response that only this task reads);
//! - on a lost connection, reconnects with a backoff that doubles to half a minute, and
//!   resubmits every part whose response had not come (at least once: an SMSC that had taken
//!   it shows it twice, which loses nothing).
//!
//! A submit that cannot be placed within [`SUBMIT_TIMEOUT`] fails with
//! [`SubmitError::Unavailable`], and is then no longer sent.

use crate::endpoint::Endpoint;
use crate::message::{self, DeliveryState, Part, Receipt, UssdOp};
use futures_util::{SinkExt, StreamExt};
use rusmpp::pdus::{BindTransceiver, DeliverSmResp, SubmitSm};
use rusmpp::tlvs::{MessageSubmissionRequestTlvValue, TlvValue};
use rusmpp::tokio_codec::CommandCodec;
use rusmpp::types::{COctetString, OctetString};
use rusmpp::values::{
    DataCoding, EsmClass, GenericServiceType, InterfaceVersion, IntermediateNotification,
    MCDeliveryReceipt, Npi, RegisteredDelivery, ServiceType, SmeOriginatedAcknowledgement, Ton,
    UssdServiceOp,
};
use rusmpp::{Command, CommandStatus, Pdu};
use std::collections::{HashMap, VecDeque};
use std::str::FromStr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
use tokio_util::codec::Framed;

/// How long a submit may wait for the link and the SMSC's response.
pub const SUBMIT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the SMSC has to answer a bind or an `enquire_link`.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);
/// The first pause before reconnecting; it doubles up to [`RECONNECT_MAX`].
pub const RECONNECT_MIN: Duration = Duration::from_millis(500);
pub const RECONNECT_MAX: Duration = Duration::from_secs(30);
/// The first pause after `ESME_RTHROTTLED`; it doubles up to [`THROTTLE_MAX`].
pub const THROTTLE_MIN: Duration = Duration::from_millis(500);
pub const THROTTLE_MAX: Duration = Duration::from_secs(8);

/// Why a message was not taken by the SMSC.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SubmitError {
    /// No bound link within [`SUBMIT_TIMEOUT`], or the session has ended.
    #[error("the SMSC is not reachable")]
    Unavailable,
    /// The SMSC refused the message for good (its `command_status`).
    #[error("the SMSC refused the message (command_status {0:#010x})")]
    Refused(u32),
    /// The address cannot be put in a `submit_sm`.
    #[error("the address {0:?} is not one SMPP carries")]
    Address(String),
}

/// A message to one handset: its parts (one for USSD), in order.
#[derive(Debug, Clone)]
pub struct Submission {
    /// International digits without `+` (TON 1, NPI 1).
    pub to: String,
    pub parts: Vec<Part>,
    /// The USSD operation, for a USSD screen; `None` for an SMS.
    pub ussd: Option<UssdOp>,
    /// Ask the SMSC for a delivery receipt.
    pub receipt: bool,
}

/// What the SMSC delivered.
#[derive(Debug)]
pub enum Inbound {
    /// A text from a handset, with the acknowledgement to give once it is recorded.
    Message(MobileOriginated, Ack),
    /// A delivery receipt for a message submitted earlier.
    Receipt(Receipt, Ack),
}

/// A text from a handset: an SMS, a dialled USSD code or a USSD answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MobileOriginated {
    /// The handset's number as the SMSC gave it (international digits).
    pub from: String,
    pub to: String,
    pub text: String,
    pub ussd: Option<UssdOp>,
}

/// The `deliver_sm_resp` owed to the SMSC for one delivery. Dropped without a word, it
/// answers `ESME_RX_T_APPN` (try again later).
#[derive(Debug)]
pub struct Ack {
    sequence: u32,
    generation: u64,
    responses: mpsc::UnboundedSender<Response>,
    given: bool,
}

#[derive(Debug)]
struct Response {
    generation: u64,
    sequence: u32,
    status: CommandStatus,
}

impl Ack {
    /// Recorded: the SMSC may forget it.
    pub fn accept(mut self) {
        self.give(CommandStatus::EsmeRok);
    }

    /// Not recorded now (the store is unreachable): the SMSC should deliver it again.
    pub fn retry_later(mut self) {
        self.give(CommandStatus::EsmeRxTAppn);
    }

    /// Never to be recorded (it cannot be read): the SMSC should not deliver it again.
    pub fn reject(mut self) {
        self.give(CommandStatus::EsmeRxRAppn);
    }

    fn give(&mut self, status: CommandStatus) {
        if !self.given {
            self.given = true;
            // The session may have ended meanwhile; the SMSC then redelivers on its own.
            let _ = self.responses.send(Response {
                generation: self.generation,
                sequence: self.sequence,
                status,
            });
        }
    }
}

impl Drop for Ack {
    fn drop(&mut self) {
        self.give(CommandStatus::EsmeRxTAppn);
    }
}

/// The link as the session last saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Link {
    pub bound: bool,
    /// Successful binds so far: more than one means the session reconnected.
    pub binds: u64,
    /// Submits the SMSC throttled (`ESME_RTHROTTLED`, `ESME_RMSGQFUL`) and that were
    /// resubmitted after a pause.
    pub throttled: u64,
}

#[derive(Debug)]
struct Request {
    pdu: SubmitSm,
    reply: oneshot::Sender<Result<String, SubmitError>>,
}

/// The handle the gateway sends through. Dropping every clone ends the session (with an
/// `unbind`).
#[derive(Debug, Clone)]
pub struct Client {
    requests: mpsc::Sender<Request>,
    link: watch::Receiver<Link>,
    reference: std::sync::Arc<std::sync::atomic::AtomicU8>,
    /// The sender's address on every message.
    source: String,
}

impl Client {
    /// Starts the session (in the background: the first bind may take a while) and returns
    /// the handle and what the SMSC delivers.
    pub fn start(endpoint: Endpoint) -> (Client, mpsc::Receiver<Inbound>) {
        let (requests_tx, requests_rx) = mpsc::channel(1024);
        let (inbound_tx, inbound_rx) = mpsc::channel(256);
        let (link_tx, link_rx) = watch::channel(Link::default());
        let source = endpoint.source.clone();
        tokio::spawn(run(endpoint, requests_rx, inbound_tx, link_tx));
        (
            Client {
                requests: requests_tx,
                link: link_rx,
                reference: std::sync::Arc::default(),
                source,
            },
            inbound_rx,
        )
    }

    /// The link now.
    pub fn link(&self) -> Link {
        *self.link.borrow()
    }

    /// The link as it changes (for metrics and health).
    pub fn link_changes(&self) -> watch::Receiver<Link> {
        self.link.clone()
    }

    /// Waits until the link is bound (at most `within`).
    pub async fn bound(&self, within: Duration) -> bool {
        let mut link = self.link.clone();
        tokio::time::timeout(within, link.wait_for(|l| l.bound))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// A reference for the segments of one concatenated message (TS 23.040: different for
    /// consecutive messages to a handset).
    pub fn next_reference(&self) -> u8 {
        self.reference
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// Submits every part and returns the SMSC's message id of each, in order.
    pub async fn submit(&self, submission: Submission) -> Result<Vec<String>, SubmitError> {
        let mut replies = Vec::with_capacity(submission.parts.len());
        for part in &submission.parts {
            let (reply, replied) = oneshot::channel();
            let pdu = submit_sm(&self.source, &submission, part)?;
            self.requests
                .send(Request { pdu, reply })
                .await
                .map_err(|_| SubmitError::Unavailable)?;
            replies.push(replied);
        }
        let deadline = Instant::now() + SUBMIT_TIMEOUT;
        let mut ids = Vec::with_capacity(replies.len());
        for replied in replies {
            // Dropping the receivers on timeout withdraws every part not yet sent.
            match tokio::time::timeout_at(deadline, replied).await {
                Ok(Ok(result)) => ids.push(result?),
                Ok(Err(_)) | Err(_) => return Err(SubmitError::Unavailable),
            }
        }
        Ok(ids)
    }
}

fn address(value: &str) -> Result<COctetString<1, 21>, SubmitError> {
    COctetString::from_str(value).map_err(|_| SubmitError::Address(value.to_owned()))
}

fn submit_sm(source: &str, submission: &Submission, part: &Part) -> Result<SubmitSm, SubmitError> {
    let to = &submission.to;
    if to.is_empty() || to.len() > 15 || !to.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SubmitError::Address(to.clone()));
    }
    // Default mode and type; the UDHI bit (0x40) when the payload starts with a header.
    // (Built from bits: `EsmClass::default()` sets an ANSI-41 bit.)
    let esm_class = EsmClass::from(if part.udhi { 0x40 } else { 0x00 });
    let registered_delivery = if submission.receipt {
        RegisteredDelivery::new(
            MCDeliveryReceipt::McDeliveryReceiptRequestedWhereFinalDeliveryOutcomeIsSuccessOrFailure,
            SmeOriginatedAcknowledgement::default(),
            IntermediateNotification::default(),
            0,
        )
    } else {
        RegisteredDelivery::default()
    };
    let service_type = if submission.ussd.is_some() {
        ServiceType::from(GenericServiceType::UnstructuredSupplementaryServicesData)
    } else {
        ServiceType::default()
    };
    let short_message = OctetString::from_vec(part.short_message.clone())
        .map_err(|_| SubmitError::Address(to.clone()))?;
    // A sender in digits is an international number; anything else an alphanumeric name
    // (TON 5), as SMSCs expect.
    let (source_ton, source_npi) = if source.is_empty() {
        (Ton::Unknown, Npi::Unknown)
    } else if source.bytes().all(|b| b.is_ascii_digit()) {
        (Ton::International, Npi::Isdn)
    } else {
        (Ton::Alphanumeric, Npi::Unknown)
    };
    let mut builder = SubmitSm::builder()
        .service_type(service_type)
        .source_addr_ton(source_ton)
        .source_addr_npi(source_npi)
        .source_addr(address(source)?)
        .dest_addr_ton(Ton::International)
        .dest_addr_npi(Npi::Isdn)
        .destination_addr(address(to)?)
        .esm_class(esm_class)
        .registered_delivery(registered_delivery)
        .data_coding(DataCoding::from(part.data_coding))
        .short_message(short_message);
    if let Some(op) = submission.ussd {
        builder = builder.push_tlv(MessageSubmissionRequestTlvValue::UssdServiceOp(
            UssdServiceOp::from(op.code()),
        ));
    }
    Ok(builder.build())
}

/// The session task: connect, bind, serve; again after a pause when the link is lost; until
/// the last [`Client`] is dropped.
async fn run(
    endpoint: Endpoint,
    mut requests: mpsc::Receiver<Request>,
    inbound: mpsc::Sender<Inbound>,
    link: watch::Sender<Link>,
) {
    let (responses_tx, mut responses_rx) = mpsc::unbounded_channel();
    let mut pending: VecDeque<Request> = VecDeque::new();
    let mut pause = RECONNECT_MIN;
    let mut generation = 0u64;
    loop {
        generation += 1;
        match bind(&endpoint).await {
            Ok(framed) => {
                pause = RECONNECT_MIN;
                link.send_modify(|l| {
                    l.bound = true;
                    l.binds += 1;
                });
                tracing::info!(host = %endpoint.host, port = endpoint.port, "bound to the SMSC");
                let mut session = Session {
                    endpoint: &endpoint,
                    framed,
                    generation,
                    sequence: 1,
                    in_flight: HashMap::new(),
                    pending: &mut pending,
                    throttled_until: None,
                    throttle: THROTTLE_MIN,
                    enquiring: None,
                    inbound: &inbound,
                    responses: &responses_tx,
                    link: &link,
                };
                let ended = session.serve(&mut requests, &mut responses_rx).await;
                link.send_modify(|l| l.bound = false);
                match ended {
                    Ended::ClientGone => return,
                    Ended::Lost(why) => {
                        tracing::warn!(%why, "the SMSC link was lost; reconnecting")
                    }
                }
            }
            Err(why) => tracing::warn!(%why, host = %endpoint.host, "could not bind to the SMSC"),
        }
        if requests.is_closed() && pending.is_empty() {
            return;
        }
        // Parts whose sender gave up are not sent after the pause.
        pending.retain(|r| !r.reply.is_closed());
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(RECONNECT_MAX);
    }
}

type Link_ = Framed<TcpStream, CommandCodec>;

async fn bind(endpoint: &Endpoint) -> Result<Link_, String> {
    let stream = tokio::time::timeout(
        RESPONSE_TIMEOUT,
        TcpStream::connect((endpoint.host.as_str(), endpoint.port)),
    )
    .await
    .map_err(|_| "connect timed out".to_owned())?
    .map_err(|e| format!("connect: {e}"))?;
    let mut framed = Framed::new(stream, CommandCodec::new());
    let bind = BindTransceiver::builder()
        .system_id(COctetString::from_str(&endpoint.system_id).map_err(|e| format!("{e:?}"))?)
        .password(COctetString::from_str(&endpoint.password).map_err(|e| format!("{e:?}"))?)
        .system_type(COctetString::empty())
        .interface_version(InterfaceVersion::Smpp3_4)
        .addr_ton(Ton::Unknown)
        .addr_npi(Npi::Unknown)
        .address_range(COctetString::empty())
        .build();
    framed
        .send(Command::new(CommandStatus::EsmeRok, 1, bind))
        .await
        .map_err(|e| format!("send bind: {e}"))?;
    let answer = tokio::time::timeout(RESPONSE_TIMEOUT, async {
        while let Some(frame) = framed.next().await {
            let command = frame.map_err(|e| format!("read: {e}"))?;
            if let Some(Pdu::BindTransceiverResp(_)) | None = command.pdu()
                && command.sequence_number() == 1
            {
                return Ok(command.status());
            }
        }
        Err("closed before the bind was answered".to_owned())
    })
    .await
    .map_err(|_| "the bind was not answered".to_owned())??;
    if answer != CommandStatus::EsmeRok {
        return Err(format!("bind refused: {answer:?}"));
    }
    Ok(framed)
}

enum Ended {
    ClientGone,
    Lost(String),
}

struct Session<'a> {
    endpoint: &'a Endpoint,
    framed: Link_,
    generation: u64,
    sequence: u32,
    in_flight: HashMap<u32, Request>,
    /// Parts to send before any new one: resubmissions, in order.
    pending: &'a mut VecDeque<Request>,
    throttled_until: Option<Instant>,
    throttle: Duration,
    /// The sequence number and send time of an unanswered `enquire_link`.
    enquiring: Option<(u32, Instant)>,
    inbound: &'a mpsc::Sender<Inbound>,
    responses: &'a mpsc::UnboundedSender<Response>,
    link: &'a watch::Sender<Link>,
}

impl Session<'_> {
    fn next_sequence(&mut self) -> u32 {
        self.sequence = self.sequence % 0x7FFF_FFFF + 1;
        self.sequence
    }

    fn may_send(&self) -> bool {
        self.in_flight.len() < self.endpoint.window
            && self.throttled_until.is_none_or(|t| Instant::now() >= t)
    }

    async fn serve(
        &mut self,
        requests: &mut mpsc::Receiver<Request>,
        responses: &mut mpsc::UnboundedReceiver<Response>,
    ) -> Ended {
        let ended = self.serve_until_lost(requests, responses).await;
        // Whatever the SMSC did not answer goes again on the next link, first.
        let mut unanswered: Vec<(u32, Request)> = self.in_flight.drain().collect();
        unanswered.sort_by_key(|(sequence, _)| std::cmp::Reverse(*sequence));
        for (_, request) in unanswered {
            self.pending.push_front(request);
        }
        if matches!(ended, Ended::ClientGone) {
            let unbind = Command::new(CommandStatus::EsmeRok, self.next_sequence(), Pdu::Unbind);
            let _ = tokio::time::timeout(RESPONSE_TIMEOUT, self.framed.send(unbind)).await;
        }
        ended
    }

    async fn serve_until_lost(
        &mut self,
        requests: &mut mpsc::Receiver<Request>,
        responses: &mut mpsc::UnboundedReceiver<Response>,
    ) -> Ended {
        let mut idle = tokio::time::interval(self.endpoint.enquire_link);
        idle.reset();
        loop {
            while self.may_send() {
                let Some(request) = self.pending.pop_front() else {
                    break;
                };
                if let Err(why) = self.send_submit(request).await {
                    return Ended::Lost(why);
                }
            }
            let can_take = self.may_send() && self.pending.is_empty();
            let throttled_until = self.throttled_until;
            tokio::select! {
                frame = self.framed.next() => match frame {
                    None => return Ended::Lost("the SMSC closed the connection".into()),
                    Some(Err(e)) => return Ended::Lost(format!("unreadable PDU: {e}")),
                    Some(Ok(command)) => {
                        idle.reset();
                        if let Err(why) = self.received(command).await {
                            return Ended::Lost(why);
                        }
                    }
                },
                request = requests.recv(), if can_take => match request {
                    None => return Ended::ClientGone,
                    Some(request) => {
                        if let Err(why) = self.send_submit(request).await {
                            return Ended::Lost(why);
                        }
                    }
                },
                () = sleep_until(throttled_until), if throttled_until.is_some() => {
                    self.throttled_until = None;
                }
                Some(response) = responses.recv() => {
                    // An acknowledgement from before a reconnection answers nothing now.
                    if response.generation == self.generation {
                        let resp = Command::new(response.status, response.sequence, DeliverSmResp::default());
                        if let Err(e) = self.framed.send(resp).await {
                            return Ended::Lost(format!("send: {e}"));
                        }
                    }
                }
                _ = idle.tick() => {
                    if let Some((_, since)) = self.enquiring {
                        if since.elapsed() >= RESPONSE_TIMEOUT {
                            return Ended::Lost("enquire_link was not answered".into());
                        }
                    } else {
                        let sequence = self.next_sequence();
                        self.enquiring = Some((sequence, Instant::now()));
                        if let Err(e) = self.framed.send(Command::new(CommandStatus::EsmeRok, sequence, Pdu::EnquireLink)).await {
                            return Ended::Lost(format!("send: {e}"));
                        }
                    }
                }
            }
        }
    }

    async fn send_submit(&mut self, request: Request) -> Result<(), String> {
        if request.reply.is_closed() {
            return Ok(()); // the sender gave up: not sent
        }
        let sequence = self.next_sequence();
        let command = Command::new(CommandStatus::EsmeRok, sequence, request.pdu.clone());
        self.in_flight.insert(sequence, request);
        self.framed
            .send(command)
            .await
            .map_err(|e| format!("send: {e}"))
    }

    async fn received(&mut self, command: Command) -> Result<(), String> {
        let sequence = command.sequence_number();
        let status = command.status();
        match command.pdu() {
            Some(Pdu::SubmitSmResp(resp)) => {
                let Some(request) = self.in_flight.remove(&sequence) else {
                    return Ok(());
                };
                self.submitted(request, status, resp.message_id().as_str().to_owned());
            }
            None if command.id() == rusmpp::CommandId::SubmitSmResp => {
                if let Some(request) = self.in_flight.remove(&sequence) {
                    self.submitted(request, status, String::new());
                }
            }
            Some(Pdu::GenericNack) => {
                if let Some(request) = self.in_flight.remove(&sequence) {
                    self.submitted(request, status, String::new());
                }
            }
            Some(Pdu::DeliverSm(deliver)) => {
                let ack = Ack {
                    sequence,
                    generation: self.generation,
                    responses: self.responses.clone(),
                    given: false,
                };
                match delivered(deliver) {
                    Ok(inbound) => {
                        let inbound = match inbound {
                            Delivered::Message(m) => Inbound::Message(m, ack),
                            Delivered::Receipt(r) => Inbound::Receipt(r, ack),
                        };
                        // Never waits: when the gateway is this far behind, the delivery
                        // is answered "try again later" (the dropped Ack says so) and the
                        // session goes on reading the responses its own submits await.
                        match self.inbound.try_send(inbound) {
                            Ok(()) => {}
                            Err(mpsc::error::TrySendError::Full(_)) => {
                                tracing::warn!(
                                    "deliveries from the SMSC arrive faster than they are recorded; one is deferred"
                                );
                            }
                            Err(mpsc::error::TrySendError::Closed(_)) => {
                                return Err("nobody reads what the SMSC delivers".into());
                            }
                        }
                    }
                    Err(why) => {
                        tracing::warn!(%why, "an unreadable message from the SMSC was refused");
                        ack.reject();
                    }
                }
            }
            Some(Pdu::EnquireLink) => {
                let resp = Command::new(CommandStatus::EsmeRok, sequence, Pdu::EnquireLinkResp);
                self.framed
                    .send(resp)
                    .await
                    .map_err(|e| format!("send: {e}"))?;
            }
            Some(Pdu::EnquireLinkResp) => {
                if self.enquiring.is_some_and(|(s, _)| s == sequence) {
                    self.enquiring = None;
                }
            }
            Some(Pdu::Unbind) => {
                let resp = Command::new(CommandStatus::EsmeRok, sequence, Pdu::UnbindResp);
                let _ = self.framed.send(resp).await;
                return Err("the SMSC unbound".into());
            }
            _ => tracing::debug!(id = ?command.id(), "ignored a PDU from the SMSC"),
        }
        Ok(())
    }

    fn submitted(&mut self, request: Request, status: CommandStatus, message_id: String) {
        match status {
            CommandStatus::EsmeRok => {
                self.throttle = THROTTLE_MIN;
                let _ = request.reply.send(Ok(message_id));
            }
            CommandStatus::EsmeRthrottled | CommandStatus::EsmeRmsgqful => {
                tracing::info!(
                    pause_ms = self.throttle.as_millis() as u64,
                    "the SMSC throttles; resubmitting after a pause"
                );
                self.link.send_modify(|l| l.throttled += 1);
                self.throttled_until = Some(Instant::now() + self.throttle);
                self.throttle = (self.throttle * 2).min(THROTTLE_MAX);
                self.pending.push_front(request);
            }
            other => {
                let _ = request
                    .reply
                    .send(Err(SubmitError::Refused(u32::from(other))));
            }
        }
    }
}

async fn sleep_until(until: Option<Instant>) {
    match until {
        Some(until) => tokio::time::sleep_until(until).await,
        None => std::future::pending().await,
    }
}

enum Delivered {
    Message(MobileOriginated),
    Receipt(Receipt),
}

fn delivered(deliver: &rusmpp::pdus::DeliverSm) -> Result<Delivered, String> {
    let mut ussd = None;
    let mut receipted = None;
    let mut state = None;
    for tlv in deliver.tlvs() {
        match tlv.value() {
            Some(TlvValue::UssdServiceOp(op)) => ussd = UssdOp::from_code(u8::from(*op)),
            Some(TlvValue::ReceiptedMessageId(id)) => receipted = Some(id.as_str().to_owned()),
            Some(TlvValue::MessageState(s)) => {
                state = DeliveryState::from_message_state(u8::from(*s))
            }
            _ => {}
        }
    }
    let esm_class = u8::from(deliver.esm_class);
    let data_coding = u8::from(deliver.data_coding);
    let udhi = esm_class & 0x40 != 0;
    // esm_class message type 0b001 (bit 2): an SMSC delivery receipt (SMPP 3.4 §5.2.12).
    if esm_class & 0x3C == 0x04 || receipted.is_some() {
        let text = message::decode_text(data_coding, udhi, deliver.short_message().as_ref())
            .unwrap_or_default();
        let from_text = message::parse_receipt_text(&text);
        let message_id = receipted
            .or_else(|| from_text.as_ref().map(|r| r.message_id.clone()))
            .ok_or("a receipt without a message id")?;
        let state = state
            .or(from_text.map(|r| r.state))
            .ok_or("a receipt without a state")?;
        return Ok(Delivered::Receipt(Receipt { message_id, state }));
    }
    let text = message::decode_text(data_coding, udhi, deliver.short_message().as_ref())
        .map_err(|e| e.to_string())?;
    Ok(Delivered::Message(MobileOriginated {
        from: deliver
            .source_addr
            .as_str()
            .trim_start_matches('+')
            .to_owned(),
        to: deliver.destination_addr.as_str().to_owned(),
        text,
        ussd,
    }))
}
