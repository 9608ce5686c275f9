"""An event written in the web app: its times typed in the event's own time zone,
stored with that zone's offset, and its sign-up window."""

import re

from playwright.sync_api import expect

from conftest import accessible, sign_in


def test_an_event_is_created_with_times_in_its_own_time_zone(new_page, api):
    api.user("organiser@example.lt", "editor", countries=["LT"], locales=["lt", "en"])
    # The editor's browser is in Brussels; the event is in Vilnius.
    page = new_page(timezone="Europe/Brussels")
    sign_in(page, "organiser@example.lt")
    page.get_by_role("link", name="Events").click()
    page.get_by_role("link", name="New event").click()
    page.get_by_label("Language", exact=True).select_option("lt")
    page.get_by_label("Title", exact=True).fill("Socialiai atsakingi viešieji pirkimai: mokymai")
    page.get_by_label("Starts").fill("2099-05-23T09:30")
    page.get_by_label("Ends").fill("2099-05-23T16:30")
    page.get_by_label("Time zone").fill("Europe/Vilnius")
    page.get_by_label("City").fill("Vilnius")
    page.get_by_label("Places").fill("40")
    page.get_by_label("Sign-up closes").fill("2099-05-20T18:00")
    page.get_by_label("Workshop languages").fill("lt")
    accessible(page, "new event")
    page.get_by_role("button", name="Create event").click()
    expect(page.get_by_role("heading", name="LT translation: draft")).to_be_visible()

    item_id = page.url.split("/admin/events/")[1].split("?")[0]
    status, item = api.call("GET", f"/api/v1/admin/events/{item_id}")
    assert status == 200
    fields = item["fields"]
    assert fields["starts_at"] == "2099-05-23T09:30:00+03:00", fields
    assert fields["ends_at"] == "2099-05-23T16:30:00+03:00"
    assert fields["registration_closes_at"] == "2099-05-20T18:00:00+03:00"
    assert fields["time_zone"] == "Europe/Vilnius"
    assert fields["capacity"] == 40
    assert fields["workshop_languages"] == ["lt"]
    # The form shows the event's own wall time back.
    expect(page.get_by_label("Starts")).to_have_value("2099-05-23T09:30")


def test_an_event_in_lisbon_starts_at_lisbon_time_without_being_told(new_page, api):
    api.user("organiser@example.pt", "editor", countries=["PT"], locales=["en", "pt"])
    # The organiser's browser is in Brussels, an hour ahead of Lisbon.
    page = new_page(timezone="Europe/Brussels")
    sign_in(page, "organiser@example.pt")
    page.get_by_role("link", name="Events").click()
    page.get_by_role("link", name="New event").click()
    expect(page.get_by_label("Country", exact=True)).to_have_value("PT")
    # Portuguese is the organiser's language for Portugal, and Lisbon its time.
    expect(page.get_by_label("Language", exact=True)).to_have_value("pt")
    zone = page.get_by_label("Time zone")
    expect(zone).to_have_value("Europe/Lisbon")
    expect(zone.locator("option")).to_have_text(["Europe/Lisbon", "Atlantic/Madeira", "Atlantic/Azores"])
    expect(page.get_by_text("Europe/Lisbon time.").first).to_be_visible()
    page.get_by_label("Title", exact=True).fill("Contratação pública socialmente responsável")
    page.get_by_label("Starts").fill("2099-06-12T09:30")
    page.get_by_label("Ends").fill("2099-06-12T16:30")
    page.get_by_label("City").fill("Lisboa")
    accessible(page, "new event in Lisbon")
    page.get_by_role("button", name="Create event").click()
    expect(page.get_by_role("heading", name="PT translation: draft")).to_be_visible()
    item_id = page.url.split("/admin/events/")[1].split("?")[0]
    status, item = api.call("GET", f"/api/v1/admin/events/{item_id}")
    assert item["fields"]["time_zone"] == "Europe/Lisbon"
    assert item["fields"]["starts_at"] == "2099-06-12T09:30:00+01:00", item["fields"]
    assert item["source_locale"] == "pt"


def test_an_eu_editor_chooses_the_country_and_its_language_follows(new_page, api):
    page = new_page()
    sign_in(page, "admin@example.eu", "an admin password for browser tests")
    page.get_by_role("link", name="Events").click()
    page.get_by_role("link", name="New event").click()
    page.get_by_label("Country", exact=True).select_option("EE")
    expect(page.get_by_label("Language", exact=True)).to_have_value("et")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Tallinn")


def test_a_new_venue_reaches_readers_without_publishing_the_draft(new_page, api):
    api.user("venue@example.be", "editor", countries=["BE"], locales=["fr"])
    status, item = api.call("POST", "/api/v1/admin/events", {
        "countries": ["BE"],
        "fields": {"city": "Bruxelles", "venue": "Salle A", "starts_at": "2099-05-23T09:30:00+02:00",
                   "ends_at": "2099-05-23T16:30:00+02:00", "time_zone": "Europe/Brussels"},
        "translation": {"locale": "fr", "title": "Atelier à Bruxelles", "slug": "atelier-bruxelles"}})
    assert status == 201
    status, _ = api.call("POST", f"/api/v1/admin/events/{item['id']}/translations/fr/publish")
    assert status == 200
    page = new_page()
    sign_in(page, "venue@example.be")
    page.goto(f"/admin/events/{item['id']}")
    page.get_by_label("Venue").fill("Salle B")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("status").filter(has_text="Details saved")).to_be_visible()
    panel = page.get_by_role("region", name="Readers still see the earlier details in FR")
    expect(panel).to_be_visible()
    # An unfinished draft meanwhile must not go live with the details.
    page.get_by_label("Summary", exact=True).fill("Brouillon pas encore relu.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text=re.compile(r"^Saved \d"))).to_be_visible()
    expect(panel.get_by_label("FR")).to_be_checked()
    accessible(page, "details to readers")
    panel.get_by_role("button", name="Publish the new details").click()
    expect(page.get_by_role("status").filter(has_text="Readers in FR now see the new details.")).to_be_visible()
    event = api.get("/api/v1/events/atelier-bruxelles?locale=fr")
    assert event["venue"] == "Salle B", event
    assert event["summary"] == "", "the draft did not go live"


def test_changed_event_details_ask_before_the_editor_leaves_them(new_page, api):
    api.user("leaving@example.be", "editor", countries=["BE"], locales=["fr"])
    status, item = api.call("POST", "/api/v1/admin/events", {
        "countries": ["BE"],
        "fields": {"city": "Liège", "venue": "Salle A", "starts_at": "2099-06-02T09:30:00+02:00",
                   "ends_at": "2099-06-02T16:30:00+02:00", "time_zone": "Europe/Brussels"},
        "translation": {"locale": "fr", "title": "Atelier à Liège", "slug": "atelier-liege"}})
    assert status == 201
    page = new_page()
    sign_in(page, "leaving@example.be")
    page.goto(f"/admin/events/{item['id']}")
    # Nothing changed: the app leaves without asking (Playwright would dismiss a question).
    page.get_by_role("link", name="Events", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Events")).to_be_visible()
    page.go_back()
    page.get_by_label("Venue").fill("Salle B")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("link", name="Translations", exact=True).click()
    expect(page.get_by_label("Venue")).to_have_value("Salle B")
    assert asked == ["The event details have unsaved changes. Leave without saving them?"], asked
    # Saved, the details no longer hold anyone back.
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("status").filter(has_text="Details saved")).to_be_visible()
    page.get_by_role("link", name="Translations", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Translations")).to_be_visible()
