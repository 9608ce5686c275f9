//! Slugs: unique per kind and locale among drafts, generated from titles when not given.

use entity::ids::ItemId;
use std::collections::HashSet;

use entity::translation::{self, Entity as Translations};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

use crate::domain::Locale;
use crate::domain::content::{ContentKind, Slug, slugify};
use crate::error::AppError;

/// The slug for `document`'s `locale` draft: the requested one if it is free, else
/// the current one, else one made from the title (with `-2`, `-3`... if taken).
pub async fn choose(
    db: &impl ConnectionTrait,
    kind: ContentKind,
    locale: &Locale,
    document: ItemId,
    requested: Option<&str>,
    current: Option<&str>,
    title: &str,
) -> Result<Slug, AppError> {
    if let Some(raw) = requested {
        let slug = Slug::parse(raw).map_err(|m| AppError::invalid("slug", m))?;
        if is_taken(db, kind, locale, document, &slug).await? {
            return Err(AppError::invalid(
                "slug",
                format!("{slug} is already used by another {kind} in {locale}"),
            ));
        }
        return Ok(slug);
    }
    if let Some(current) = current {
        return Slug::parse(current).map_err(AppError::internal);
    }
    let base = slugify(title)
        .or_else(|| Slug::parse(&format!("{kind}-{}", &document.0.simple().to_string()[..8])).ok())
        .ok_or_else(|| AppError::internal("no slug could be made"))?;
    if !is_taken(db, kind, locale, document, &base).await? {
        return Ok(base);
    }
    // The numbered variants, all checked in one query.
    let candidates: Vec<Slug> = (2..=100).map(|n| base.with_suffix(n)).collect();
    let taken: HashSet<String> = Translations::find()
        .select_only()
        .column(translation::Column::Slug)
        .filter(translation::Column::Kind.eq(kind))
        .filter(translation::Column::Locale.eq(locale.as_str()))
        .filter(translation::Column::Slug.is_in(candidates.iter().map(Slug::as_str)))
        .filter(translation::Column::DocumentId.ne(document))
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    if let Some(free) = candidates
        .into_iter()
        .find(|candidate| !taken.contains(candidate.as_str()))
    {
        return Ok(free);
    }
    Err(AppError::invalid(
        "slug",
        "no free slug could be made from the title; give one",
    ))
}

async fn is_taken(
    db: &impl ConnectionTrait,
    kind: ContentKind,
    locale: &Locale,
    document: ItemId,
    slug: &Slug,
) -> Result<bool, AppError> {
    let others = Translations::find()
        .filter(translation::Column::Kind.eq(kind))
        .filter(translation::Column::Locale.eq(locale.as_str()))
        .filter(translation::Column::Slug.eq(slug.as_str()))
        .filter(translation::Column::DocumentId.ne(document))
        .count(db)
        .await?;
    Ok(others > 0)
}
