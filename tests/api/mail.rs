//! The mail outbox: a mail queued with a change goes out once, through a real SMTP
//! dialogue on loopback, keeps its `Message-ID` across retries and crashes, survives an
//! outage, and a refused recipient fails alone, with the reason.

use buysocial::services::kernel::events::DomainEvent;
use buysocial::services::kernel::mail::OutgoingMail;
use buysocial::services::kernel::unit_of_work::UnitOfWork;
use buysocial::services::mail;
use chrono::TimeDelta;
use entity::mail_outbox::{self, Entity as Outbox};
use entity::values::MailStatus;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

use crate::helpers::smtp::SmtpServer;
use crate::helpers::{Backend, TestApp, backend_tests};

backend_tests!(
    a_queued_mail_goes_out_once_with_both_parts_and_its_message_id,
    a_mail_is_sent_only_if_its_change_commits,
    the_same_reason_is_mailed_once,
    an_outage_loses_nothing_and_the_mail_goes_out_once_when_the_server_is_back,
    a_refused_recipient_fails_with_the_reason_and_the_others_go_out,
    a_send_cut_short_by_a_crash_goes_out_again_with_the_same_message_id,
    without_a_mail_server_each_mail_is_written_as_an_eml_file,
);

fn mail_to(to: &str, reason: &str) -> OutgoingMail {
    OutgoingMail {
        reason: reason.into(),
        to: to.into(),
        locale: "lt".into(),
        subject: "Prašome patvirtinti registraciją".into(),
        text: "Sveiki,\n\nhttps://cms.webuysocial.test/registrations/confirm?token=abc\n".into(),
        html: "<p>Sveiki,</p>".into(),
        attachments: vec![],
        event: None,
        registration: None,
    }
}

/// Queues `mails` in one unit of work and commits it.
async fn queue(app: &TestApp, mails: Vec<OutgoingMail>) {
    let work = UnitOfWork::begin(&app.state).await.unwrap();
    for mail in mails {
        work.record(DomainEvent::MailQueued(Box::new(mail)), app.clock.now())
            .await
            .unwrap();
    }
    work.commit().await.unwrap();
}

async fn rows(app: &TestApp) -> Vec<mail_outbox::Model> {
    Outbox::find().all(&app.state.db).await.unwrap()
}

async fn a_queued_mail_goes_out_once_with_both_parts_and_its_message_id(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder(backend)
        .with_smtp(smtp.port())
        .spawn()
        .await;

    queue(&app, vec![mail_to("ona@example.lt", "test:1")]).await;
    assert_eq!(mail::run_once(&app.state).await.unwrap(), 1);
    assert_eq!(
        mail::run_once(&app.state).await.unwrap(),
        0,
        "nothing is due twice"
    );

    let received = smtp.received_by("ona@example.lt");
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].from, "events@webuysocial.test");
    let message = received[0].parsed();
    let row = &rows(&app).await[0];
    assert_eq!(
        format!("<{}>", message.message_id().unwrap()),
        row.message_id
    );
    assert!(row.message_id.ends_with("@cms.webuysocial.test>"));
    assert_eq!(message.subject(), Some("Prašome patvirtinti registraciją"));
    assert!(message.body_text(0).unwrap().contains("token=abc"));
    assert_eq!(message.body_html(0).unwrap(), "<p>Sveiki,</p>");
    assert_eq!(row.status, MailStatus::Sent);
    assert!(row.text_body.is_empty(), "a sent mail's links are not kept");
    assert!(row.html_body.is_empty());
}

async fn a_mail_is_sent_only_if_its_change_commits(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder(backend)
        .with_smtp(smtp.port())
        .spawn()
        .await;

    let work = UnitOfWork::begin(&app.state).await.unwrap();
    work.record(
        DomainEvent::MailQueued(Box::new(mail_to("ona@example.lt", "test:1"))),
        app.clock.now(),
    )
    .await
    .unwrap();
    work.rollback().await.unwrap();
    mail::run_once(&app.state).await.unwrap();

    assert!(rows(&app).await.is_empty());
    assert!(smtp.received().is_empty());
}

async fn the_same_reason_is_mailed_once(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder(backend)
        .with_smtp(smtp.port())
        .spawn()
        .await;

    queue(
        &app,
        vec![mail_to("ona@example.lt", "registration:1:confirm")],
    )
    .await;
    queue(
        &app,
        vec![mail_to("ona@example.lt", "registration:1:confirm")],
    )
    .await;
    mail::run_once(&app.state).await.unwrap();
    queue(
        &app,
        vec![mail_to("ona@example.lt", "registration:1:confirm")],
    )
    .await;
    mail::run_once(&app.state).await.unwrap();

    assert_eq!(rows(&app).await.len(), 1);
    assert_eq!(smtp.received().len(), 1);
}

async fn an_outage_loses_nothing_and_the_mail_goes_out_once_when_the_server_is_back(
    backend: Backend,
) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder(backend)
        .with_smtp(smtp.port())
        .spawn()
        .await;
    smtp.set_down(true);

    queue(&app, vec![mail_to("ona@example.lt", "test:1")]).await;
    mail::run_once(&app.state).await.unwrap();
    let waiting = &rows(&app).await[0];
    assert_eq!(waiting.status, MailStatus::Pending);
    assert_eq!(waiting.attempts, 1);
    assert!(
        waiting.last_error.as_deref().unwrap().contains("421"),
        "{waiting:?}"
    );
    assert!(waiting.next_attempt_at > app.clock.now(), "it backs off");
    assert!(!waiting.text_body.is_empty(), "nothing is lost");

    // Not due yet: even with the server back, it waits for its backoff.
    smtp.set_down(false);
    mail::run_once(&app.state).await.unwrap();
    assert!(smtp.received().is_empty());

    app.clock.advance(TimeDelta::hours(1));
    mail::run_once(&app.state).await.unwrap();
    mail::run_once(&app.state).await.unwrap();
    assert_eq!(smtp.received().len(), 1);
    let sent = &rows(&app).await[0];
    assert_eq!(sent.status, MailStatus::Sent);
    assert_eq!(sent.attempts, 2);
}

async fn a_refused_recipient_fails_with_the_reason_and_the_others_go_out(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder(backend)
        .with_smtp(smtp.port())
        .spawn()
        .await;
    smtp.refuse("gone@example.lt");

    queue(
        &app,
        vec![
            mail_to("gone@example.lt", "test:1"),
            mail_to("ona@example.lt", "test:2"),
        ],
    )
    .await;
    mail::run_once(&app.state).await.unwrap();

    assert_eq!(smtp.received_by("ona@example.lt").len(), 1);
    let failed = Outbox::find()
        .filter(mail_outbox::Column::ToAddress.eq("gone@example.lt"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        failed.status,
        MailStatus::Failed,
        "not retried: it cannot pass"
    );
    assert!(
        failed.last_error.as_deref().unwrap().contains("550"),
        "{failed:?}"
    );
    assert!(failed.finished_at.is_some());
}

async fn a_send_cut_short_by_a_crash_goes_out_again_with_the_same_message_id(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder(backend)
        .with_smtp(smtp.port())
        .spawn()
        .await;
    queue(&app, vec![mail_to("ona@example.lt", "test:1")]).await;
    // An instance claimed it and died mid-send: the claim's lease runs out.
    let row = rows(&app).await.remove(0);
    let message_id = row.message_id.clone();
    let mut claimed = row.into_active_model();
    claimed.claimed_by = Set(Some(uuid::Uuid::now_v7()));
    claimed.next_attempt_at = Set(app.clock.now() + TimeDelta::minutes(5));
    claimed.update(&app.state.db).await.unwrap();

    mail::run_once(&app.state).await.unwrap();
    assert!(smtp.received().is_empty(), "not while the claim holds");
    app.clock.advance(TimeDelta::minutes(6));
    mail::run_once(&app.state).await.unwrap();

    let received = smtp.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        format!("<{}>", received[0].parsed().message_id().unwrap()),
        message_id
    );
}

async fn without_a_mail_server_each_mail_is_written_as_an_eml_file(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    queue(&app, vec![mail_to("ona@example.lt", "test:1")]).await;

    mail::run_once(&app.state).await.unwrap();

    let folder = &app.state.settings.mail.folder;
    let files: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].extension().unwrap(), "eml");
    let raw = std::fs::read(&files[0]).unwrap();
    let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        message.to().unwrap().first().unwrap().address(),
        Some("ona@example.lt")
    );
    assert_eq!(rows(&app).await[0].status, MailStatus::Sent);
}
