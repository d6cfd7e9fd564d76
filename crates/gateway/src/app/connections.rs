//! What one client may hold of the server: how long a connection may take to send its
//! request headers, how long it may stay open with no request in flight, and how many
//! connections the process serves at once (docs/gateway.md, "Connections").
//!
//! The crates' own settings do what they can: rustls' handshake under axum-server's
//! handshake timeout, hyper's HTTP/1.1 header-read timeout (with a timer, without which
//! hyper has none). Three things they leave open are done here:
//!
//! - **The cap** ([`CappedListener`]): a connection is accepted only with a permit of a
//!   semaphore, so beyond the cap new connections wait in the kernel's listen backlog (or
//!   are refused by the kernel when it is full) and hold no descriptor of this process.
//! - **The first request's headers** ([`Watch`]): after the handshake, hyper's automatic
//!   protocol choice reads the first bytes with no timer of its own, and HTTP/2 has no
//!   header timer at all: a connection that said nothing after its handshake stayed open
//!   for ever. A connection must have its first request's headers in within the
//!   header-read timeout of being accepted.
//! - **Idle connections** ([`Watch`]): with no request in flight, a connection is closed
//!   after the idle timeout. HTTP/2 needs it (hyper has no idle timeout for it, and
//!   keep-alive pings only find dead peers); on HTTP/1.1 hyper's header-read timer, which
//!   starts when the connection goes idle, closes it first.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{Request, Response};
use axum_server::accept::Accept;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// The longest header-read timeout the flag takes: more would let slow clients hold
/// connections longer than the trust issue allows.
pub const MAX_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Connection limits of one process (`--header-read-timeout`, `--idle-timeout`,
/// `--max-connections`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// From accepting a connection to its TLS handshake done, and to its first request's
    /// headers in; on HTTP/1.1, from the end of a response to the next request's headers.
    pub header_read_timeout: Duration,
    /// With no request in flight, how long a connection stays open.
    pub idle_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            // The most the flag takes: a client on a slow mobile link sends a request's
            // headers (a few hundred bytes, after a handshake of a few round trips) well
            // within it, and a slow client holds a connection no longer.
            header_read_timeout: MAX_HEADER_READ_TIMEOUT,
            // Longer than any pause of a client that polls (CIBA's interval is 5 s, the
            // inbox long-poll returns within 25 s), so they keep their connection; short
            // enough that idle connections do not pile up towards the cap.
            idle_timeout: Duration::from_secs(60),
            // Far above what QA, the app and the benchmarks use (at most 32 at once); each
            // connection costs its TLS and HTTP buffers (tens of KiB), so the cap bounds
            // that memory to tens of MiB. Each is also a file descriptor: the process's
            // limit must be above the cap (docs/gateway.md, "Connections").
            max_connections: 1024,
        }
    }
}

/// A duration such as `500ms`, `10s`, `2min` or `1h` (as every duration flag is written),
/// more than zero.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text.trim())
        .map_err(|e| format!("{text:?}: {e} (write a duration such as 500ms, 10s or 1min)"))?;
    if duration.is_zero() {
        return Err("a timeout of zero would close every connection".to_owned());
    }
    Ok(duration)
}

/// `--header-read-timeout`: a duration of at most [`MAX_HEADER_READ_TIMEOUT`].
pub fn parse_header_read_timeout(text: &str) -> Result<Duration, String> {
    let duration = parse_duration(text)?;
    if duration > MAX_HEADER_READ_TIMEOUT {
        return Err(format!(
            "{text}: the header-read timeout is at most {}s",
            MAX_HEADER_READ_TIMEOUT.as_secs()
        ));
    }
    Ok(duration)
}

/// The peer of an accepted connection: axum-server's address type for [`CappedListener`]
/// (handlers see it as `ConnectInfo<SocketAddr>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer(pub SocketAddr);

impl axum_server::Address for Peer {
    type Stream = Admitted;
    type Listener = CappedListener;
}

impl axum::extract::connect_info::Connected<Peer> for SocketAddr {
    fn connect_info(peer: Peer) -> Self {
        peer.0
    }
}

/// A TCP listener that accepts a connection only with a permit, so at most
/// `max_connections` are open at once; the others wait in the listen backlog.
#[derive(Debug)]
pub struct CappedListener {
    listener: TcpListener,
    permits: Arc<Semaphore>,
}

impl CappedListener {
    pub fn new(listener: std::net::TcpListener, max_connections: usize) -> io::Result<Self> {
        Ok(Self {
            listener: TcpListener::from_std(listener)?,
            permits: Arc::new(Semaphore::new(max_connections.max(1))),
        })
    }
}

impl axum_server::AddrListener<Admitted, Peer> for CappedListener {
    async fn bind_to(_: Peer) -> io::Result<Self> {
        // The server is made from a listener already bound (`Server::from_listener`).
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "a capped listener is made from a bound listener",
        ))
    }

    async fn accept_stream(&self) -> io::Result<(Admitted, Peer)> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(io::Error::other)?;
        let (stream, peer) = self.listener.accept().await?;
        // TCP_NODELAY on every accepted connection. Without it the first answer on a new
        // TLS 1.3 connection went out after the session tickets in a second small write,
        // which Nagle held until the client's delayed ACK: ~40 ms on every new connection
        // (the ACME bench's "directory" step, p50 43.8 ms). A connection where it cannot be
        // set still works, only slower.
        let _ = stream.set_nodelay(true);
        Ok((
            Admitted {
                stream,
                _permit: permit,
            },
            Peer(peer),
        ))
    }

    fn get_local_addr(&self) -> io::Result<Peer> {
        self.listener.local_addr().map(Peer)
    }
}

/// An accepted TCP connection holding its place under the cap until it is dropped.
#[derive(Debug)]
pub struct Admitted {
    stream: TcpStream,
    _permit: OwnedSemaphorePermit,
}

impl AsyncRead for Admitted {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Admitted {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// An acceptor around the TLS acceptor that gives every connection a deadline while no
/// request is in flight: the header-read timeout from its acceptance until its first
/// request, then the idle timeout from the end of each response.
#[derive(Debug, Clone)]
pub struct Watch<A> {
    inner: A,
    header_read_timeout: Duration,
    idle_timeout: Duration,
}

impl<A> Watch<A> {
    pub fn new(inner: A, limits: &ConnectionLimits) -> Self {
        Self {
            inner,
            header_read_timeout: limits.header_read_timeout,
            idle_timeout: limits.idle_timeout,
        }
    }
}

type Accepted<T, S> = io::Result<(Watched<T>, Tracked<S>)>;

impl<A, I, S> Accept<I, S> for Watch<A>
where
    A: Accept<I, S>,
    A::Future: Send + 'static,
    A::Stream: Send + 'static,
    A::Service: Send + 'static,
{
    type Stream = Watched<A::Stream>;
    type Service = Tracked<A::Service>;
    type Future = Pin<Box<dyn Future<Output = Accepted<A::Stream, A::Service>> + Send>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        // The clock starts at acceptance: the handshake's time counts against the first
        // request's headers.
        let deadline = Instant::now() + self.header_read_timeout;
        let activity = Arc::new(Activity {
            idle_timeout: self.idle_timeout,
            state: Mutex::new(State {
                in_flight: 0,
                deadline: Some(deadline),
                waker: None,
            }),
        });
        let handshake = self.inner.accept(stream, service);
        Box::pin(async move {
            let (stream, service) = handshake.await?;
            Ok((
                Watched {
                    io: stream,
                    timer: Box::pin(tokio::time::sleep_until(deadline)),
                    activity: activity.clone(),
                },
                Tracked {
                    inner: service,
                    activity,
                },
            ))
        })
    }
}

/// What a connection's stream and its service share: the requests in flight and, while
/// there are none, the time the connection is closed at.
#[derive(Debug)]
struct Activity {
    idle_timeout: Duration,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    in_flight: usize,
    deadline: Option<Instant>,
    /// The connection's task, woken when the deadline changes while it waits on the stream.
    waker: Option<Waker>,
}

impl Activity {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn begin(self: &Arc<Self>) -> InFlight {
        let mut state = self.state();
        state.in_flight += 1;
        state.deadline = None;
        InFlight(self.clone())
    }

    fn end(&self) {
        let waker = {
            let mut state = self.state();
            state.in_flight = state.in_flight.saturating_sub(1);
            if state.in_flight > 0 {
                return;
            }
            state.deadline = Some(Instant::now() + self.idle_timeout);
            state.waker.take()
        };
        // The task may be waiting on a read with no deadline: it arms the new one.
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Whether the connection's deadline has passed; registers the task to be woken when
    /// it does or when it changes.
    fn expired(&self, timer: &mut Pin<Box<Sleep>>, cx: &mut Context<'_>) -> bool {
        let deadline = {
            let mut state = self.state();
            if !state
                .waker
                .as_ref()
                .is_some_and(|w| w.will_wake(cx.waker()))
            {
                state.waker = Some(cx.waker().clone());
            }
            state.deadline
        };
        let Some(deadline) = deadline else {
            return false;
        };
        if timer.deadline() != deadline {
            timer.as_mut().reset(deadline);
        }
        timer.as_mut().poll(cx).is_ready()
    }
}

/// One request in flight on a connection, from the service's call to the end of its
/// response body.
#[derive(Debug)]
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.end();
    }
}

/// A connection's stream: reads and writes fail once its deadline has passed, which ends
/// the connection.
#[derive(Debug)]
pub struct Watched<T> {
    io: T,
    timer: Pin<Box<Sleep>>,
    activity: Arc<Activity>,
}

impl<T> Watched<T> {
    fn check(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        if self.activity.expired(&mut self.timer, cx) {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "no request within the connection's timeout",
            ));
        }
        Ok(())
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check(cx)?;
        Pin::new(&mut this.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check(cx)?;
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check(cx)?;
        Pin::new(&mut this.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check(cx)?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // A close that cannot be flushed to a client that stopped reading ends too.
        let this = self.get_mut();
        this.check(cx)?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

/// A connection's service: counts each request as in flight until its response body is
/// done (or dropped).
#[derive(Debug, Clone)]
pub struct Tracked<S> {
    inner: S,
    activity: Arc<Activity>,
}

type Answer<E> = Pin<Box<dyn Future<Output = Result<Response<Body>, E>> + Send>>;

impl<S, B> tower_service::Service<Request<B>> for Tracked<S>
where
    S: tower_service::Service<Request<B>, Response = Response<Body>>,
    S::Future: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Answer<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let in_flight = self.activity.begin();
        let answer = self.inner.call(request);
        Box::pin(async move {
            let response = answer.await?;
            Ok(response.map(|body| {
                Body::new(Guarded {
                    body,
                    _in_flight: in_flight,
                })
            }))
        })
    }
}

/// A response body that keeps its request in flight until it is done or dropped.
#[derive(Debug)]
struct Guarded {
    body: Body,
    _in_flight: InFlight,
}

impl HttpBody for Guarded {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_the_flags_write_them() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("2min"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        for bad in ["", "10", "s", "0s", "-1s", "soon"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_header_read_timeout("10s"),
            Ok(ConnectionLimits::default().header_read_timeout)
        );
        assert!(parse_header_read_timeout("10001ms").is_err());
        assert!(parse_header_read_timeout("1min").is_err());
    }
}
