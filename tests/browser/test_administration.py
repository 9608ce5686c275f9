"""Running the campaign without curl: people, access, national sites, sign-ups and the
audit log, in the web app, by labels and roles."""

import json
import re
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, accessible, screenshot, sign_in


def open_administration(page, screen):
    page.get_by_role("button", name="Administration").click()
    page.get_by_role("link", name=screen, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=screen)).to_be_visible()


def test_an_admin_creates_a_belgian_editor_whose_next_sign_in_shows_only_that_scope(new_page, api):
    page = new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_administration(page, "Users")
    page.get_by_role("link", name="Create with a password").click()
    page.get_by_label("Email").fill("els@webuysocial.be")
    page.get_by_label("Name", exact=True).fill("Els Peeters")
    page.get_by_role("radio", name="Editor").check()
    page.get_by_role("group", name="Countries they work on").get_by_label("Only these countries").check()
    # "Only these" with none ticked would reach the API as "all countries": refused here.
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("alert")).to_contain_text("Countries they work on: tick at least one, or choose all")
    expect(page.get_by_role("group", name="Only these countries")).to_contain_text(
        "Tick at least one, or choose “All countries (EU-wide)”")
    page.get_by_role("group", name="Only these countries").get_by_label("Belgium (BE)").check()
    page.get_by_role("group", name="Languages they write").get_by_label("Only these languages").check()
    languages = page.get_by_role("group", name="Only these languages")
    languages.get_by_label("French (FR)").check()
    languages.get_by_label("Dutch (NL)").check()
    page.get_by_label("First password").fill("a first password to change")
    expect(page.get_by_label("They must choose their own password")).to_be_checked()
    accessible(page, "new user")
    screenshot(page, "admin-new-user")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("status")).to_contain_text("The user was created.")
    expect(page.get_by_role("heading", level=1, name="Els Peeters")).to_be_visible()

    page.get_by_role("link", name="Back to the users").click()
    row = page.get_by_role("row").filter(has_text="els@webuysocial.be")
    expect(row).to_contain_text("Editor")
    expect(row).to_contain_text("BE")
    expect(row).to_contain_text("FR, NL")
    expect(row).to_contain_text("must choose a password")
    accessible(page, "users")
    screenshot(page, "admin-users")

    # Her next sign-in: a password of her own first, then only Belgium, French and Dutch.
    editor = new_page()
    editor.goto("/admin")
    editor.get_by_label("Email").fill("els@webuysocial.be")
    editor.get_by_label("Password").fill("a first password to change")
    editor.get_by_role("button", name="Sign in").click()
    editor.get_by_label("Current password").fill("a first password to change")
    editor.get_by_label("New password").fill("her own long password")
    editor.get_by_role("button", name="Change password").click()
    expect(editor.get_by_role("heading", level=1, name="Translations")).to_be_visible()
    expect(editor.get_by_role("button", name="Administration")).to_have_count(0)
    editor.get_by_role("link", name="News").click()
    expect(editor.get_by_label("Countries")).to_contain_text("BE and EU-wide")
    expect(editor.get_by_label("Language")).to_have_text("Any languageFRNL")
    editor.get_by_role("link", name="New news item").click()
    expect(editor.get_by_label("Language")).to_have_text("FRNL")
    expect(editor.get_by_label("Country")).to_have_text("Belgium (BE)")


def test_an_admin_sets_up_the_belgian_site_and_a_delivery_token_that_reads_it(new_page, api, server):
    status, item = api.call("POST", "/api/v1/admin/news", {
        "countries": ["BE"], "translation": {"locale": "en", "title": "Social clauses in Belgian tenders"}})
    assert status == 201, item
    news = item["id"]
    for locale, title in [("fr", "Clauses sociales dans les marchés belges"), ("nl", "Sociale clausules")]:
        status, body = api.call("PUT", f"/api/v1/admin/news/{news}/translations/{locale}", {"title": title})
        assert status == 200, body
    for locale in ["en", "fr"]:
        status, body = api.call("POST", f"/api/v1/admin/news/{news}/translations/{locale}/publish")
        assert status == 200, body

    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_administration(page, "Sites")
    page.get_by_role("link", name="New site").click()
    page.get_by_label("Code").fill("be")
    page.get_by_label("Name", exact=True).fill("WeBuySocial Belgium")
    page.get_by_label("Only these countries (and EU-wide items)").check()
    page.get_by_role("group", name="Only these countries (and EU-wide items)").get_by_label("Belgium (BE)").check()
    languages = page.get_by_role("group", name="Languages")
    languages.get_by_label("French (FR)").check()
    languages.get_by_label("Dutch (NL)").check()
    page.get_by_label("Default language").select_option("nl")
    # The chain is an ordered list: add English, then French, then put French first.
    page.get_by_label("Language to add").select_option("en")
    page.get_by_role("button", name="Add to the chain").click()
    page.get_by_label("Language to add").select_option("fr")
    page.get_by_role("button", name="Add to the chain").click()
    page.get_by_role("button", name="Up: move French (FR) up").click()
    expect(page.locator(".chain li")).to_have_text([
        "French (FR)UpDownRemove", "English (EN)UpDownRemove"])

    # What Dutch readers would get before anything is saved: French, the first live one.
    page.get_by_label("Kind").select_option("news")
    page.get_by_label("Item", exact=True).select_option(label="Social clauses in Belgian tenders")
    page.get_by_role("button", name="Show what readers would see").click()
    readers = page.get_by_role("table", name="Readers of this site")
    expect(readers.get_by_role("row").filter(has_text="Dutch (NL)")).to_contain_text(
        "“Clauses sociales dans les marchés belges” in French (FR) (fallback)")
    expect(readers.get_by_role("row").filter(has_text="Dutch (NL)")).to_contain_text("NL → FR → EN")
    accessible(page, "new site")
    screenshot(page, "admin-new-site")
    page.get_by_role("button", name="Create site").click()
    expect(page.get_by_role("heading", level=1, name="WeBuySocial Belgium (be)")).to_be_visible()
    status, site = api.call("GET", "/api/v1/admin/sites/be")
    assert site["fallback"] == ["fr", "en"] and site["default_locale"] == "nl", site

    open_administration(page, "API tokens")
    page.get_by_role("link", name="New token").click()
    page.get_by_label("Name", exact=True).fill("Belgian frontend (production)")
    page.get_by_role("radio", name="Frontend", exact=True).check()
    page.get_by_label("Site").select_option("be")
    accessible(page, "new token")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_text("This is the only time it is shown.")).to_be_visible()
    secret = page.get_by_label("Secret of “Belgian frontend (production)”").input_value()
    assert secret.startswith("bsd_")
    page.get_by_role("button", name="Copy secret").click()
    expect(page.get_by_text("Copied to the clipboard.")).to_be_visible()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == secret
    screenshot(page, "admin-token-secret")

    # A frontend with the copied secret reads the Belgian site, and only that site.
    request = urllib.request.Request(f"{server}/api/v1/news?site=be",
                                     headers={"authorization": f"Bearer {copied}"})
    with urllib.request.urlopen(request) as response:
        listed = json.loads(response.read())
    assert [(i["title"], i["locale"]) for i in listed["items"]] == [
        ("Clauses sociales dans les marchés belges", "fr")], listed
    elsewhere = urllib.request.Request(f"{server}/api/v1/news?site=lt",
                                       headers={"authorization": f"Bearer {copied}"})
    try:
        urllib.request.urlopen(elsewhere)
        raise AssertionError("a Belgian token read another site")
    except urllib.error.HTTPError as error:
        assert error.code == 403

    page.get_by_role("link", name="Back to the tokens").click()
    row = page.get_by_role("row").filter(has_text="Belgian frontend (production)")
    expect(row).to_contain_text("site be")
    expect(row).not_to_contain_text("not yet")
    accessible(page, "tokens")
    screenshot(page, "admin-tokens")


def test_an_admin_gives_a_site_its_own_sign_up_consent_and_goes_back_to_buysocials(new_page, api):
    status, body = api.call("POST", "/api/v1/admin/sites", {
        "code": "lu", "name": "WeBuySocial Luxembourg", "countries": ["LU"], "locales": ["fr", "en"],
        "default_locale": "fr"})
    assert status == 201, body
    page = new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_administration(page, "Sites")
    page.get_by_role("link", name="WeBuySocial Luxembourg").click()
    consent = page.get_by_role("group", name="Consent on the sign-up form")
    expect(consent.get_by_role("radio", name="buysocial's own text")).to_be_checked()
    expect(page.get_by_label("Version", exact=True)).to_have_count(0)

    # The site's own text, in French only (English readers keep buysocial's), its
    # version forgotten: the error stands next to the Version field.
    consent.get_by_role("radio", name="This site's own text").check()
    version = page.get_by_label("Version", exact=True)
    expect(version).to_have_accessible_description(
        "Change it whenever the text changes in substance; each sign-up records it.")
    expect(page.get_by_label("Consent text in English")).to_have_value("")
    page.get_by_label("Consent text in French").fill(
        "J'accepte que WeBuySocial Luxembourg utilise ces données pour organiser l'événement.")
    page.get_by_label("Privacy notice link").fill("https://webuysocial.lu/vie-privee")
    page.get_by_role("button", name="Save site").click()
    expect(page.get_by_role("alert")).to_contain_text("Version: must be 1 to 100 characters")
    expect(version).to_have_attribute("aria-invalid", "true")
    expect(version).to_have_accessible_description(re.compile(r"each sign-up records it\. Error: must be 1 to 100 characters$"))
    page.get_by_role("link", name="Version: must be 1 to 100 characters").click()
    expect(version).to_be_focused()
    accessible(page, "site consent without a version")
    screenshot(page, "admin-site-consent")
    status, site = api.call("GET", "/api/v1/admin/sites/lu")
    assert site["registration_consent"] is None, site

    version.fill("2027-01")
    page.get_by_role("button", name="Save site").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    status, site = api.call("GET", "/api/v1/admin/sites/lu")
    assert status == 200 and site["registration_consent"] == {
        "version": "2027-01",
        "texts": {"fr": "J'accepte que WeBuySocial Luxembourg utilise ces données pour organiser l'événement."},
        "privacy_notice_url": "https://webuysocial.lu/vie-privee",
    }, site
    page.reload()
    expect(page.get_by_role("radio", name="This site's own text")).to_be_checked()
    expect(page.get_by_label("Version", exact=True)).to_have_value("2027-01")

    # Back to buysocial's own text: the site keeps none of its own.
    page.get_by_role("radio", name="buysocial's own text").check()
    expect(page.get_by_label("Consent text in French")).to_have_count(0)
    page.get_by_role("button", name="Save site").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    status, site = api.call("GET", "/api/v1/admin/sites/lu")
    assert status == 200 and site["registration_consent"] is None, site


def test_an_organiser_exports_and_erases_sign_ups_and_the_audit_log_keeps_no_details(new_page, api, server, tmp_path):
    api.user("organiser@webuysocial.be", "editor", countries=["BE"], locales=["fr", "nl"])
    start = datetime.now(timezone.utc) + timedelta(days=30)
    status, item = api.call("POST", "/api/v1/admin/events", {
        "countries": ["BE"],
        "fields": {"city": "Bruxelles", "starts_at": start.strftime("%Y-%m-%dT09:30:00+01:00"),
                   "ends_at": start.strftime("%Y-%m-%dT16:30:00+01:00"), "time_zone": "Europe/Brussels",
                   "capacity": 30, "registration_mode": "form"},
        "translation": {"locale": "fr", "title": "Atelier achats publics responsables"}})
    assert status == 201, item
    event = item["id"]
    api.call("POST", f"/api/v1/admin/events/{event}/translations/fr/publish")
    slug = item["translations"][0]["draft"]["slug"]
    for name, email in [("Ana Silva", "ana@example.be"), ("Jan Peeters", "jan@example.be")]:
        body = json.dumps({"name": name, "email": email, "organisation": "Ville de Namur",
                           "organisation_type": "public_buyer", "country": "BE", "consent": True}).encode()
        request = urllib.request.Request(f"{server}/api/v1/events/{slug}/registrations?locale=fr", data=body,
                                         method="POST", headers={"content-type": "application/json"})
        with urllib.request.urlopen(request) as response:
            assert response.status == 201

    page = new_page()
    sign_in(page, "organiser@webuysocial.be")
    page.get_by_role("link", name="Event desk").click()
    row = page.get_by_role("row").filter(has_text="Atelier achats publics responsables")
    expect(row).to_contain_text("2 of 30")
    expect(row).to_contain_text("Upcoming")
    expect(row).to_contain_text("open")
    expect(row).to_contain_text("Brussels time")
    accessible(page, "event desk")
    screenshot(page, "event-desk")
    row.get_by_role("link").click()
    expect(page.get_by_text("2 of 30 places taken")).to_be_visible()

    page.get_by_label("Search sign-ups").fill("ana")
    expect(page.get_by_role("row")).to_have_count(2)
    page.get_by_label("Search sign-ups").fill("")
    # A Belgian organiser's Excel wants semicolons, UTF-8 marked as such, plain
    # headers and Brussels times.
    page.get_by_role("group", name="Columns in the spreadsheet separated by").get_by_label(
        "Semicolons (Excel in most of continental Europe)").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as CSV").click()
    saved = tmp_path / "sign-ups.csv"
    download.value.save_as(saved)
    raw = saved.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a byte-order mark, for Excel"
    csv = raw.decode("utf-8-sig")
    assert csv.startswith(
        "Name;Email;Organisation;Type of organisation;Country;Language;Signed up at (Europe/Brussels);Status\r\n"), csv
    assert re.search(r"^Ana Silva;ana@example\.be;Ville de Namur;public buyer;BE;fr;[^;]+;not confirmed yet\r$", csv, re.M), csv
    assert download.value.suggested_filename == f"sign-ups-{slug}-{start.strftime('%Y-%m-%d')}.csv"

    asked = []

    def confirm(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", confirm)
    page.get_by_role("button", name="Erase the sign-up of Ana Silva").click()
    expect(page.get_by_role("status")).to_contain_text("The sign-up was erased.")
    assert "deleted for good" in asked[0] and "audit log" in asked[0], asked
    expect(page.get_by_text("1 of 30 places taken")).to_be_visible()
    expect(page.get_by_role("cell", name="Ana Silva")).to_have_count(0)
    accessible(page, "sign-ups")
    screenshot(page, "event-sign-ups")

    admin = new_page()
    sign_in(admin, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_administration(admin, "Audit log")
    admin.get_by_label("What").select_option(label="Erased one person's sign-up for")
    admin.get_by_role("button", name="Apply filters").click()
    entry = admin.get_by_role("row").filter(has_text="Erased one person's sign-up for")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("organiser (Editor, BE)")
    expect(entry).to_contain_text("“Atelier achats publics responsables”")
    expect(entry).to_contain_text("Allowed")
    expect(entry).to_contain_text("127.0.0.1")
    expect(admin.locator("main")).not_to_contain_text("Ana Silva")
    expect(admin.locator("main")).not_to_contain_text("ana@example.be")
    accessible(admin, "audit log")
    screenshot(admin, "audit-log")


def test_an_editor_never_sees_the_administration_and_the_api_refuses_it_anyway(new_page, api):
    api.user("writer@webuysocial.lt", "editor", countries=["LT"], locales=["lt"])
    page = new_page()
    sign_in(page, "writer@webuysocial.lt")
    expect(page.get_by_role("link", name="Event desk")).to_be_visible()
    expect(page.get_by_role("button", name="Administration")).to_have_count(0)
    for path, label in [("users", "Users"), ("tokens", "API tokens"), ("sites", "Sites"), ("audit", "Audit log")]:
        page.goto(f"/admin/{path}")
        expect(page.get_by_role("heading", level=1, name=f"{label}: not available to you")).to_be_visible()
    # The API refuses what the screens would have done. (Editors may read sites, which
    # the delivery side describes anyway, but not change them.)
    for method, path, body in [("GET", "/api/v1/admin/users", None), ("GET", "/api/v1/admin/tokens", None),
                               ("GET", "/api/v1/admin/audit", None),
                               ("POST", "/api/v1/admin/sites", {"code": "lt", "name": "LT", "locales": ["lt"],
                                                                "default_locale": "lt"})]:
        status = page.evaluate(
            """async ([method, path, body]) => (await fetch(path, { method, headers: {
                 authorization: `Bearer ${sessionStorage.getItem("buysocial.session")}`,
                 "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined })).status""",
            [method, path, body])
        assert status == 403, (method, path, status)
    screenshot(page, "editor-no-administration")


def test_unsaved_site_settings_and_a_half_made_webhook_ask_before_the_admin_leaves(new_page, api):
    status, _ = api.call("POST", "/api/v1/admin/sites", {
        "code": "pt", "name": "WeBuySocial Portugal", "countries": ["PT"], "locales": ["pt"],
        "default_locale": "pt", "fallback": []})
    assert status == 201
    page = new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_administration(page, "Sites")
    page.get_by_role("link", name="WeBuySocial Portugal").click()
    page.get_by_label("Name", exact=True).fill("WeBuySocial PT")
    asked = []
    # The browser's Back button asks; declined, the form stays as typed.
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.go_back()
    expect(page.get_by_label("Name", exact=True)).to_have_value("WeBuySocial PT")
    # Accepted, the app leaves and nothing is saved.
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("link", name="Back to the sites").click()
    expect(page.get_by_role("heading", level=1, name="Sites")).to_be_visible()
    assert asked == ["The site's settings have unsaved changes. Leave without saving them?"] * 2, asked
    status, site = api.call("GET", "/api/v1/admin/sites/pt")
    assert status == 200 and site["name"] == "WeBuySocial Portugal", site

    open_administration(page, "Webhooks")
    page.get_by_role("link", name="New webhook").click()
    page.get_by_label("Name", exact=True).fill("Portuguese site rebuild")
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("link", name="Back to the webhooks").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Portuguese site rebuild")
    assert asked[-1] == "This new webhook is not created yet. Leave and lose what you typed?", asked
