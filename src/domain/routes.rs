//! Where a site's frontend shows things: URL patterns such as
//! `https://webuysocial.be/{locale}/actualites/{slug}`, per kind and locale, and the
//! pattern of its preview route. Parsed once, so that filling one in cannot fail.

use std::fmt;

use super::Locale;
use super::content::ContentKind;

/// A `{name}` a pattern may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    /// The locale, e.g. `fr`.
    Locale,
    /// The item's slug in that locale.
    Slug,
    /// Pages: the slugs of the page's parents and the page, joined by `/`.
    Path,
    /// The item's id.
    Id,
    /// Preview routes: the kind as the API names it (`news`, `events`, …).
    Kind,
    /// Preview routes: the preview token; sign-up links: the link's token.
    Token,
    /// Sign-up links: what the link does (`confirm`, `cancel`, `accept-offer`, `erase`).
    Action,
}

impl Placeholder {
    const ALL: [Placeholder; 7] = [
        Self::Locale,
        Self::Slug,
        Self::Path,
        Self::Id,
        Self::Kind,
        Self::Token,
        Self::Action,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Locale => "locale",
            Self::Slug => "slug",
            Self::Path => "path",
            Self::Id => "id",
            Self::Kind => "kind",
            Self::Token => "token",
            Self::Action => "action",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Hole(Placeholder),
}

/// The values a pattern is filled with; a placeholder without a value leaves the URL
/// unknown (`fill` answers `None`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Values<'a> {
    pub locale: Option<&'a str>,
    pub slug: Option<&'a str>,
    pub path: Option<&'a str>,
    pub id: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub token: Option<&'a str>,
    pub action: Option<&'a str>,
}

impl<'a> Values<'a> {
    fn of(&self, placeholder: Placeholder) -> Option<&'a str> {
        match placeholder {
            Placeholder::Locale => self.locale,
            Placeholder::Slug => self.slug,
            Placeholder::Path => self.path,
            Placeholder::Id => self.id,
            Placeholder::Kind => self.kind,
            Placeholder::Token => self.token,
            Placeholder::Action => self.action,
        }
    }
}

/// An absolute http(s) URL with placeholders in its path, query or fragment, never in
/// its scheme or host: a filled-in URL always points at the site it was set for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlPattern {
    raw: String,
    parts: Vec<Part>,
}

impl UrlPattern {
    pub const MAX_LEN: usize = 500;

    /// Parses `raw`, allowing only the placeholders in `allowed` and requiring at least
    /// one of `required`.
    pub fn parse(
        raw: &str,
        allowed: &[Placeholder],
        required: &[Placeholder],
    ) -> Result<Self, String> {
        if raw.len() > Self::MAX_LEN {
            return Err(format!("must be at most {} characters", Self::MAX_LEN));
        }
        let parts = split(raw, allowed)?;
        let holes = || {
            parts.iter().filter_map(|p| match p {
                Part::Hole(h) => Some(*h),
                Part::Text(_) => None,
            })
        };
        if !holes().any(|h| required.contains(&h)) {
            return Err(format!("must contain {}", names(required, " or ")));
        }
        let pattern = Self {
            raw: raw.to_owned(),
            parts,
        };
        pattern.check_origin()?;
        Ok(pattern)
    }

    /// A pattern read back from the database, where only parsed ones are written.
    pub fn from_stored(raw: &str) -> Self {
        let parts =
            split(raw, &Placeholder::ALL).unwrap_or_else(|_| vec![Part::Text(raw.to_owned())]);
        Self {
            raw: raw.to_owned(),
            parts,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn uses(&self, placeholder: Placeholder) -> bool {
        self.parts.contains(&Part::Hole(placeholder))
    }

    /// The URL with every placeholder filled in; `None` when a value is missing.
    pub fn fill(&self, values: &Values<'_>) -> Option<String> {
        let mut url = String::with_capacity(self.raw.len() + 32);
        for part in &self.parts {
            match part {
                Part::Text(text) => url.push_str(text),
                Part::Hole(placeholder) => url.push_str(values.of(*placeholder)?),
            }
        }
        Some(url)
    }

    /// Filled with two different sets of values, the pattern must give absolute http(s)
    /// URLs with the same scheme, host and port, written exactly as a URL parser writes
    /// them back (no spaces, no raw non-ASCII, no `\\`, a lower-case host), so that a
    /// filled-in URL is what a browser and a sitemap reader take it for.
    fn check_origin(&self) -> Result<(), String> {
        if self
            .raw
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err("must not contain spaces or control characters".into());
        }
        let origin = |values: Values<'_>| -> Result<(String, String, Option<u16>), String> {
            let filled = self.fill(&values).unwrap_or_default();
            let url = url::Url::parse(&filled).map_err(|_| {
                "must be an absolute URL such as https://example.eu/{locale}/news/{slug}".to_owned()
            })?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err("must start with https:// or http://".into());
            }
            if !url.username().is_empty() || url.password().is_some() {
                return Err("must not contain a user name or password".into());
            }
            if url.as_str() != filled {
                return Err("must be written as a plain URL: percent-encode characters \
                            other than ASCII letters, digits and URL punctuation, and write \
                            the host in lower case"
                    .into());
            }
            let host = url
                .host_str()
                .filter(|h| !h.is_empty())
                .ok_or("must name a host")?;
            Ok((url.scheme().to_owned(), host.to_owned(), url.port()))
        };
        let first = origin(Values {
            locale: Some("fr"),
            slug: Some("first"),
            path: Some("first/second"),
            id: Some("00000000-0000-0000-0000-000000000000"),
            kind: Some("news"),
            token: Some("bsp_first"),
            action: Some("confirm"),
        })?;
        let second = origin(Values {
            locale: Some("nl"),
            slug: Some("other"),
            path: Some("other"),
            id: Some("11111111-1111-1111-1111-111111111111"),
            kind: Some("events"),
            token: Some("bsp_other"),
            action: Some("cancel"),
        })?;
        if first == second {
            Ok(())
        } else {
            Err("placeholders belong in the path or query, not in the scheme or host".into())
        }
    }
}

impl fmt::Display for UrlPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

fn split(raw: &str, allowed: &[Placeholder]) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut rest = raw;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err("has a `}` without its `{`".into());
        }
        let Some(close) = rest[open..].find('}') else {
            return Err("has a `{` without its `}`".into());
        };
        let name = &rest[open + 1..open + close];
        let placeholder = allowed
            .iter()
            .copied()
            .find(|p| p.name() == name)
            .ok_or_else(|| format!("{{{name}}} is not one of {}", names(allowed, ", ")))?;
        if open > 0 {
            parts.push(Part::Text(rest[..open].to_owned()));
        }
        parts.push(Part::Hole(placeholder));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_owned()));
    }
    Ok(parts)
}

fn names(placeholders: &[Placeholder], separator: &str) -> String {
    placeholders
        .iter()
        .map(|p| format!("{{{}}}", p.name()))
        .collect::<Vec<_>>()
        .join(separator)
}

/// Where the frontend shows items of `kind`: in `locale`, or in every locale of the
/// site that has no route of its own when `locale` is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub kind: ContentKind,
    pub locale: Option<Locale>,
    pub pattern: UrlPattern,
}

impl Route {
    /// The placeholders an item route may use: `{path}` only for pages.
    pub fn placeholders(kind: ContentKind) -> &'static [Placeholder] {
        match kind {
            ContentKind::Page => &[
                Placeholder::Locale,
                Placeholder::Slug,
                Placeholder::Path,
                Placeholder::Id,
            ],
            _ => &[Placeholder::Locale, Placeholder::Slug, Placeholder::Id],
        }
    }

    /// An item route names its item by one of these.
    pub const IDENTIFYING: [Placeholder; 3] =
        [Placeholder::Slug, Placeholder::Path, Placeholder::Id];
}

/// The placeholders of a preview route, which must hold the token.
pub const PREVIEW_PLACEHOLDERS: [Placeholder; 5] = [
    Placeholder::Token,
    Placeholder::Kind,
    Placeholder::Id,
    Placeholder::Locale,
    Placeholder::Slug,
];

/// The placeholders of a site's page for mailed sign-up links, which must hold the
/// token and the action.
pub const SIGN_UP_LINK_PLACEHOLDERS: [Placeholder; 3] =
    [Placeholder::Token, Placeholder::Action, Placeholder::Locale];

/// A site's routes with its locales: a route without a locale serves only those.
#[derive(Debug, Clone, Default)]
pub struct SiteRoutes {
    routes: Vec<Route>,
    locales: Vec<Locale>,
}

/// What an item's URL is made of.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub kind: ContentKind,
    pub locale: &'a str,
    pub id: &'a str,
    pub slug: &'a str,
    /// Pages: the slugs from the root page down to this one, joined by `/`; `None`
    /// when a parent has no slug in this locale.
    pub path: Option<&'a str>,
}

impl SiteRoutes {
    pub fn new(routes: Vec<Route>, locales: Vec<Locale>) -> Self {
        Self { routes, locales }
    }

    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// Whether any route of `kind` uses `{path}`, which needs the page tree.
    pub fn uses_path(&self, kind: ContentKind) -> bool {
        self.routes
            .iter()
            .any(|r| r.kind == kind && r.pattern.uses(Placeholder::Path))
    }

    /// The route for `kind` in `locale`: its own, else the site-wide one; none for a
    /// locale the site does not have.
    pub fn pattern(&self, kind: ContentKind, locale: &str) -> Option<&UrlPattern> {
        if !self.locales.iter().any(|l| l.as_str() == locale) {
            return None;
        }
        let of_kind = || self.routes.iter().filter(move |r| r.kind == kind);
        of_kind()
            .find(|r| r.locale.as_ref().is_some_and(|l| l.as_str() == locale))
            .or_else(|| of_kind().find(|r| r.locale.is_none()))
            .map(|r| &r.pattern)
    }

    /// The absolute URL of an item on the site, if the site has a route for it.
    pub fn url(&self, target: Target<'_>) -> Option<String> {
        self.pattern(target.kind, target.locale)?.fill(&Values {
            locale: Some(target.locale),
            slug: Some(target.slug),
            path: target.path,
            id: Some(target.id),
            kind: None,
            token: None,
            action: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn news(raw: &str) -> Result<UrlPattern, String> {
        UrlPattern::parse(
            raw,
            Route::placeholders(ContentKind::News),
            &Route::IDENTIFYING,
        )
    }

    #[test]
    fn patterns_fill_in_their_placeholders() {
        let pattern = news("https://webuysocial.be/{locale}/actualites/{slug}?x=1").unwrap();
        let url = pattern.fill(&Values {
            locale: Some("fr"),
            slug: Some("appel"),
            ..Values::default()
        });
        assert_eq!(
            url.as_deref(),
            Some("https://webuysocial.be/fr/actualites/appel?x=1")
        );
        assert_eq!(pattern.fill(&Values::default()), None);
    }

    #[test]
    fn patterns_must_be_absolute_urls_of_one_host() {
        for (raw, expected) in [
            ("/fr/news/{slug}", "absolute URL"),
            ("ftp://example.eu/{slug}", "https://"),
            (
                "https://{locale}.example.eu/{slug}",
                "not in the scheme or host",
            ),
            (
                "https://example.eu/news",
                "must contain {slug} or {path} or {id}",
            ),
            ("https://example.eu/{path}", "{path} is not one of"),
            ("https://example.eu/{slug", "without its `}`"),
            ("https://example.eu/slug}", "without its `{`"),
            ("https://example.eu/mes actualités/{slug}", "spaces"),
            ("https://example.eu/actualités/{slug}", "percent-encode"),
            ("https://Example.eu/{slug}", "lower case"),
            ("https://example.eu/a/../{slug}", "plain URL"),
            ("https://editor@example.eu/{slug}", "user name"),
            ("https://evil\\@example.eu/{slug}", "plain URL"),
        ] {
            let error = news(raw).unwrap_err();
            assert!(error.contains(expected), "{raw}: {error}");
        }
        let long = format!("https://example.eu/{}/{{slug}}", "a".repeat(500));
        assert!(news(&long).unwrap_err().contains("at most 500"));
    }

    #[test]
    fn a_locale_route_wins_over_the_site_wide_one_and_other_locales_have_none() {
        let fr: Locale = Locale::from_stored("fr".into());
        let nl: Locale = Locale::from_stored("nl".into());
        let routes = SiteRoutes::new(
            vec![
                Route {
                    kind: ContentKind::News,
                    locale: None,
                    pattern: news("https://example.be/{locale}/news/{slug}").unwrap(),
                },
                Route {
                    kind: ContentKind::News,
                    locale: Some(fr.clone()),
                    pattern: news("https://example.be/fr/actualites/{slug}").unwrap(),
                },
            ],
            vec![fr, nl],
        );
        let target = |locale| Target {
            kind: ContentKind::News,
            locale,
            id: "x",
            slug: "s",
            path: None,
        };
        assert_eq!(
            routes.url(target("fr")).as_deref(),
            Some("https://example.be/fr/actualites/s")
        );
        assert_eq!(
            routes.url(target("nl")).as_deref(),
            Some("https://example.be/nl/news/s")
        );
        assert_eq!(routes.url(target("de")), None);
        assert_eq!(
            routes.url(Target {
                kind: ContentKind::Event,
                ..target("fr")
            }),
            None
        );
    }
}
