//! Demo content from the WeBuySocialEU campaign page, loaded through the same services
//! editors use: the campaign's sites, the SRPP pages, the five training events of
//! 2024 with their materials, and a news item, published locale by locale.

use entity::ids::ItemId;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use crate::domain::Role;
use crate::domain::content::{
    ContentKind, EventFields, FieldChanges, MaterialFields, MaterialKind, NewsFields,
    RegistrationMode,
};
use crate::error::AppError;
use crate::services::assets;
use crate::services::content::{self, ItemInput, TranslationInput};
use crate::services::kernel::actor::Actor;
use crate::services::kernel::precondition::Precondition;
use crate::services::sites::{self, RouteFields, SiteFields};
use crate::services::users::User;
use crate::state::AppState;

/// What was loaded.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub sites: usize,
    pub items: usize,
    pub published_translations: usize,
    /// The content was there already; nothing was done.
    pub already_present: bool,
}

/// A site: code, name, countries, locales (the first is the default), fallback chain.
type SiteSeed = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

/// The sites of the campaign: the EU level and its 12 member states.
const SITES: [SiteSeed; 13] = [
    ("eu", "WeBuySocialEU", &[], &["en", "fr", "de"], &[]),
    ("at", "WeBuySocial Österreich", &["AT"], &["de"], &["en"]),
    (
        "be",
        "WeBuySocial Belgique / België",
        &["BE"],
        &["fr", "nl"],
        &["en"],
    ),
    ("bg", "WeBuySocial България", &["BG"], &["bg"], &["en"]),
    ("cy", "WeBuySocial Κύπρος", &["CY"], &["el"], &["en"]),
    ("ee", "WeBuySocial Eesti", &["EE"], &["et"], &["en"]),
    ("es", "WeBuySocial España", &["ES"], &["es"], &["en"]),
    ("fi", "WeBuySocial Suomi", &["FI"], &["fi", "sv"], &["en"]),
    ("lt", "WeBuySocial Lietuva", &["LT"], &["lt"], &["en"]),
    (
        "lu",
        "WeBuySocial Luxembourg",
        &["LU"],
        &["fr", "de"],
        &["en"],
    ),
    ("mt", "WeBuySocial Malta", &["MT"], &["mt", "en"], &[]),
    ("pt", "WeBuySocial Portugal", &["PT"], &["pt"], &["en"]),
    ("si", "WeBuySocial Slovenija", &["SI"], &["sl"], &["en"]),
];

/// Loads the demo content, unless the `eu` site exists already. Acts as the first admin.
pub async fn seed(state: &AppState) -> Result<SeedReport, AppError> {
    if sites::exists(&state.db, "eu").await? {
        return Ok(SeedReport {
            already_present: true,
            ..SeedReport::default()
        });
    }
    let actor = Actor::local(first_admin(state).await?);
    let mut report = SeedReport::default();
    for (code, name, countries, locales, fallback) in SITES {
        let fields = SiteFields {
            name: Some(name.into()),
            countries: Some(strings(countries)),
            locales: Some(strings(locales)),
            default_locale: locales.first().map(|l| (*l).to_owned()),
            fallback: Some(strings(fallback)),
            routes: Some(demo_routes(code)),
            preview_url: Some(Some(format!(
                "https://{code}.webuysocial.example/api/preview?token={{token}}&kind={{kind}}&slug={{slug}}&locale={{locale}}"
            ))),
            registration_consent: None,
            sign_up_links_url: None,
        };
        sites::create(state, &actor, code, fields).await?;
        report.sites += 1;
    }
    seed_pages(state, &actor, &mut report).await?;
    seed_events(state, &actor, &mut report).await?;
    seed_news(state, &actor, &mut report).await?;
    // Run from the CLI next to serving instances, this is what tells their shared-scope
    // caches that the published state moved.
    let everything = vec![crate::delivery_cache::Change::Everything];
    crate::services::delivery::published_state::changed(state, everything).await;
    Ok(report)
}

/// The demo sites' frontends, on the reserved `.example` domain.
fn demo_routes(code: &str) -> Vec<RouteFields> {
    [
        (ContentKind::Page, "{path}"),
        (ContentKind::News, "news/{slug}"),
        (ContentKind::Event, "events/{slug}"),
        (ContentKind::Material, "materials/{slug}"),
    ]
    .into_iter()
    .map(|(kind, path)| RouteFields {
        kind,
        locale: None,
        pattern: format!("https://{code}.webuysocial.example/{{locale}}/{path}"),
    })
    .collect()
}

pub async fn first_admin(state: &AppState) -> Result<User, AppError> {
    let model = entity::user::Entity::find()
        .filter(entity::user::Column::Role.eq(Role::Admin))
        .filter(entity::user::Column::DisabledAt.is_null())
        .order_by_asc(entity::user::Column::CreatedAt)
        .one(&state.db)
        .await?
        .ok_or_else(|| {
            AppError::Conflict("demo content needs an active admin; create one first".into())
        })?;
    model.try_into()
}

async fn seed_pages(
    state: &AppState,
    actor: &Actor,
    report: &mut SeedReport,
) -> Result<(), AppError> {
    let home = create(
        state,
        actor,
        ContentKind::Page,
        ItemInput::default(),
        "en",
        text(
            "WeBuySocialEU",
            "Harnessing the power of public procurement for social good.",
            "In a world where every purchase can make a difference, harnessing the power of public \
             procurement for social good is not just a choice but a unique opportunity!\n\n\
             Public buyers are major investors and market signallers in Europe, with public procurement \
             accounting for about **14% of the EU’s GDP**. Imagine: could this be done more responsibly and socially?\n\n\
             WeBuySocialEU is a European Commission initiative showcasing how the use of public procurement \
             can help to achieve far-reaching social goals across the EU.\n\n*Think social and act smart by using \
             the power of public purchasing for the greater good!*",
        ),
    )
    .await?;
    let what = create(
        state,
        actor,
        ContentKind::Page,
        ItemInput {
            parent_id: Some(Some(home)),
            position: Some(1),
            ..ItemInput::default()
        },
        "en",
        text(
            "What is socially responsible public procurement?",
            "SRPP asks public buyers to look beyond the price.",
            "Socially responsible public procurement, or SRPP for short, asks public buyers to look beyond the \
             price of products or services, and also consider how they are produced, sourced and delivered.\n\n\
             SRPP helps public authorities achieve additional social and ethical benefits even when budgets are constrained.",
        ),
    )
    .await?;
    translate(
        state,
        actor,
        ContentKind::Page,
        what.into(),
        "fr",
        text(
            "Qu'est-ce que les marchés publics socialement responsables ?",
            "Regarder au-delà du prix.",
            "Les marchés publics socialement responsables (MPSR) demandent aux acheteurs publics de regarder \
             au-delà du prix des produits ou des services.",
        ),
    )
    .await?;
    let why = create(
        state,
        actor,
        ContentKind::Page,
        ItemInput {
            parent_id: Some(Some(home)),
            position: Some(2),
            ..ItemInput::default()
        },
        "en",
        text(
            "Why should the public sector 'buy social'?",
            "Buying social means buying into a better future.",
            "Some specific benefits include:\n\n\
             - Promoting the social inclusion and employability of persons with disabilities\n\
             - Improving working conditions especially in low-paid, low-skill sectors\n\
             - Enabling a better work-life balance and promoting gender equality\n\
             - Prioritising transparent supply chains and strategic autonomy\n\
             - Using public money in a more strategic way to achieve social and societal goals.",
        ),
    )
    .await?;
    report.items += 3;
    for (id, locale) in [(home, "en"), (what, "en"), (what, "fr"), (why, "en")] {
        publish(state, actor, ContentKind::Page, id.into(), locale, report).await?;
    }
    Ok(())
}

/// The five training events of the page, each in its workshop language and English.
async fn seed_events(
    state: &AppState,
    actor: &Actor,
    report: &mut SeedReport,
) -> Result<(), AppError> {
    let events = [
        (
            "LT",
            "Vilnius",
            "2024-05-23T09:30:00+03:00",
            "2024-05-23T16:30:00+03:00",
            "Europe/Vilnius",
            "lt",
            "Socialiai atsakingi viešieji pirkimai: mokymai Vilniuje",
            "Lithuania – 23 May 2024, workshop in Lithuanian",
            40,
        ),
        (
            "BE",
            "Bruxelles",
            "2024-05-24T09:30:00+02:00",
            "2024-05-24T16:30:00+02:00",
            "Europe/Brussels",
            "fr",
            "Marchés publics socialement responsables : formation à Bruxelles",
            "Belgium (French-speaking) – 24 May 2024, workshop in French",
            40,
        ),
        (
            "EE",
            "Tallinn",
            "2024-06-04T09:30:00+03:00",
            "2024-06-04T16:30:00+03:00",
            "Europe/Tallinn",
            "et",
            "Sotsiaalselt vastutustundlikud hanked: koolitus Tallinnas",
            "Estonia – 4 June 2024, workshop in Estonian",
            40,
        ),
        (
            "PT",
            "Lisboa",
            "2024-06-04T09:30:00+01:00",
            "2024-06-04T16:30:00+01:00",
            "Europe/Lisbon",
            "pt",
            "Contratação pública socialmente responsável: formação em Lisboa",
            "Portugal – 4 June 2024, workshop in Portuguese",
            30,
        ),
        (
            "BE",
            "Brussel",
            "2024-06-05T09:30:00+02:00",
            "2024-06-05T16:30:00+02:00",
            "Europe/Brussels",
            "nl",
            "Maatschappelijk verantwoord aankopen: opleiding in Brussel",
            "Belgium (Dutch-speaking) – 5 June 2024, workshop in Dutch",
            40,
        ),
    ];
    for (country, city, starts, ends, zone, language, native_title, english_title, capacity) in
        events
    {
        let material = create(
            state,
            actor,
            ContentKind::Material,
            ItemInput {
                countries: Some(vec![country.into()]),
                fields: FieldChanges::setting(MaterialFields {
                    material_kind: Some(MaterialKind::Presentation),
                }),
                ..ItemInput::default()
            },
            "en",
            TranslationInput {
                file_asset_id: Some(sample_file(state, actor, city).await?),
                ..text(
                    &format!("Training Materials and Presentations – {city}"),
                    "Slides of the workshop.",
                    "The presentations used during the workshop.",
                )
            },
        )
        .await?;
        let fields: EventFields = serde_json::from_value(json!({
            "city": city, "starts_at": starts, "ends_at": ends, "time_zone": zone,
            "workshop_languages": [language], "capacity": capacity, "materials": [material],
        }))
        .map_err(AppError::internal)?;
        let fields = FieldChanges::setting(EventFields {
            registration_mode: Some(RegistrationMode::Form),
            ..fields
        });
        let event = create(
            state,
            actor,
            ContentKind::Event,
            ItemInput {
                countries: Some(vec![country.into()]),
                tags: Some(vec!["training".into()]),
                fields,
                ..ItemInput::default()
            },
            language,
            text(
                native_title,
                english_title,
                "Express your interest to participate: places are limited.",
            ),
        )
        .await?;
        translate(
            state,
            actor,
            ContentKind::Event,
            event.into(),
            "en",
            text(english_title, english_title, "Express your interest here."),
        )
        .await?;
        report.items += 2;
        publish(
            state,
            actor,
            ContentKind::Material,
            material.into(),
            "en",
            report,
        )
        .await?;
        publish(
            state,
            actor,
            ContentKind::Event,
            event.into(),
            language,
            report,
        )
        .await?;
        publish(state, actor, ContentKind::Event, event.into(), "en", report).await?;
    }
    Ok(())
}

async fn seed_news(
    state: &AppState,
    actor: &Actor,
    report: &mut SeedReport,
) -> Result<(), AppError> {
    let news = create(
        state,
        actor,
        ContentKind::News,
        ItemInput {
            tags: Some(vec!["training".into(), "campaign".into()]),
            fields: FieldChanges::setting(NewsFields {
                date: chrono::NaiveDate::from_ymd_opt(2024, 4, 15),
                cover_asset_id: None,
            }),
            ..ItemInput::default()
        },
        "en",
        text(
            "Join the WeBuySocialEU events and movement!",
            "Training events in 12 EU Member States throughout 2024.",
            "Throughout 2024, WeBuySocialEU will conduct a comprehensive campaign and targeted training events in \
             12 EU Member States (Austria, Belgium, Bulgaria, Cyprus, Estonia, Finland, Lithuania, Luxembourg, \
             Malta, Portugal, Slovenia, Spain) to promote socially responsible public procurement (SRPP).",
        ),
    )
    .await?;
    report.items += 1;
    publish(state, actor, ContentKind::News, news.into(), "en", report).await
}

/// Uploads a one-page PDF as the slides of the workshop in `city`.
pub async fn sample_file(state: &AppState, actor: &Actor, city: &str) -> Result<Uuid, AppError> {
    let pdf = sample_pdf(&format!("WeBuySocialEU - SRPP training in {city}"));
    let meta = assets::UploadMeta {
        file_name: format!("webuysocialeu-training-{}.pdf", city.to_lowercase()),
        title: Some(format!("Workshop slides – {city}")),
        declared_size: Some(pdf.len() as u64),
        ..assets::UploadMeta::default()
    };
    let body = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(pdf))]);
    Ok(assets::upload(state, actor, meta, body).await?.id.into())
}

/// A minimal valid PDF with one line of text.
fn sample_pdf(line: &str) -> Vec<u8> {
    let text: String = line
        .chars()
        .filter(|c| c.is_ascii() && !matches!(c, '(' | ')' | '\\'))
        .collect();
    let stream = format!("BT /F1 18 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{stream}\nendstream",
            stream.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

fn text(title: &str, summary: &str, body: &str) -> TranslationInput {
    TranslationInput {
        slug: None,
        title: title.into(),
        summary: summary.into(),
        body: body.into(),
        seo_title: String::new(),
        seo_description: summary.into(),
        file_asset_id: None,
        based_on: None,
    }
}

async fn create(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    input: ItemInput,
    locale: &str,
    translation: TranslationInput,
) -> Result<ItemId, AppError> {
    Ok(
        content::create(state, actor, kind, input, locale, translation)
            .await?
            .id,
    )
}

async fn translate(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: Uuid,
    locale: &str,
    translation: TranslationInput,
) -> Result<(), AppError> {
    content::put_translation(
        state,
        actor,
        kind,
        id.into(),
        locale,
        &Precondition::Absent,
        translation,
        None,
    )
    .await?;
    Ok(())
}

async fn publish(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: Uuid,
    locale: &str,
    report: &mut SeedReport,
) -> Result<(), AppError> {
    content::schedule_or_publish(
        state,
        actor,
        kind,
        id.into(),
        locale,
        None,
        &Precondition::Absent,
    )
    .await?;
    report.published_translations += 1;
    Ok(())
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}
