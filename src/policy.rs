//! Every permission decision, in one place, from (principal, action, target).
//!
//! Handlers never compare roles; services ask [`authorize`] and record refusals.
//! The rules (DESIGN.md, "Roles and scopes"):
//! - admin: everything;
//! - editor: create, edit, publish, unpublish and delete content and assets, and see
//!   registrations, within their scope;
//! - author: create and edit drafts within their scope; cannot publish, nor delete
//!   what is live;
//! - viewer: read everything in the admin API except accounts, tokens and the audit
//!   log; write nothing.
//!
//! Scope: an item's language-neutral fields are in scope when all the item's countries
//! are (an EU-wide item, with no country, only for a scope with all countries); a
//! translation is in scope when its locale is, and the item is EU-wide or in scope.

use crate::domain::{CountryCode, Locale, Role, Scope};

/// Who acts: a user through a session, or an admin API token acting as a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub role: Role,
    pub scope: Scope,
}

/// What is being attempted, with the facts the decision needs.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    ManageUsers,
    ManageTokens,
    ManageSites,
    ManageWebhooks,
    ReadAudit,
    ReadSites,
    ReadContent,
    /// Create an item, or change its language-neutral fields.
    EditItem {
        countries: &'a [CountryCode],
    },
    /// Write or drop the draft of one translation.
    EditTranslation {
        countries: &'a [CountryCode],
        locale: &'a Locale,
    },
    /// Publish or unpublish one translation.
    Publish {
        countries: &'a [CountryCode],
        locale: &'a Locale,
    },
    /// Move an item to the trash, or restore it.
    DeleteItem {
        countries: &'a [CountryCode],
        is_live: bool,
    },
    /// Remove an item from the trash for good.
    PurgeItem,
    UploadAsset,
    /// Edit or delete assets of the media library. A file that content uses also needs
    /// the right to edit each of its uses; one that nothing uses, [`Action::ManageUnusedAsset`].
    ManageAssets,
    /// Edit or delete a file no content uses: within the countries of whoever uploaded it
    /// (`None`: the uploader is unknown or gone, so admins only).
    ManageUnusedAsset {
        uploader_countries: Option<&'a [CountryCode]>,
    },
    ReadRegistrations {
        country: &'a CountryCode,
    },
}

impl Action<'_> {
    /// The permission's name, as shown in a refusal.
    pub fn permission(&self) -> &'static str {
        match self {
            Action::ManageUsers => "users:manage",
            Action::ManageTokens => "tokens:manage",
            Action::ManageSites => "sites:manage",
            Action::ManageWebhooks => "webhooks:manage",
            Action::ReadAudit => "audit:read",
            Action::ReadSites => "sites:read",
            Action::ReadContent => "content:read",
            Action::EditItem { .. } => "content:edit",
            Action::EditTranslation { .. } => "content:edit-translation",
            Action::Publish { .. } => "content:publish",
            Action::DeleteItem { .. } => "content:delete",
            Action::PurgeItem => "content:purge",
            Action::UploadAsset => "assets:upload",
            Action::ManageAssets | Action::ManageUnusedAsset { .. } => "assets:manage",
            Action::ReadRegistrations { .. } => "registrations:read",
        }
    }
}

/// A refusal: which permission is missing and why, fit to show to the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    pub permission: &'static str,
    pub reason: String,
}

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "permission {} is missing: {}",
            self.permission, self.reason
        )
    }
}

pub fn authorize(principal: &Principal, action: Action<'_>) -> Result<(), Denied> {
    let role = principal.role;
    let scope = &principal.scope;
    let deny = |reason: String| {
        Err(Denied {
            permission: action.permission(),
            reason,
        })
    };
    let role_lacks = || deny(format!("the {role} role does not allow it"));
    if role == Role::Admin {
        return Ok(());
    }
    let writer = matches!(role, Role::Editor | Role::Author);
    match action {
        Action::ManageUsers
        | Action::ManageTokens
        | Action::ManageSites
        | Action::ManageWebhooks
        | Action::ReadAudit
        | Action::PurgeItem => role_lacks(),
        Action::ReadSites | Action::ReadContent => Ok(()),
        Action::UploadAsset if writer => Ok(()),
        Action::ManageAssets if role == Role::Editor => Ok(()),
        Action::UploadAsset | Action::ManageAssets => role_lacks(),
        Action::ManageUnusedAsset { uploader_countries } if role == Role::Editor => {
            match uploader_countries {
                Some(countries) => item_in_scope(scope, countries)
                    .map_err(|_| {
                        "the file was uploaded by someone working outside your countries".to_owned()
                    })
                    .or_else(deny),
                None => deny("nobody known uploaded this file: only admins can change it".into()),
            }
        }
        Action::ManageUnusedAsset { .. } => role_lacks(),
        Action::EditItem { countries } if writer => item_in_scope(scope, countries).or_else(deny),
        Action::EditTranslation { countries, locale } if writer => {
            translation_in_scope(scope, countries, locale).or_else(deny)
        }
        Action::Publish { countries, locale } if role == Role::Editor => {
            translation_in_scope(scope, countries, locale).or_else(deny)
        }
        Action::DeleteItem { countries, is_live } if writer => {
            if is_live && role == Role::Author {
                return deny("authors cannot delete published content".into());
            }
            item_in_scope(scope, countries).or_else(deny)
        }
        Action::ReadRegistrations { country } if role == Role::Editor => {
            if scope.covers_country(country) {
                Ok(())
            } else {
                deny(format!("{country} is outside your countries"))
            }
        }
        Action::EditItem { .. }
        | Action::EditTranslation { .. }
        | Action::Publish { .. }
        | Action::DeleteItem { .. }
        | Action::ReadRegistrations { .. } => role_lacks(),
    }
}

/// Why `role` cannot carry `scope`, if it cannot. An admin acts everywhere (users,
/// tokens, sites and all content), so a scope on an admin would promise a limit that
/// nothing enforces: it is refused rather than shown.
pub fn scope_refusal(role: Role, scope: &Scope) -> Option<&'static str> {
    (role == Role::Admin && *scope != Scope::everything()).then_some(
        "an admin acts in every country and locale: leave countries and locales empty, or choose another role",
    )
}

/// What a principal may do in general: what the admin web app offers. Each answer is
/// [`authorize`]'s own, asked for the principal's scope. The default is nothing at all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Abilities {
    pub manage_users: bool,
    pub manage_tokens: bool,
    pub manage_sites: bool,
    pub manage_webhooks: bool,
    pub read_audit: bool,
    /// May see who signed up for events (of some country in scope): the event desk.
    pub read_registrations: bool,
    pub upload_assets: bool,
    pub manage_assets: bool,
    /// May create items (in `countries`, or EU-wide when `eu_wide`).
    pub create_content: bool,
    /// May publish translations (in scope).
    pub publish: bool,
    /// May create EU-wide items (a scope of all countries).
    pub eu_wide: bool,
    /// The countries the principal may create items for.
    pub countries: Vec<CountryCode>,
    /// The configured locales the principal may write.
    pub locales: Vec<Locale>,
}

pub fn abilities(principal: &Principal, configured: &[Locale]) -> Abilities {
    let allowed = |action| authorize(principal, action).is_ok();
    let countries: Vec<CountryCode> = if principal.scope.has_all_countries() {
        crate::domain::EU_MEMBER_STATES
            .iter()
            .filter_map(|code| CountryCode::parse(code).ok())
            .collect()
    } else {
        principal.scope.countries.iter().cloned().collect()
    };
    let one: Vec<CountryCode> = countries.iter().take(1).cloned().collect();
    let locales: Vec<Locale> = configured
        .iter()
        .filter(|locale| {
            allowed(Action::EditTranslation {
                countries: &[],
                locale,
            })
        })
        .cloned()
        .collect();
    let create_content = allowed(Action::EditItem { countries: &one });
    Abilities {
        manage_users: allowed(Action::ManageUsers),
        manage_tokens: allowed(Action::ManageTokens),
        manage_sites: allowed(Action::ManageSites),
        manage_webhooks: allowed(Action::ManageWebhooks),
        read_audit: allowed(Action::ReadAudit),
        read_registrations: countries
            .iter()
            .any(|country| allowed(Action::ReadRegistrations { country })),
        upload_assets: allowed(Action::UploadAsset),
        manage_assets: allowed(Action::ManageAssets),
        publish: locales.iter().any(|locale| {
            allowed(Action::Publish {
                countries: &one,
                locale,
            })
        }),
        eu_wide: allowed(Action::EditItem { countries: &[] }),
        countries: if create_content {
            countries
        } else {
            Vec::new()
        },
        locales,
        create_content,
    }
}

/// What a principal may do to one item: change its details, trash it, write and
/// publish which of the configured locales.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemAbilities {
    pub edit_fields: bool,
    pub trash: bool,
    pub write_locales: Vec<Locale>,
    pub publish_locales: Vec<Locale>,
}

pub fn item_abilities(
    principal: &Principal,
    countries: &[CountryCode],
    is_live: bool,
    configured: &[Locale],
) -> ItemAbilities {
    let allowed = |action| authorize(principal, action).is_ok();
    let locales = |publish: bool| {
        configured
            .iter()
            .filter(|locale| {
                allowed(if publish {
                    Action::Publish { countries, locale }
                } else {
                    Action::EditTranslation { countries, locale }
                })
            })
            .cloned()
            .collect()
    };
    ItemAbilities {
        edit_fields: allowed(Action::EditItem { countries }),
        trash: allowed(Action::DeleteItem { countries, is_live }),
        write_locales: locales(false),
        publish_locales: locales(true),
    }
}

fn item_in_scope(scope: &Scope, countries: &[CountryCode]) -> Result<(), String> {
    if scope.covers_all_of(countries) {
        Ok(())
    } else if countries.is_empty() {
        Err("EU-wide items can be changed only with a scope of all countries".into())
    } else {
        Err(format!("{} is outside your countries", join(countries)))
    }
}

fn translation_in_scope(
    scope: &Scope,
    countries: &[CountryCode],
    locale: &Locale,
) -> Result<(), String> {
    if !scope.covers_locale(locale) {
        return Err(format!("the locale {locale} is outside your locales"));
    }
    if countries.is_empty() || scope.covers_all_of(countries) {
        Ok(())
    } else {
        Err(format!("{} is outside your countries", join(countries)))
    }
}

fn join(countries: &[CountryCode]) -> String {
    countries
        .iter()
        .map(CountryCode::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap()
    }

    fn l(code: &str) -> Locale {
        Locale::parse(code, &["en", "fr", "nl", "lt"].map(String::from)).unwrap()
    }

    fn principal(role: Role, countries: &[&str], locales: &[&str]) -> Principal {
        Principal {
            role,
            scope: Scope {
                countries: countries.iter().map(|x| c(x)).collect(),
                locales: locales.iter().map(|x| l(x)).collect(),
            },
        }
    }

    /// The national editor of the issue: Belgium, French and Dutch.
    fn belgian(role: Role) -> Principal {
        principal(role, &["BE"], &["fr", "nl"])
    }

    #[test]
    fn administration_is_for_admins_only() {
        for action in [
            Action::ManageUsers,
            Action::ManageTokens,
            Action::ManageSites,
            Action::ManageWebhooks,
            Action::ReadAudit,
            Action::PurgeItem,
        ] {
            assert!(authorize(&principal(Role::Admin, &[], &[]), action).is_ok());
            for role in [Role::Editor, Role::Author, Role::Viewer] {
                let denied = authorize(&principal(role, &[], &[]), action).unwrap_err();
                assert_eq!(denied.permission, action.permission());
            }
        }
    }

    #[test]
    fn only_roles_other_than_admin_carry_a_scope() {
        assert!(scope_refusal(Role::Admin, &Scope::everything()).is_none());
        assert!(scope_refusal(Role::Admin, &belgian(Role::Admin).scope).is_some());
        for role in [Role::Editor, Role::Author, Role::Viewer] {
            assert!(scope_refusal(role, &belgian(role).scope).is_none());
        }
    }

    #[test]
    fn unused_files_are_managed_within_the_uploaders_countries() {
        let (be, lt, all) = ([c("BE")], [c("LT")], []);
        let editor = belgian(Role::Editor);
        let unused = |countries| Action::ManageUnusedAsset {
            uploader_countries: countries,
        };
        assert!(authorize(&editor, unused(Some(&be))).is_ok());
        assert!(authorize(&editor, unused(Some(&lt))).is_err());
        assert!(
            authorize(&editor, unused(Some(&all))).is_err(),
            "an EU-wide uploader"
        );
        assert!(
            authorize(&editor, unused(None)).is_err(),
            "an unknown uploader"
        );
        let eu_editor = principal(Role::Editor, &[], &[]);
        assert!(authorize(&eu_editor, unused(Some(&lt))).is_ok());
        assert!(authorize(&eu_editor, unused(None)).is_err());
        let admin = principal(Role::Admin, &[], &[]);
        assert!(authorize(&admin, unused(None)).is_ok());
        assert!(authorize(&belgian(Role::Author), unused(Some(&be))).is_err());
    }

    #[test]
    fn everybody_reads_content_and_sites() {
        for role in Role::ALL {
            assert!(authorize(&belgian(role), Action::ReadContent).is_ok());
            assert!(authorize(&belgian(role), Action::ReadSites).is_ok());
        }
    }

    /// role × action × scope: (role, action, allowed).
    #[test]
    fn the_role_and_scope_table() {
        let (be, lt, none) = ([c("BE")], [c("LT")], []);
        let (fr, en) = (l("fr"), l("en"));
        let cases: Vec<(Role, Action, bool)> = vec![
            // Language-neutral fields: only items wholly in the user's countries.
            (Role::Editor, Action::EditItem { countries: &be }, true),
            (Role::Editor, Action::EditItem { countries: &lt }, false),
            (Role::Editor, Action::EditItem { countries: &none }, false),
            (Role::Author, Action::EditItem { countries: &be }, true),
            (Role::Author, Action::EditItem { countries: &lt }, false),
            (Role::Viewer, Action::EditItem { countries: &be }, false),
            // Translations: in-scope locale, of a Belgian or an EU-wide item.
            (
                Role::Editor,
                Action::EditTranslation {
                    countries: &be,
                    locale: &fr,
                },
                true,
            ),
            (
                Role::Editor,
                Action::EditTranslation {
                    countries: &none,
                    locale: &fr,
                },
                true,
            ),
            (
                Role::Editor,
                Action::EditTranslation {
                    countries: &none,
                    locale: &en,
                },
                false,
            ),
            (
                Role::Editor,
                Action::EditTranslation {
                    countries: &lt,
                    locale: &fr,
                },
                false,
            ),
            (
                Role::Author,
                Action::EditTranslation {
                    countries: &none,
                    locale: &fr,
                },
                true,
            ),
            (
                Role::Author,
                Action::EditTranslation {
                    countries: &be,
                    locale: &en,
                },
                false,
            ),
            (
                Role::Viewer,
                Action::EditTranslation {
                    countries: &be,
                    locale: &fr,
                },
                false,
            ),
            // Publishing: editors in scope; never authors or viewers.
            (
                Role::Editor,
                Action::Publish {
                    countries: &be,
                    locale: &fr,
                },
                true,
            ),
            (
                Role::Editor,
                Action::Publish {
                    countries: &none,
                    locale: &fr,
                },
                true,
            ),
            (
                Role::Editor,
                Action::Publish {
                    countries: &be,
                    locale: &en,
                },
                false,
            ),
            (
                Role::Editor,
                Action::Publish {
                    countries: &lt,
                    locale: &fr,
                },
                false,
            ),
            (
                Role::Author,
                Action::Publish {
                    countries: &be,
                    locale: &fr,
                },
                false,
            ),
            (
                Role::Viewer,
                Action::Publish {
                    countries: &be,
                    locale: &fr,
                },
                false,
            ),
            // Deleting: editors in scope; authors only what is not live.
            (
                Role::Editor,
                Action::DeleteItem {
                    countries: &be,
                    is_live: true,
                },
                true,
            ),
            (
                Role::Editor,
                Action::DeleteItem {
                    countries: &lt,
                    is_live: false,
                },
                false,
            ),
            (
                Role::Author,
                Action::DeleteItem {
                    countries: &be,
                    is_live: false,
                },
                true,
            ),
            (
                Role::Author,
                Action::DeleteItem {
                    countries: &be,
                    is_live: true,
                },
                false,
            ),
            (
                Role::Viewer,
                Action::DeleteItem {
                    countries: &be,
                    is_live: false,
                },
                false,
            ),
            // Assets.
            (Role::Editor, Action::UploadAsset, true),
            (Role::Author, Action::UploadAsset, true),
            (Role::Viewer, Action::UploadAsset, false),
            (Role::Editor, Action::ManageAssets, true),
            (Role::Author, Action::ManageAssets, false),
            // Registrations: editors of the event's country.
            (
                Role::Editor,
                Action::ReadRegistrations { country: &be[0] },
                true,
            ),
            (
                Role::Editor,
                Action::ReadRegistrations { country: &lt[0] },
                false,
            ),
            (
                Role::Author,
                Action::ReadRegistrations { country: &be[0] },
                false,
            ),
            (
                Role::Viewer,
                Action::ReadRegistrations { country: &be[0] },
                false,
            ),
        ];
        for (role, action, allowed) in cases {
            let outcome = authorize(&belgian(role), action);
            assert_eq!(outcome.is_ok(), allowed, "{role} {action:?}: {outcome:?}");
            if let Err(denied) = outcome {
                assert_eq!(denied.permission, action.permission());
                assert!(!denied.reason.is_empty());
            }
        }
    }

    #[test]
    fn an_unrestricted_editor_edits_eu_wide_items() {
        let eu_editor = principal(Role::Editor, &[], &[]);
        assert!(authorize(&eu_editor, Action::EditItem { countries: &[] }).is_ok());
        assert!(
            authorize(
                &eu_editor,
                Action::Publish {
                    countries: &[c("LT")],
                    locale: &l("lt")
                }
            )
            .is_ok()
        );
    }

    #[test]
    fn refusals_say_what_is_missing() {
        let denied = authorize(
            &belgian(Role::Editor),
            Action::EditTranslation {
                countries: &[],
                locale: &l("en"),
            },
        )
        .unwrap_err();
        assert_eq!(
            denied.to_string(),
            "permission content:edit-translation is missing: the locale en is outside your locales"
        );
    }

    #[test]
    fn a_scope_is_within_another_only_if_it_is_no_wider() {
        let everything = Scope::everything();
        let belgium = belgian(Role::Editor).scope;
        assert!(belgium.is_within(&everything));
        assert!(belgium.is_within(&belgium));
        assert!(!everything.is_within(&belgium));
        assert!(
            !principal(Role::Editor, &["BE", "LT"], &["fr"])
                .scope
                .is_within(&belgium)
        );
    }

    #[test]
    fn abilities_are_the_policy_asked_for_the_principals_scope() {
        let configured: Vec<Locale> = ["en", "fr", "nl", "lt"].iter().map(|x| l(x)).collect();
        let editor = abilities(&belgian(Role::Editor), &configured);
        assert!(editor.create_content && editor.publish && editor.upload_assets);
        assert!(editor.read_registrations);
        assert!(!editor.eu_wide && !editor.manage_users && !editor.read_audit);
        assert_eq!(editor.countries, [c("BE")]);
        assert_eq!(editor.locales, [l("fr"), l("nl")]);

        let author = abilities(&belgian(Role::Author), &configured);
        assert!(author.create_content && !author.publish && !author.manage_assets);
        assert!(!author.read_registrations);

        let viewer = abilities(&principal(Role::Viewer, &[], &[]), &configured);
        assert!(!viewer.create_content && !viewer.publish && !viewer.upload_assets);
        assert!(viewer.locales.is_empty() && viewer.countries.is_empty());

        let admin = abilities(&principal(Role::Admin, &[], &[]), &configured);
        assert!(admin.manage_users && admin.eu_wide && admin.publish);
        assert!(admin.read_registrations);
        assert_eq!(admin.countries.len(), 27);
        assert_eq!(admin.locales, configured);
    }

    #[test]
    fn item_abilities_follow_the_items_countries() {
        let configured: Vec<Locale> = ["en", "fr", "nl", "lt"].iter().map(|x| l(x)).collect();
        let editor = belgian(Role::Editor);
        let eu_wide = item_abilities(&editor, &[], true, &configured);
        assert!(!eu_wide.edit_fields && !eu_wide.trash);
        assert_eq!(eu_wide.write_locales, [l("fr"), l("nl")]);
        assert_eq!(eu_wide.publish_locales, [l("fr"), l("nl")]);

        let lithuanian = item_abilities(&editor, &[c("LT")], false, &configured);
        assert!(!lithuanian.edit_fields && lithuanian.write_locales.is_empty());

        let author = item_abilities(&belgian(Role::Author), &[c("BE")], true, &configured);
        assert!(
            author.edit_fields && !author.trash,
            "authors cannot trash what is live"
        );
        assert_eq!(author.write_locales, [l("fr"), l("nl")]);
        assert!(author.publish_locales.is_empty());
    }
}
