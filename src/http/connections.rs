//! Connections that cannot starve the server: a cap on open connections, a deadline for
//! each request's head, and an idle timeout, around poem's TCP acceptor.
//!
//! poem 3.1 exposes none of hyper's HTTP/1 timeouts and sets no timer, so hyper's own
//! header-read timeout is off: a client trickling a header a byte at a time ("slowloris")
//! held a connection, and a file descriptor, for as long as it liked, and 1,100 of them
//! starved everyone. This wrapper enforces, per connection:
//! - **head deadline**: from accepting (or from the first byte after a response) until
//!   the blank line that ends the request head; bytes trickling in do not extend it;
//! - **idle timeout**: no byte read or written for that long, while hyper waits on the
//!   socket, ends the connection: an idle keep-alive, a stalled upload or a download
//!   nobody reads. Streaming transfers are not limited in total, only in idleness, so a
//!   500 MB presentation still uploads over a slow line;
//! - **a cap**: beyond it, new connections are closed at once instead of queueing, and
//!   a failing `accept` (out of descriptors) backs off instead of spinning.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use poem::http::uri::Scheme;
use poem::listener::Acceptor;
use poem::web::{LocalAddr, RemoteAddr};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    /// From accept (or the first byte after a response) until the blank line ending the head.
    pub head_timeout: Duration,
    /// No byte read or written for this long while hyper waits on the socket => error.
    pub idle_timeout: Duration,
    /// Pause after accept() fails (EMFILE/ENFILE), poem would otherwise spin.
    pub accept_backoff: Duration,
}

pub struct GuardedAcceptor<A> {
    inner: A,
    limits: ConnectionLimits,
    permits: Arc<Semaphore>,
}

impl<A: Acceptor> GuardedAcceptor<A> {
    pub fn new(inner: A, limits: ConnectionLimits) -> Self {
        let permits = Arc::new(Semaphore::new(limits.max_connections));
        Self {
            inner,
            limits,
            permits,
        }
    }
}

impl<A: Acceptor> Acceptor for GuardedAcceptor<A> {
    type Io = GuardedIo<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        loop {
            match self.inner.accept().await {
                Ok((io, local, remote, scheme)) => {
                    match Arc::clone(&self.permits).try_acquire_owned() {
                        Ok(permit) => {
                            return Ok((
                                GuardedIo::new(io, permit, self.limits),
                                local,
                                remote,
                                scheme,
                            ));
                        }
                        Err(_) => {
                            // Shed: close at once, keeping the FD budget and the accept queue free.
                            drop(io);
                            tracing::warn!(remote = %remote, "connection limit reached; closed");
                        }
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "accept failed; backing off");
                    tokio::time::sleep(self.limits.accept_backoff).await;
                }
            }
        }
    }
}

pub struct GuardedIo<T> {
    inner: T,
    _permit: OwnedSemaphorePermit,
    limits: ConnectionLimits,
    last_activity: Instant,
    idle: Pin<Box<Sleep>>,
    head: Pin<Box<Sleep>>,
    head_armed: bool,
    scan: HeadScan,
    /// A final (non-1xx) HTTP/1 response was written: the next byte read starts a new head.
    await_next_head: bool,
}

impl<T> GuardedIo<T> {
    fn new(inner: T, permit: OwnedSemaphorePermit, limits: ConnectionLimits) -> Self {
        let now = Instant::now();
        Self {
            inner,
            _permit: permit,
            limits,
            last_activity: now,
            idle: Box::pin(tokio::time::sleep_until(now + limits.idle_timeout)),
            head: Box::pin(tokio::time::sleep_until(now + limits.head_timeout)),
            head_armed: true,
            scan: HeadScan::default(),
            await_next_head: false,
        }
    }

    fn on_read(&mut self, bytes: &[u8]) {
        self.last_activity = Instant::now();
        if self.await_next_head {
            self.await_next_head = false;
            self.head_armed = true;
            self.scan = HeadScan::default();
            let deadline = self.last_activity + self.limits.head_timeout;
            self.head.as_mut().reset(deadline);
        }
        if self.head_armed && self.scan.feed(bytes) {
            self.head_armed = false;
        }
    }

    fn on_write(&mut self, first: &[u8]) {
        self.last_activity = Instant::now();
        self.head_armed = false; // hyper is answering, so it has the head
        if first.starts_with(b"HTTP/1.") && first.get(9) != Some(&b'1') {
            self.await_next_head = true;
        }
    }

    /// Ready(err) once a deadline has passed; registers the waker otherwise.
    fn poll_deadlines(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        if self.head_armed && self.head.as_mut().poll(cx).is_ready() {
            return Poll::Ready(io::Error::new(
                io::ErrorKind::TimedOut,
                "request head too slow",
            ));
        }
        loop {
            ready!(self.idle.as_mut().poll(cx));
            let due = self.last_activity + self.limits.idle_timeout;
            if due <= Instant::now() {
                return Poll::Ready(io::Error::new(io::ErrorKind::TimedOut, "connection idle"));
            }
            self.idle.as_mut().reset(due); // lazy re-arm: no timer churn per read
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for GuardedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.on_read(&buf.filled()[before..]);
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.poll_deadlines(cx).map(Err),
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for GuardedIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    this.on_write(buf);
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.poll_deadlines(cx).map(Err), // slow reader
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_write_vectored(cx, bufs) {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    let first = bufs
                        .iter()
                        .find(|b| !b.is_empty())
                        .map_or(&[][..], |b| &b[..]);
                    this.on_write(first);
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.poll_deadlines(cx).map(Err),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Finds the blank line ending an HTTP/1 head (CRLF CRLF or LF LF), ignoring
/// blank lines before the request line so "\r\n\r\n" cannot disarm the deadline.
#[derive(Default)]
struct HeadScan {
    seen_text: bool,
    mid_line: bool,
}

impl HeadScan {
    fn feed(&mut self, bytes: &[u8]) -> bool {
        for &b in bytes {
            match b {
                b'\n' => {
                    if self.seen_text && !self.mid_line {
                        return true;
                    }
                    self.mid_line = false;
                }
                b'\r' => {}
                _ => {
                    self.seen_text = true;
                    self.mid_line = true;
                }
            }
        }
        false
    }
}

/// Raises the soft limit on open files to the hard limit, so that the connection cap,
/// not the operating system's default of 1,024, decides; returns the limit now in force.
pub fn raise_open_files_limit() -> io::Result<u64> {
    rlimit::increase_nofile_limit(u64::MAX)
}
