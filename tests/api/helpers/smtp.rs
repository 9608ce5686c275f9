//! A mail server on loopback for the tests, run in-process: it speaks the SMTP that
//! lettre speaks (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) over real TCP, keeps every
//! message it accepts, refuses the recipients it is told to (550), and can be taken
//! down (every connection greeted with 421, as a server that is away) and back up.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message, headers and body, as sent (dot-stuffing undone).
    pub data: String,
}

impl Received {
    /// The message parsed (headers decoded, parts separated).
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(self.data.as_bytes())
            .expect("a message the parser reads")
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    refused: Mutex<Vec<String>>,
    down: AtomicBool,
}

pub struct SmtpServer {
    port: u16,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared::default());
        let serving = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = serving.clone();
                tokio::spawn(async move {
                    let _ = session(stream, &shared).await;
                });
            }
        });
        Self { port, shared, task }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Messages received for `address`.
    pub fn received_by(&self, address: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.to.iter().any(|to| to == address))
            .collect()
    }

    /// RCPT TO `address` is answered 550 from now on.
    pub fn refuse(&self, address: &str) {
        self.shared.refused.lock().unwrap().push(address.to_owned());
    }

    /// Away (`true`) or back (`false`).
    pub fn set_down(&self, down: bool) {
        self.shared.down.store(down, Ordering::SeqCst);
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(stream: tokio::net::TcpStream, shared: &Shared) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if shared.down.load(Ordering::SeqCst) {
        write
            .write_all(b"421 localhost Service not available, try later\r\n")
            .await?;
        return Ok(());
    }
    write.write_all(b"220 localhost ESMTP test\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") {
            "250-localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 OK\r\n".into()
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            "250 OK\r\n".into()
        } else if upper.starts_with("MAIL FROM:") {
            from = address_in(&command);
            to.clear();
            "250 OK\r\n".into()
        } else if upper.starts_with("RCPT TO:") {
            let address = address_in(&command);
            if shared.refused.lock().unwrap().contains(&address) {
                "550 5.1.1 No such user here\r\n".into()
            } else {
                to.push(address);
                "250 OK\r\n".into()
            }
        } else if upper == "DATA" {
            write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            shared.received.lock().unwrap().push(Received {
                from: from.clone(),
                to: to.clone(),
                data,
            });
            "250 OK queued\r\n".into()
        } else if upper == "RSET" {
            from.clear();
            to.clear();
            "250 OK\r\n".into()
        } else if upper == "QUIT" {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            "502 Command not implemented\r\n".into()
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

/// `x@y` of `MAIL FROM:<x@y> SIZE=1`.
fn address_in(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command[start..]
        .find('>')
        .map_or(command.len(), |i| start + i);
    command[start..end].to_owned()
}
