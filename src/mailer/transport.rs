//! The way out: an SMTP server (lettre, with STARTTLS or implicit TLS over rustls), or
//! a folder where each message is written as an `.eml` file (the default with no
//! `mail.host`, so that a first run needs no mail server and no token reaches the log).

use std::path::PathBuf;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::settings::{MailSettings, MailTls};

pub enum Transport {
    Smtp {
        smtp: AsyncSmtpTransport<Tokio1Executor>,
        /// The whole dialogue's limit: lettre bounds each read once connected, but a
        /// server that accepts and never greets would hold a send (and its claim) for
        /// ever without this.
        deadline: Duration,
    },
    Folder(PathBuf),
}

/// Why a message did not go out, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendFailure {
    pub reason: String,
    /// The server refused this message or recipient for good (550-554); anything
    /// else (a 4xx, a connection lost, a wrong password) may pass later.
    pub permanent: bool,
}

impl SendFailure {
    pub fn permanent(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            permanent: true,
        }
    }

    fn transient(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            permanent: false,
        }
    }
}

impl Transport {
    pub fn from_settings(settings: &MailSettings) -> Result<Self, String> {
        if !settings.uses_smtp() {
            return Ok(Self::Folder(settings.folder.clone()));
        }
        let host = settings.host.as_str();
        let builder = match settings.tls {
            MailTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            MailTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|err| format!("mail.host: {err}"))?,
            MailTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|err| format!("mail.host: {err}"))?,
        };
        let mut builder = builder
            .port(settings.port)
            .timeout(Some(Duration::from_secs(settings.timeout_seconds)));
        if !settings.user.is_empty() {
            builder = builder.credentials(Credentials::new(
                settings.user.clone(),
                settings.password.expose().to_owned(),
            ));
        }
        Ok(Self::Smtp {
            smtp: builder.build(),
            deadline: Duration::from_secs(settings.timeout_seconds.saturating_mul(3)),
        })
    }

    /// Where mail goes, in words for the start-up log (no secrets).
    pub fn describe(&self, settings: &MailSettings) -> String {
        match self {
            Self::Smtp { .. } => format!(
                "SMTP {}:{} ({:?})",
                settings.host, settings.port, settings.tls
            ),
            Self::Folder(folder) => format!(
                "no mail server (mail.host is empty): each mail is written as an .eml file to {}",
                folder.display()
            ),
        }
    }

    /// Sends `message`; `file_stem` names its file in folder mode.
    pub async fn send(&self, message: &Message, file_stem: &str) -> Result<(), SendFailure> {
        match self {
            Self::Smtp { smtp, deadline } => {
                let sent = tokio::time::timeout(*deadline, smtp.send(message.clone()))
                    .await
                    .map_err(|_| {
                        SendFailure::transient(format!(
                            "the mail server did not finish within {} s",
                            deadline.as_secs()
                        ))
                    })?;
                sent.map(|_| ()).map_err(|err| {
                    let code = err.status().map(u16::from);
                    let reason = match code {
                        Some(code) => format!("the mail server answered {code}: {err}"),
                        None => format!("the mail server could not be reached: {err}"),
                    };
                    if code.is_some_and(|c| (550..=554).contains(&c)) {
                        SendFailure::permanent(reason)
                    } else {
                        SendFailure::transient(reason)
                    }
                })
            }
            Self::Folder(folder) => {
                let write = async {
                    tokio::fs::create_dir_all(folder).await?;
                    let path = folder.join(format!("{file_stem}.eml"));
                    tokio::fs::write(path, message.formatted()).await
                };
                write.await.map_err(|err| {
                    SendFailure::transient(format!("cannot write to {}: {err}", folder.display()))
                })
            }
        }
    }

    /// Deletes the files of mails written to the folder (their addresses are
    /// personal data); nothing with a mail server. Best effort: a file that is not
    /// there is fine, one that cannot be deleted is logged.
    pub async fn forget(&self, file_stems: &[String]) {
        let Self::Folder(folder) = self else {
            return;
        };
        for stem in file_stems {
            let path = folder.join(format!("{stem}.eml"));
            match tokio::fs::remove_file(&path).await {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => {
                    tracing::warn!(error = %err, file = %path.display(), "a mail's file could not be deleted")
                }
            }
        }
    }
}
