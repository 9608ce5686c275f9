//! What a write announces: the event types, as the outbox names them (webhooks
//! subscribe to them; caches hear of the change behind each).

/// A change a webhook can ask to hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventType {
    /// A translation went live for the first time (or again after an unpublish).
    TranslationPublished,
    /// A live translation was published again with changes.
    TranslationChanged,
    TranslationUnpublished,
    /// A scheduled publish or unpublish ran.
    ScheduleDone,
    ItemTrashed,
    ItemRestored,
    ItemPurged,
    AssetReplaced,
    AssetDeleted,
    /// A site was created, changed or deleted.
    SiteChanged,
    /// Someone signed up for an event (the count, never who).
    RegistrationCreated,
    /// An event's sign-ups reached its capacity.
    EventFull,
    /// A test sent from the admin API.
    Ping,
}

impl EventType {
    /// Every type a webhook may subscribe to (a ping always reaches its webhook).
    pub const SUBSCRIBABLE: [EventType; 12] = [
        Self::TranslationPublished,
        Self::TranslationChanged,
        Self::TranslationUnpublished,
        Self::ScheduleDone,
        Self::ItemTrashed,
        Self::ItemRestored,
        Self::ItemPurged,
        Self::AssetReplaced,
        Self::AssetDeleted,
        Self::SiteChanged,
        Self::RegistrationCreated,
        Self::EventFull,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TranslationPublished => "translation.published",
            Self::TranslationChanged => "translation.changed",
            Self::TranslationUnpublished => "translation.unpublished",
            Self::ScheduleDone => "schedule.done",
            Self::ItemTrashed => "item.trashed",
            Self::ItemRestored => "item.restored",
            Self::ItemPurged => "item.purged",
            Self::AssetReplaced => "asset.replaced",
            Self::AssetDeleted => "asset.deleted",
            Self::SiteChanged => "site.changed",
            Self::RegistrationCreated => "registration.created",
            Self::EventFull => "event.full",
            Self::Ping => "ping",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::SUBSCRIBABLE
            .into_iter()
            .chain([Self::Ping])
            .find(|t| t.as_str() == raw)
    }

    /// Whether the event concerns a content item (and so the sites that show it).
    pub fn is_about_an_item(self) -> bool {
        matches!(
            self,
            Self::TranslationPublished
                | Self::TranslationChanged
                | Self::TranslationUnpublished
                | Self::ScheduleDone
                | Self::ItemTrashed
                | Self::ItemRestored
                | Self::ItemPurged
                | Self::RegistrationCreated
                | Self::EventFull
        )
    }
}

#[cfg(test)]
mod tests {
    use super::EventType;

    #[test]
    fn every_type_reads_back_from_its_name() {
        for t in EventType::SUBSCRIBABLE.into_iter().chain([EventType::Ping]) {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
        }
        assert_eq!(EventType::parse("translation.deleted"), None);
    }
}
