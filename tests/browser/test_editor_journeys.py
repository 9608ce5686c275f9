"""What a national editor does in the web app, end to end in a real Chromium: the
journeys of issue 12, by labels and roles as a person and a screen reader find them."""

import re
import datetime
import time
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from conftest import PASSWORD, accessible, screenshot, sign_in


def test_a_belgian_editor_writes_publishes_and_schedules_in_french_and_dutch(new_page, api):
    api.user("editor@example.be", "editor", countries=["BE"], locales=["fr", "nl"])
    status, _ = api.call("POST", "/api/v1/admin/news", {
        "countries": ["LT"], "translation": {"locale": "lt", "title": "Vilniaus naujienos"}})
    assert status == 201
    page = new_page()
    sign_in(page, "editor@example.be")
    expect(page.get_by_role("heading", name="Translations")).to_be_visible()
    page.get_by_role("link", name="News", exact=True).click()

    expect(page.get_by_role("heading", name="News")).to_be_visible()
    expect(page.get_by_label("Countries")).to_have_value("mine")
    expect(page.get_by_text("Vilniaus naujienos")).to_have_count(0)
    accessible(page, "news list")
    screenshot(page, "news-list")

    page.get_by_role("link", name="New news item").click()
    expect(page.get_by_role("heading", name="New news item")).to_be_visible()
    language = page.get_by_label("Language", exact=True)
    expect(language.locator("option")).to_have_text(["FR", "NL"])
    expect(page.get_by_label("Country", exact=True).locator("option")).to_have_text(["Belgium (BE)"])
    page.get_by_label("Title", exact=True).fill("Appel aux acheteurs publics")
    page.get_by_label("Summary", exact=True).fill("Achetez social.")
    accessible(page, "new item")
    page.get_by_role("button", name="Create news item").click()

    expect(page.get_by_role("heading", name="FR translation: draft")).to_be_visible()
    page.get_by_label("Body", exact=True).fill("## Programme\n\nUne matinée d'échanges.")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_label("Body preview").get_by_role("heading", name="Programme")).to_be_visible()
    page.get_by_role("button", name="Write").click()
    expect(page.get_by_text("Unsaved changes")).to_be_visible()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text=re.compile(r"^Saved \d"))).to_be_visible()
    accessible(page, "editor")
    screenshot(page, "editor")

    page.get_by_label("Add a translation").select_option("nl")
    page.get_by_role("button", name="Add translation").click()
    expect(page.get_by_role("heading", name="NL translation: not written")).to_be_visible()
    page.get_by_label("Title", exact=True).fill("Oproep aan overheidskopers")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="NL translation: draft")).to_be_visible()

    page.get_by_role("link", name="FR draft").click()
    page.get_by_role("button", name="Publish FR").click()
    expect(page.get_by_role("heading", name="FR translation: published")).to_be_visible()
    french = api.get("/api/v1/news?locale=fr")
    assert [i["title"] for i in french["items"]] == ["Appel aux acheteurs publics"]

    page.get_by_role("link", name="NL draft").click()
    at = datetime.datetime.now(ZoneInfo("Europe/Brussels")) + datetime.timedelta(seconds=6)
    page.get_by_label("Publish NL at").fill(at.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_role("button", name="Schedule publishing").click()
    expect(page.get_by_text("Publishing is scheduled for")).to_be_visible()
    assert api.get("/api/v1/news?locale=nl")["items"] == []
    deadline = time.time() + 30
    while time.time() < deadline:
        dutch = api.get("/api/v1/news?locale=nl")["items"]
        if dutch:
            break
        time.sleep(0.5)
    assert [i["title"] for i in dutch] == ["Oproep aan overheidskopers"], "NL went live on time"


def test_an_author_is_offered_no_publish_and_the_api_refuses_it_anyway(new_page, api):
    api.user("author@example.be", "author", countries=["BE"], locales=["fr"])
    status, item = api.call("POST", "/api/v1/admin/news", {
        "countries": ["BE"], "translation": {"locale": "fr", "title": "Brouillon d'auteur"}})
    assert status == 201
    page = new_page()
    sign_in(page, "author@example.be")
    page.goto(f"/admin/news/{item['id']}")
    expect(page.get_by_role("heading", name="FR translation: draft")).to_be_visible()
    expect(page.get_by_role("button", name="Save draft")).to_be_visible()
    expect(page.get_by_role("button", name="Publish FR")).to_have_count(0)
    expect(page.get_by_role("button", name="Schedule publishing")).to_have_count(0)
    token = api.login("author@example.be", PASSWORD)
    status, problem = api.call("POST", f"/api/v1/admin/news/{item['id']}/translations/fr/publish", token=token)
    assert status == 403, problem


def test_two_editors_save_one_translation_and_neither_text_is_lost(new_page, api):
    api.user("first@example.be", "editor", countries=["BE"], locales=["fr"])
    api.user("second@example.be", "editor", countries=["BE"], locales=["fr"])
    status, item = api.call("POST", "/api/v1/admin/news", {
        "countries": ["BE"], "translation": {"locale": "fr", "title": "Texte commun", "body": "Début."}})
    assert status == 201
    first, second = new_page(), new_page()
    for page, email in ((first, "first@example.be"), (second, "second@example.be")):
        sign_in(page, email)
        page.goto(f"/admin/news/{item['id']}")
        expect(page.get_by_role("heading", name="FR translation: draft")).to_be_visible()

    first.get_by_label("Title", exact=True).fill("Texte commun, revu")
    first.get_by_label("Body", exact=True).fill("Début. Le texte du premier.")
    first.get_by_role("button", name="Save draft").click()
    expect(first.get_by_role("status").filter(has_text=re.compile(r"^Saved \d"))).to_be_visible()

    second.get_by_label("Body", exact=True).fill("Début. Le texte du second.")
    second.get_by_role("button", name="Save draft").click()
    # The panel names who saved the other version, and when.
    conflict = second.get_by_role("region", name=re.compile(r"^first saved this French translation at "))
    expect(conflict).to_be_visible()
    expect(conflict.get_by_text("Début. Le texte du premier.", exact=True)).to_be_visible()
    expect(conflict.get_by_text("Début. Le texte du second.", exact=True)).to_be_visible()
    # What differs is highlighted, field by field.
    body_difference = conflict.get_by_role("group", name="How theirs differs from yours (Body)")
    expect(body_difference.locator("ins")).to_have_text("premier.")
    expect(body_difference.locator("del")).to_have_text("second.")
    accessible(second, "conflict")
    screenshot(second, "conflict")
    conflict.get_by_label("Take theirs (Title)").check()
    conflict.get_by_label("Keep mine (Body)").check()
    conflict.get_by_role("button", name="Save merged").click()
    expect(second.get_by_role("status").filter(has_text=re.compile(r"^Saved \d"))).to_be_visible()
    # The form shows exactly what was saved: the merge, with nothing left unsaved.
    expect(second.get_by_label("Title", exact=True)).to_have_value("Texte commun, revu")
    expect(second.get_by_label("Body", exact=True)).to_have_value("Début. Le texte du second.")
    expect(second.get_by_text("Unsaved changes")).to_have_count(0)
    screenshot(second, "after-merge")

    status, saved = api.call("GET", f"/api/v1/admin/news/{item['id']}")
    assert saved["translations"][0]["draft"]["title"] == "Texte commun, revu"
    # Saving again sends the merge's ETag: no second conflict, nothing overwritten.
    second.get_by_role("button", name="Save draft").click()
    expect(second.get_by_role("region", name=re.compile("saved this French translation"))).to_have_count(0)
    status, again = api.call("GET", f"/api/v1/admin/news/{item['id']}")
    assert again["translations"][0]["draft"]["title"] == "Texte commun, revu"
    assert saved["translations"][0]["draft"]["body"] == "Début. Le texte du second."


def test_typed_text_survives_an_expired_session(new_page, api):
    api.user("keeper@example.be", "editor", countries=["BE"], locales=["fr"])
    status, item = api.call("POST", "/api/v1/admin/news", {
        "countries": ["BE"], "translation": {"locale": "fr", "title": "À garder"}})
    assert status == 201
    page = new_page()
    sign_in(page, "keeper@example.be")
    page.goto(f"/admin/news/{item['id']}")
    page.get_by_label("Summary", exact=True).fill("Un texte tapé avant que la session expire.")
    # The session ends elsewhere (another tab signs out, or it expires).
    token = page.evaluate("() => sessionStorage.getItem('buysocial.session')")
    status, _ = api.call("POST", "/api/v1/auth/logout", token=token)
    assert status == 204
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Your session has ended")).to_be_visible()
    page.get_by_label("Email").fill("keeper@example.be")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Back where the editor was, with what was typed.
    expect(page.get_by_role("heading", name="FR translation: draft")).to_be_visible()
    expect(page.get_by_label("Summary", exact=True)).to_have_value("Un texte tapé avant que la session expire.")
    expect(page.get_by_text("Your unsaved changes from before are back")).to_be_visible()
    # And after a reload too.
    page.reload()
    expect(page.get_by_label("Summary", exact=True)).to_have_value("Un texte tapé avant que la session expire.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text=re.compile(r"^Saved \d"))).to_be_visible()
    status, saved = api.call("GET", f"/api/v1/admin/news/{item['id']}")
    assert saved["translations"][0]["draft"]["summary"] == "Un texte tapé avant que la session expire."


def test_an_editor_sees_the_item_on_the_national_site_and_previews_the_draft_there(new_page, api):
    status, _ = api.call("POST", "/api/v1/admin/sites", {
        "code": "be-view", "name": "WeBuySocial Belgium", "countries": ["BE"], "locales": ["fr", "nl"],
        "default_locale": "fr",
        "routes": [{"kind": "news", "locale": "fr", "pattern": "https://webuysocial.be/fr/actualites/{slug}"}],
        "preview_url": "https://webuysocial.be/api/preview?token={token}&locale={locale}&slug={slug}"})
    assert status == 201
    api.user("viewer-on-site@example.be", "editor", countries=["BE"], locales=["fr"])
    status, item = api.call("POST", "/api/v1/admin/news", {
        "countries": ["BE"], "translation": {"locale": "fr", "title": "Sur le site", "slug": "sur-le-site"}})
    assert status == 201
    status, published = api.call("POST", f"/api/v1/admin/news/{item['id']}/translations/fr/publish")
    assert status == 200
    live_urls = published["translations"][0]["live"]["urls"]
    assert {"site": "be-view", "url": "https://webuysocial.be/fr/actualites/sur-le-site"} in live_urls, live_urls

    page = new_page()
    sign_in(page, "viewer-on-site@example.be")
    page.goto(f"/admin/news/{item['id']}")
    on_site = page.get_by_role("region", name="On the sites")
    expect(on_site.get_by_role("link", name="View on site be-view (live)")).to_have_attribute(
        "href", "https://webuysocial.be/fr/actualites/sur-le-site")
    on_site.get_by_label("Preview the draft on").select_option("be-view")
    on_site.get_by_role("button", name="Make a preview link").click()
    preview = on_site.get_by_role("link", name="Open the preview on be-view")
    expect(preview).to_have_attribute("href", re.compile(r"^https://webuysocial\.be/api/preview\?token=bsp_"))
    accessible(page, "on the site")


def test_an_editor_tags_an_item_and_adds_a_country_of_their_scope(new_page, api):
    api.user("benelux@example.eu", "editor", countries=["BE", "LU"], locales=["fr"])
    status, tagged = api.call("POST", "/api/v1/admin/news", {
        "countries": ["BE"], "tags": ["srpp"], "translation": {"locale": "fr", "title": "Déjà étiqueté"}})
    assert status == 201
    status, item = api.call("POST", "/api/v1/admin/news", {
        "countries": ["BE"], "translation": {"locale": "fr", "title": "À étiqueter"}})
    assert status == 201
    page = new_page()
    sign_in(page, "benelux@example.eu")
    page.goto(f"/admin/news/{item['id']}")
    page.locator("summary", has_text="Countries and tags").click()
    countries = page.get_by_role("group", name="Countries")
    expect(countries.get_by_label("Belgium (BE)")).to_be_checked()
    countries.get_by_label("Luxembourg (LU)").check()
    page.get_by_role("group", name="Tags").get_by_label("srpp (1)").check()
    page.get_by_label("New tags").fill("Social-Clauses")
    accessible(page, "countries and tags")
    page.get_by_role("button", name="Save countries and tags").click()
    expect(page.get_by_role("status").filter(has_text="Countries and tags saved")).to_be_visible()
    status, saved = api.call("GET", f"/api/v1/admin/news/{item['id']}")
    assert sorted(saved["countries"]) == ["BE", "LU"], saved["countries"]
    assert sorted(saved["tags"]) == ["social-clauses", "srpp"], saved["tags"]


def test_an_editor_formats_with_the_toolbar_and_sees_the_preview_beside_the_text(new_page, api, server):
    api.user("toolbar@example.be", "editor", countries=["BE"], locales=["fr"])
    status, item = api.call("POST", "/api/v1/admin/news", {
        "countries": ["BE"], "translation": {"locale": "fr", "title": "Mise en forme", "body": "achats sociaux"}})
    assert status == 201
    page = new_page(width=1600, height=1000)
    sign_in(page, "toolbar@example.be")
    page.goto(f"/admin/news/{item['id']}")
    body = page.get_by_label("Body", exact=True)
    body.focus()
    page.evaluate("() => { const area = document.getElementById('field-body'); area.setSelectionRange(0, 6); }")
    toolbar = page.get_by_role("toolbar", name="Format the body")
    toolbar.get_by_role("button", name="Bold").click()
    expect(body).to_have_value("**achats** sociaux")
    toolbar.get_by_role("button", name="Heading").click()
    expect(body).to_have_value("## **achats** sociaux")
    # Written and previewed side by side, as publishing renders it.
    beside = page.get_by_role("region", name="Preview beside the text")
    expect(beside.locator("h2")).to_have_text("achats sociaux")
    expect(beside.locator("strong")).to_have_text("achats")
    expect(page.get_by_role("group", name="Body view")).to_be_hidden()
    accessible(page, "toolbar and preview beside")
    screenshot(page, "toolbar")
