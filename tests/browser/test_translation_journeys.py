"""Translation and review in a real Chromium: the board, the source beside the
translation with what changed, marking up to date, and review requests."""

import re

from playwright.sync_api import expect

from conftest import accessible, screenshot, sign_in


def test_a_lithuanian_editor_updates_an_outdated_translation_from_the_board(new_page, api):
    api.user("lt-editor@example.lt", "editor", countries=["LT"], locales=["lt"])
    status, item = api.call("POST", "/api/v1/admin/news", {
        "countries": ["LT"], "translation": {"locale": "en", "title": "Training in Vilnius",
                                             "body": "Registration opens in May."}})
    assert status == 201
    nid = item["id"]
    status, _ = api.call("PUT", f"/api/v1/admin/news/{nid}/translations/lt",
                         {"title": "Mokymai Vilniuje", "body": "Registracija prasideda gegužę."})
    assert status == 200
    for locale in ("en", "lt"):
        status, _ = api.call("POST", f"/api/v1/admin/news/{nid}/translations/{locale}/publish")
        assert status == 200
    status, _ = api.call("PUT", f"/api/v1/admin/news/{nid}/translations/en",
                         {"title": "Training in Vilnius", "body": "Registration opens in April."}, if_match='"t1"')
    assert status == 200

    page = new_page()
    sign_in(page, "lt-editor@example.lt")
    expect(page.get_by_role("heading", name="Translations")).to_be_visible()
    expect(page.get_by_text("1 translation needs work")).to_be_visible()
    accessible(page, "board")
    screenshot(page, "board")
    page.get_by_role("link", name="LT outdated", exact=True).click()

    source = page.get_by_role("region", name="Source: EN")
    expect(source.get_by_text("Changed since this translation was written")).to_be_visible()
    expect(source.locator("del", has_text="May.")).to_be_visible()
    expect(source.locator("ins", has_text="April.")).to_be_visible()
    accessible(page, "side by side")
    screenshot(page, "side-by-side")

    page.get_by_label("Body", exact=True).fill("Registracija prasideda balandį.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text=re.compile(r"^Saved \d"))).to_be_visible()
    expect(source.get_by_text("This translation follows the source as it is now")).to_be_visible()
    page.get_by_role("button", name="Publish LT", exact=True).click()
    expect(page.get_by_role("heading", name="LT translation: published")).to_be_visible()

    page.get_by_role("link", name="Translations").click()
    expect(page.get_by_text("Nothing needs work.")).to_be_visible()
    page.get_by_label("Only what needs work").uncheck()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name="LT published")).to_be_visible()
    assert api.get("/api/v1/news?locale=lt")["items"][0]["title"] == "Mokymai Vilniuje"


def test_marking_up_to_date_without_changing_the_text(new_page, api):
    api.user("checker@example.lt", "editor", countries=["LT"], locales=["lt"])
    status, item = api.call("POST", "/api/v1/admin/news", {
        "countries": ["LT"], "translation": {"locale": "en", "title": "Seminar", "body": "Room 1."}})
    nid = item["id"]
    api.call("PUT", f"/api/v1/admin/news/{nid}/translations/lt", {"title": "Seminaras", "body": "Salė 1."})
    api.call("PUT", f"/api/v1/admin/news/{nid}/translations/en", {"title": "Seminar", "body": "Room 1. "}, if_match='"t1"')
    page = new_page()
    sign_in(page, "checker@example.lt")
    page.goto(f"/admin/news/{nid}?locale=lt")
    expect(page.get_by_role("heading", name="LT translation: outdated")).to_be_visible()
    page.get_by_role("button", name="Mark as up to date").click()
    expect(page.get_by_role("heading", name="LT translation: draft")).to_be_visible()
    status, found = api.call("GET", f"/api/v1/admin/news/{nid}")
    assert [t["outdated"] for t in found["translations"] if t["locale"] == "lt"] == [False]


def test_an_author_asks_for_review_and_an_editor_publishes_it_from_the_queue(new_page, api):
    api.user("writer@example.be", "author", countries=["BE"], locales=["fr"])
    api.user("reviewer@example.be", "editor", countries=["BE"], locales=["fr"])
    status, item = api.call("POST", "/api/v1/admin/news", {
        "countries": ["BE"], "translation": {"locale": "fr", "title": "À relire", "slug": "a-relire"}})
    assert status == 201

    author = new_page()
    sign_in(author, "writer@example.be")
    expect(author.get_by_role("link", name="Reviews")).to_have_count(0)
    author.goto(f"/admin/news/{item['id']}")
    author.get_by_label("Message for the reviewer (optional)").fill("Première version, merci.")
    author.get_by_role("button", name="Ask for review").click()
    expect(author.get_by_role("heading", name="FR translation: in review")).to_be_visible()
    expect(author.get_by_role("button", name="Ask for review")).to_have_count(0)

    editor = new_page()
    sign_in(editor, "reviewer@example.be")
    expect(editor.get_by_role("link", name="FR in review")).to_be_visible()
    editor.get_by_role("link", name="Reviews").click()
    expect(editor.get_by_text("Première version, merci.")).to_be_visible()
    accessible(editor, "reviews")
    screenshot(editor, "reviews")
    editor.get_by_role("button", name="Publish À relire (FR)").click()
    expect(editor.get_by_text("No translation is waiting for your review.")).to_be_visible()
    assert api.get("/api/v1/news/a-relire?locale=fr")["title"] == "À relire"
    # The request and its outcome are in the item's history.
    editor.goto(f"/admin/news/{item['id']}/history")
    expect(editor.get_by_role("heading", name="Review requests")).to_be_visible()
    expect(editor.get_by_text("Première version, merci.")).to_be_visible()
    expect(editor.get_by_text("published", exact=False).first).to_be_visible()


def test_an_editor_asks_a_colleague_for_review_and_does_not_review_it_alone(new_page, api):
    api.user("asker@example.be", "editor", countries=["BE"], locales=["fr"])
    api.user("colleague@example.be", "editor", countries=["BE"], locales=["fr"])
    status, item = api.call("POST", "/api/v1/admin/news", {
        "countries": ["BE"], "translation": {"locale": "fr", "title": "Quatre yeux"}})
    assert status == 201
    asker = new_page()
    sign_in(asker, "asker@example.be")
    asker.goto(f"/admin/news/{item['id']}")
    asker.get_by_label("Message for the reviewer (optional)").fill("Peux-tu relire le titre ?")
    asker.get_by_role("button", name="Ask for review").click()
    expect(asker.get_by_role("heading", name="FR translation: in review")).to_be_visible()
    # Not in the asker's own queue: a colleague decides.
    asker.get_by_role("link", name="Reviews").click()
    expect(asker.get_by_text("No translation is waiting for your review.")).to_be_visible()
    colleague = new_page()
    sign_in(colleague, "colleague@example.be")
    colleague.get_by_role("link", name="Reviews").click()
    expect(colleague.get_by_text("Peux-tu relire le titre ?")).to_be_visible()
