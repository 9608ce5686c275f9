//! The command line: `serve` (default), `migrate`, `user create`, `openapi`.

use std::io::{BufRead, IsTerminal, Write};

use clap::{Args, Parser, Subcommand};

use crate::app::{self, Application, StartError};
use crate::clock::Clock;
use crate::domain::Role;
use crate::services::users::{self, Bootstrap, NewUser};
use crate::settings::{DatabaseUrl, Settings, StorageUrl};
use crate::{db, demo, http, telemetry};

/// Tells the operator, in the log format in force.
macro_rules! say {
    ($($arg:tt)*) => {
        telemetry::say(&format!($($arg)*))
    };
}

#[derive(Debug, Parser)]
#[command(
    name = "buysocial",
    version,
    about = "Headless CMS for multilingual campaigns"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Print the OpenAPI document (JSON) and exit.
    Openapi,
    /// Check outgoing mail.
    #[command(subcommand)]
    Mail(MailCommand),
    /// Load the WeBuySocialEU demo content (sites, pages, events, materials, news).
    SeedDemo,
}

#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Load the demo content first, if it is not there yet.
    #[arg(long)]
    pub seed_demo: bool,
    /// Start even if the object store refuses a probe write (a missing bucket, refused
    /// credentials); uploads then fail until it is fixed.
    #[arg(long)]
    pub skip_storage_check: bool,
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Send one test message now, through the configured mail server (or into the mail
    /// folder when none is configured), to check the settings.
    Test(MailTestArgs),
}

#[derive(Debug, Args)]
pub struct MailTestArgs {
    /// Where to send it.
    pub address: String,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is asked for, or read as one line from stdin.
    Create(CreateUserArgs),
}

#[derive(Debug, Args)]
pub struct CreateUserArgs {
    #[arg(long)]
    pub email: String,
    /// admin, editor, author or viewer.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    #[arg(long)]
    pub name: Option<String>,
    /// Make the user choose a new password at first login.
    #[arg(long)]
    pub must_change_password: bool,
}

fn parse_role(raw: &str) -> Result<Role, String> {
    raw.parse()
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Settings(#[from] crate::settings::SettingsError),
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("{0}")]
    Input(String),
    #[error("{0}")]
    Service(String),
}

pub async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => serve(args).await,
        Command::SeedDemo => seed_demo().await,
        Command::Migrate => migrate().await,
        Command::User(UserCommand::Create(args)) => create_user(args).await,
        Command::Openapi => print_openapi(&openapi().await?),
        Command::Mail(MailCommand::Test(args)) => mail_test(args).await,
    }
}

/// Prints the document to stdout; a reader that stops early (`| head`) is no error.
fn print_openapi(document: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{document}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(err) => Err(CliError::Input(format!("cannot write the document: {err}"))),
    }
}

async fn serve(args: ServeArgs) -> Result<(), CliError> {
    let mut settings = Settings::load()?;
    if args.skip_storage_check {
        settings.storage.check_at_start = false;
    }
    telemetry::init(&settings.log);
    let app = Application::build(settings).await?;
    if args.seed_demo {
        report_seed(
            demo::seed(app.state())
                .await
                .map_err(|e| CliError::Service(e.to_string()))?,
        );
    }
    let url = format!("http://{}", app.local_addr());
    let mail = &app.state().settings.mail;
    if !mail.uses_smtp() {
        say!(
            "No mail server is configured (mail.host): mails are written as .eml files to {}.",
            mail.folder.display()
        );
    }
    match app.bootstrap() {
        Bootstrap::Generated { email, password } => say!(
            "\nCreated the first admin account. This password is shown only once:\n\n    \
             email:    {email}\n    password: {password}\n\n\
             Log in:   curl -s -X POST {url}/api/v1/auth/login -H 'content-type: application/json' \
             -d '{{\"email\":\"{email}\",\"password\":\"{password}\"}}'\n\
             Then change it: POST {url}/api/v1/auth/password\n"
        ),
        Bootstrap::FromSettings { email } => {
            say!("Created the first admin account {email} from the bootstrap settings.")
        }
        Bootstrap::NotNeeded => {}
    }
    say!("buysocial listening on {url}  (API docs: {url}/api/docs)");
    tracing::info!(%url, "listening");
    app.run_until_stopped().await?;
    Ok(())
}

async fn seed_demo() -> Result<(), CliError> {
    let settings = Settings::load()?;
    telemetry::init(&settings.log);
    let state = app::build_state(settings, Clock::system()).await?;
    // The content needs an admin to act as; on an empty database, create one as `serve` would.
    let bootstrap = users::bootstrap_admin(&state)
        .await
        .map_err(|e| CliError::Service(e.to_string()))?;
    if let Bootstrap::Generated { email, password } = &bootstrap {
        say!(
            "Created the first admin account. This password is shown only once:\n\n    email:    {email}\n    password: {password}\n"
        );
    }
    report_seed(
        demo::seed(&state)
            .await
            .map_err(|e| CliError::Service(e.to_string()))?,
    );
    Ok(())
}

fn report_seed(report: demo::SeedReport) {
    if report.already_present {
        say!("demo content is already present; nothing was loaded");
    } else {
        say!(
            "loaded demo content: {} sites, {} items, {} published translations",
            report.sites,
            report.items,
            report.published_translations
        );
    }
}

async fn mail_test(args: MailTestArgs) -> Result<(), CliError> {
    let settings = Settings::load()?;
    telemetry::init(&settings.log);
    let mailer = crate::mailer::Mailer::from_settings(&settings.mail)
        .map_err(|err| CliError::Input(format!("mail: {err}")))?;
    let way = mailer.transport.describe(&settings.mail);
    mailer
        .send_test(&settings.mail, &settings.server.public_url, &args.address)
        .await
        .map_err(|failure| CliError::Service(format!("not sent: {}", failure.reason)))?;
    say!("sent a test message to {} ({way})", args.address);
    Ok(())
}

async fn migrate() -> Result<(), CliError> {
    let settings = Settings::load()?;
    telemetry::init(&settings.log);
    let connection = db::connect(&settings.database)
        .await
        .map_err(StartError::from)?;
    db::migrate(&connection).await.map_err(StartError::from)?;
    say!("migrations applied");
    Ok(())
}

async fn create_user(args: CreateUserArgs) -> Result<(), CliError> {
    let settings = Settings::load()?;
    telemetry::init(&settings.log);
    let password = read_password()?;
    let state = app::build_state(settings, Clock::system()).await?;
    let mut new = NewUser::unscoped(&args.email, args.role, &password);
    new.display_name = args.name;
    new.must_change_password = args.must_change_password;
    let user = users::create(&state, new).await.map_err(|err| match err {
        crate::error::AppError::Validation(errors) => CliError::Input(
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => CliError::Service(other.to_string()),
    })?;
    say!("created {} {} ({})", user.role, user.email, user.id);
    Ok(())
}

/// Prompts twice on a terminal; otherwise reads the first line of stdin.
fn read_password() -> Result<String, CliError> {
    let io = |err: std::io::Error| CliError::Input(format!("cannot read the password: {err}"));
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(io)?;
        let second = rpassword::prompt_password("Repeat password: ").map_err(io)?;
        if first != second {
            return Err(CliError::Input("the passwords differ".into()));
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(io)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

/// The OpenAPI document, built without touching the configured database or store.
async fn openapi() -> Result<String, CliError> {
    let mut settings = Settings::defaults()?;
    settings.database.url = DatabaseUrl::Sqlite("sqlite::memory:".into());
    settings.database.max_connections = 1;
    settings.storage.url = StorageUrl::Memory;
    let state = app::build_state(settings, Clock::system()).await?;
    Ok(http::openapi_json(&state))
}
