"""An event written in the web app: its times typed in the event's own time zone,
stored with that zone's offset, its sign-up window, whether sign-ups confirm their
address by mail, and where each sign-up stands."""

import json
import re
import urllib.request
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from conftest import PASSWORD, accessible, screenshot, sign_in


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


def create_form_event(api, title, **fields):
    """A published Belgian event a month ahead taking sign-ups through its form."""
    start = datetime.now(timezone.utc) + timedelta(days=30)
    status, item = api.call("POST", "/api/v1/admin/events", {
        "countries": ["BE"],
        "fields": {"city": "Namur", "starts_at": start.strftime("%Y-%m-%dT09:30:00+01:00"),
                   "ends_at": start.strftime("%Y-%m-%dT16:30:00+01:00"), "time_zone": "Europe/Brussels",
                   "capacity": 20, "registration_mode": "form", **fields},
        "translation": {"locale": "fr", "title": title}})
    assert status == 201, item
    status, _ = api.call("POST", f"/api/v1/admin/events/{item['id']}/translations/fr/publish")
    assert status == 200
    return item["id"], item["translations"][0]["draft"]["slug"]


def sign_up(server, slug, name, email, waitlist=False):
    """A reader signs up through the public API (joining the waitlist of a full event
    when asked to); returns the answer's body."""
    person = {"name": name, "email": email, "organisation": "Ville de Namur",
              "organisation_type": "public_buyer", "country": "BE", "consent": True}
    if waitlist:
        person["waitlist"] = True
    body = json.dumps(person).encode()
    request = urllib.request.Request(f"{server}/api/v1/events/{slug}/registrations?locale=fr", data=body,
                                     method="POST", headers={"content-type": "application/json"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 201
        return json.loads(response.read())


def test_the_sign_ups_say_who_has_not_confirmed_their_address_yet(new_page, api, server):
    api.user("desk@example.be", "editor", countries=["BE"], locales=["fr"])
    asking, asking_slug = create_form_event(api, "Atelier à Namur")
    assert sign_up(server, asking_slug, "Marie Dubois", "marie@example.be")["status"] == "pending"
    at_once, at_once_slug = create_form_event(api, "Atelier à Dinant", double_opt_in=False)
    assert sign_up(server, at_once_slug, "Luc Lambert", "luc@example.be")["status"] == "confirmed"

    page = new_page()
    sign_in(page, "desk@example.be")
    page.goto(f"/admin/event-desk/{asking}")
    expect(page.get_by_text("1 of 20 places taken")).to_be_visible()
    table = page.get_by_role("table", name="Sign-ups")
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Name", "Email", "Organisation", "Country", "Signed up", "Status", "Actions"])
    row = table.get_by_role("row").filter(has=page.get_by_role("cell", name="Marie Dubois"))
    status = row.get_by_role("cell").nth(5)
    expect(status).to_contain_text("Not confirmed yet")
    expect(status).to_contain_text("Keeps a place until")
    accessible(page, "sign-ups with their status")
    screenshot(page, "event-sign-ups-status")

    page.goto(f"/admin/event-desk/{at_once}")
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name="Luc Lambert"))
    expect(row.get_by_role("cell").nth(5)).to_have_text("Confirmed")


def test_an_event_asks_people_to_confirm_their_address_until_told_not_to(new_page, api):
    api.user("confirming@example.be", "editor", countries=["BE"], locales=["fr"])
    event, _ = create_form_event(api, "Atelier à Mons")
    page = new_page()
    sign_in(page, "confirming@example.be")
    page.goto(f"/admin/events/{event}")
    asks = page.get_by_role("checkbox", name="Ask people to confirm their address by mail")
    expect(asks).to_be_checked()
    expect(asks).to_have_accessible_description(
        "Sign-ups wait until the person follows the link we mail them; unconfirmed ones free their place after a while.")
    accessible(page, "event asking for confirmation")
    screenshot(page, "event-confirmation-by-mail")

    asks.uncheck()
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("status").filter(has_text="Details saved")).to_be_visible()
    status, item = api.call("GET", f"/api/v1/admin/events/{event}")
    assert status == 200
    assert item["fields"]["double_opt_in"] is False, item["fields"]
    page.reload()
    expect(asks).not_to_be_checked()

    # The question is the form's: signing up elsewhere, nobody is asked anything here.
    page.get_by_label("Sign-up", exact=True).select_option("external")
    expect(asks).to_have_count(0)


def create_full_event(api, server, title, people):
    """A form event with one place, taken at once by the first of `people` (no mail to
    confirm); the others join its waitlist in order."""
    event, slug = create_form_event(api, title, capacity=1, double_opt_in=False)
    (first_name, first_email), *waiting = people
    assert sign_up(server, slug, first_name, first_email)["status"] == "confirmed"
    for name, email in waiting:
        assert sign_up(server, slug, name, email, waitlist=True)["status"] == "waitlisted"
    return event, slug


def test_the_event_desk_tells_a_full_event_with_its_waitlist_from_one_awaiting_confirmations(
        new_page, api, server):
    api.user("waitlist-desk@example.be", "editor", countries=["BE"], locales=["fr"])
    create_full_event(api, server, "Atelier complet à Wavre", [
        ("Anne Martin", "anne@example.be"), ("Bruno Leroy", "bruno@example.be"),
        ("Chloé Simon", "chloe@example.be")])
    _, waiting_slug = create_form_event(api, "Atelier à Gembloux")
    assert sign_up(server, waiting_slug, "Denis Petit", "denis@example.be")["status"] == "pending"

    page = new_page()
    sign_in(page, "waitlist-desk@example.be")
    page.get_by_role("link", name="Event desk").click()
    expect(page.get_by_role("heading", level=1, name="Event desk")).to_be_visible()
    table = page.get_by_role("table", name=re.compile("^Upcoming events"))
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Event", "When", "Where", "Sign-ups", "Readers see", "Sign-up"])

    full = table.get_by_role("row").filter(has=page.get_by_role("link", name="Atelier complet à Wavre"))
    cells = full.get_by_role("cell")
    expect(cells.nth(3)).to_have_text("1 of 1 1 confirmed · 2 on the waitlist", use_inner_text=True)
    expect(cells.nth(4)).to_have_text("Full")
    expect(cells.nth(5)).to_have_text("waitlist open")

    waiting = table.get_by_role("row").filter(has=page.get_by_role("link", name="Atelier à Gembloux"))
    cells = waiting.get_by_role("cell")
    expect(cells.nth(3)).to_contain_text("1 of 20")
    expect(cells.nth(3)).to_contain_text("1 not confirmed yet")
    expect(cells.nth(4)).to_have_text("Upcoming")
    expect(cells.nth(5)).to_have_text("open")
    accessible(page, "event desk with a waitlist")
    screenshot(page, "event-desk-waitlist")

    # How the organiser hears about sign-ups: not by mail until she chooses.
    mail_me = page.get_by_role("group", name="Mail me about sign-ups to these events")
    expect(mail_me.get_by_role("radio", name="Not by mail")).to_be_checked()
    mail_me.get_by_role("radio", name="A summary once a day").check()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    status, me = api.call("GET", "/api/v1/auth/me", token=api.login("waitlist-desk@example.be", PASSWORD))
    assert status == 200 and me["user"]["sign_up_notices"] == "daily", me
    page.reload()
    expect(mail_me.get_by_role("radio", name="A summary once a day")).to_be_checked()


def test_the_waitlist_moves_up_when_an_organiser_erases_a_sign_up(new_page, api, server):
    api.user("waitlist@example.be", "editor", countries=["BE"], locales=["fr"])
    event, _ = create_full_event(api, server, "Atelier complet à Huy", [
        ("Émile Renard", "emile@example.be"), ("Fanny Collin", "fanny@example.be"),
        ("Gilles Noël", "gilles@example.be")])

    page = new_page()
    sign_in(page, "waitlist@example.be")
    page.goto(f"/admin/event-desk/{event}")
    expect(page.get_by_text("1 of 1 places taken · 2 on the waitlist")).to_be_visible()
    table = page.get_by_role("table", name="Sign-ups")

    def status_of(name):
        row = table.get_by_role("row").filter(has=page.get_by_role("cell", name=name, exact=True))
        return row.get_by_role("cell").nth(5)

    expect(status_of("Émile Renard")).to_have_text("Confirmed")
    expect(status_of("Fanny Collin")).to_contain_text("On the waitlist")
    expect(status_of("Fanny Collin")).to_contain_text("Next in line")
    expect(status_of("Gilles Noël")).to_contain_text("On the waitlist")
    expect(status_of("Gilles Noël")).to_contain_text("Place 2 in line")
    accessible(page, "sign-ups with a waitlist")
    screenshot(page, "event-sign-ups-waitlist")

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Erase the sign-up of Émile Renard").click()
    expect(page.get_by_role("status").filter(has_text="The sign-up was erased.")).to_contain_text(
        "Their place was offered by mail to Fanny Collin, first on the waitlist.")
    assert asked and asked[0].startswith("Erase the sign-up of Émile Renard (emile@example.be)?"), asked
    expect(table.get_by_role("cell", name="Émile Renard", exact=True)).to_have_count(0)

    # The freed place went to the first in line, who has a while to take it: the screen
    # says so at once, and so it stays.
    def moved_up():
        expect(page.get_by_text("1 of 1 places taken · 1 on the waitlist")).to_be_visible()
        expect(status_of("Fanny Collin")).to_contain_text("Offered a place")
        expect(status_of("Fanny Collin")).to_contain_text("Kept until")
        expect(status_of("Gilles Noël")).to_contain_text("On the waitlist")
        expect(status_of("Gilles Noël")).to_contain_text("Next in line")

    moved_up()
    page.reload()
    moved_up()
    accessible(page, "sign-ups with an offered place")
    screenshot(page, "event-sign-ups-offered")


def test_an_event_keeps_a_waitlist_until_told_not_to(new_page, api):
    api.user("keeping@example.be", "editor", countries=["BE"], locales=["fr"])
    event, _ = create_form_event(api, "Atelier à Arlon")
    page = new_page()
    sign_in(page, "keeping@example.be")
    page.goto(f"/admin/events/{event}")
    keeps = page.get_by_role("checkbox", name="Keep a waitlist when the event is full")
    expect(keeps).to_be_checked()
    expect(keeps).to_have_accessible_description(
        "People can join the waitlist when all places are taken; a place that frees up is offered by mail"
        " to the first on the list.")
    accessible(page, "event keeping a waitlist")
    screenshot(page, "event-waitlist-setting")

    keeps.uncheck()
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("status").filter(has_text="Details saved")).to_be_visible()
    status, item = api.call("GET", f"/api/v1/admin/events/{event}")
    assert status == 200
    assert item["fields"]["waitlist"] is False, item["fields"]
    page.reload()
    expect(keeps).not_to_be_checked()

    # Like the confirmation by mail, the waitlist is the form's.
    page.get_by_label("Sign-up", exact=True).select_option("external")
    expect(keeps).to_have_count(0)
