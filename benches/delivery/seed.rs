//! The benchmark's content, made through the same services editors use: news items,
//! events and materials in six locales, spread over the campaign's countries, plus the
//! demo sites and content. Deterministic, so runs compare.

use std::time::Instant;

use buysocial::domain::content::{
    ContentKind, EventFields, FieldChanges, MaterialFields, MaterialKind, NewsFields,
    RegistrationMode,
};
use buysocial::error::AppError;
use buysocial::services::content::{self, ItemInput, TranslationInput};
use buysocial::services::kernel::actor::Actor;
use buysocial::services::kernel::precondition::Precondition;
use buysocial::state::AppState;
use chrono::{Duration, NaiveDate, Utc};
use uuid::Uuid;

pub const LOCALES: [&str; 6] = ["en", "fr", "nl", "de", "lt", "pt"];
const COUNTRIES: [&str; 12] = [
    "AT", "BE", "BG", "CY", "EE", "ES", "FI", "LT", "LU", "MT", "PT", "SI",
];
const TAGS: [&str; 6] = [
    "training",
    "social-economy",
    "accessibility",
    "fair-work",
    "guidance",
    "good-practice",
];
const KINDS: [MaterialKind; 4] = [
    MaterialKind::Presentation,
    MaterialKind::Report,
    MaterialKind::Guide,
    MaterialKind::Handout,
];

#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub news: usize,
    pub events: usize,
    pub materials: usize,
}

/// Words per locale, so each translation reads (and searches) as its own language.
fn words(locale: &str) -> [&'static str; 4] {
    match locale {
        "fr" => ["achats", "publics", "socialement", "responsables"],
        "nl" => ["overheidsopdrachten", "sociaal", "verantwoord", "inkopen"],
        "de" => ["öffentliche", "Beschaffung", "sozial", "verantwortlich"],
        "lt" => ["viešieji", "pirkimai", "socialiai", "atsakingi"],
        "pt" => ["contratação", "pública", "socialmente", "responsável"],
        _ => ["public", "procurement", "socially", "responsible"],
    }
}

fn text(locale: &str, kind: &str, n: usize) -> TranslationInput {
    let [a, b, c, d] = words(locale);
    let title = format!("{kind} {n} – {a} {b} {c} {d} ({locale})");
    let summary = format!("{c} {d} {a} {b}: {kind} {n} for {locale} readers.");
    let paragraph = format!(
        "{a} {b} **{c}** {d}. Public buyers can use their purchasing power to choose goods and \
         services that support decent work, inclusion and accessibility ({kind} {n})."
    );
    let body =
        format!("## {title}\n\n{paragraph}\n\n- {a}\n- {b}\n- {c}\n\n{paragraph}\n\n{paragraph}");
    TranslationInput {
        slug: None,
        seo_title: title.clone(),
        seo_description: summary.clone(),
        title,
        summary,
        body,
        file_asset_id: None,
        based_on: None,
    }
}

async fn in_every_locale(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    input: ItemInput,
    label: &str,
    n: usize,
    file: Option<Uuid>,
) -> Result<entity::ids::ItemId, AppError> {
    let with_file = |mut t: TranslationInput| {
        t.file_asset_id = file;
        t
    };
    let id = content::create(
        state,
        actor,
        kind,
        input,
        "en",
        with_file(text("en", label, n)),
    )
    .await?
    .id;
    for locale in &LOCALES[1..] {
        let translation = with_file(text(locale, label, n));
        content::put_translation(
            state,
            actor,
            kind,
            id,
            locale,
            &Precondition::Absent,
            translation,
            None,
        )
        .await?;
    }
    for locale in LOCALES {
        content::schedule_or_publish(state, actor, kind, id, locale, None, &Precondition::Absent)
            .await?;
    }
    Ok(id)
}

/// Creates and publishes everything; prints progress, since it takes minutes.
pub async fn generate(state: &AppState, actor: &Actor, sizes: Sizes) -> Result<(), AppError> {
    let started = Instant::now();
    let mut materials = Vec::with_capacity(sizes.materials);
    for n in 0..sizes.materials {
        let country = COUNTRIES[n % COUNTRIES.len()];
        let file = buysocial::demo::sample_file(state, actor, &format!("Material {n}")).await?;
        let input = ItemInput {
            countries: Some(vec![country.into()]),
            fields: FieldChanges::setting(MaterialFields {
                material_kind: Some(KINDS[n % KINDS.len()]),
            }),
            ..ItemInput::default()
        };
        let label = "Material";
        materials.push(
            in_every_locale(
                state,
                actor,
                ContentKind::Material,
                input,
                label,
                n,
                Some(file),
            )
            .await?,
        );
    }
    eprintln!(
        "seed: {} materials in {:?}",
        sizes.materials,
        started.elapsed()
    );

    let today = Utc::now();
    for n in 0..sizes.events {
        let country = COUNTRIES[n % COUNTRIES.len()];
        // A third in the past, the rest spread over the coming year.
        let offset = if n % 3 == 0 {
            -(n as i64) - 30
        } else {
            n as i64 + 1
        };
        let start = today + Duration::days(offset);
        let linked: Vec<entity::ids::ItemId> = (0..3)
            .filter_map(|k| materials.get((n * 3 + k) % materials.len().max(1)).copied())
            .collect();
        let fields = EventFields {
            city: Some(format!("City {n}")),
            starts_at: Some(start.fixed_offset()),
            ends_at: Some((start + Duration::hours(6)).fixed_offset()),
            time_zone: Some("Europe/Brussels".into()),
            workshop_languages: Some(vec![LOCALES[n % LOCALES.len()].into()]),
            capacity: Some(40),
            registration_mode: Some(RegistrationMode::Form),
            materials: Some(linked),
            ..EventFields::default()
        };
        let input = ItemInput {
            countries: Some(vec![country.into()]),
            tags: Some(vec!["training".into()]),
            fields: FieldChanges::setting(fields),
            ..ItemInput::default()
        };
        in_every_locale(state, actor, ContentKind::Event, input, "Training", n, None).await?;
    }
    eprintln!("seed: {} events in {:?}", sizes.events, started.elapsed());

    let first_day = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap_or_default();
    for n in 0..sizes.news {
        // One in five EU-wide, the others about one country.
        let countries = if n % 5 == 0 {
            Vec::new()
        } else {
            vec![COUNTRIES[n % COUNTRIES.len()].to_owned()]
        };
        let input = ItemInput {
            countries: Some(countries),
            tags: Some(vec![TAGS[n % TAGS.len()].into()]),
            fields: FieldChanges::setting(NewsFields {
                date: Some(first_day + Duration::days((n * 9 / 24) as i64)),
                cover_asset_id: None,
            }),
            ..ItemInput::default()
        };
        in_every_locale(state, actor, ContentKind::News, input, "News", n, None).await?;
        if (n + 1) % 500 == 0 {
            eprintln!("seed: {} news in {:?}", n + 1, started.elapsed());
        }
    }
    Ok(())
}
