"""What the security review changed in the web app, as people meet it: an admin has no
scope to choose, offboarding says which automation tokens stop, thumbnails never become
pages of the admin origin, signing out leaves no unsaved text behind, and the API docs
work under their Content-Security-Policy."""

import re
import urllib.request

from playwright.sync_api import expect

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, accessible, screenshot, sign_in


def test_the_api_docs_render_under_their_policy(new_page):
    page = new_page()
    page.goto("/api/docs")
    # Swagger UI built the page from the spec: its scripts ran, nothing was refused (a
    # refusal is a console error, which fails the test).
    expect(page.get_by_role("heading", name="buysocial")).to_be_visible()
    expect(page.get_by_text("/api/v1/auth/login").first).to_be_visible()
    screenshot(page, "api-docs")


def test_an_admin_is_given_no_scope(new_page, api):
    api.user("promoted@example.be", "editor", countries=["BE"], locales=["fr"])
    status, users = api.call("GET", "/api/v1/admin/users?role=editor")
    user = next(u for u in users["items"] if u["email"] == "promoted@example.be")
    page = new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"/admin/users/{user['id']}")
    expect(page.get_by_role("group", name="Countries they work on")).to_be_visible()
    page.get_by_role("radio", name="Admin").check()
    expect(page.get_by_role("group", name="Countries they work on")).to_have_count(0)
    expect(page.get_by_text("An admin works in every country and language")).to_be_visible()
    accessible(page, "user made admin")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Changes saved")
    status, saved = api.call("GET", f"/api/v1/admin/users/{user['id']}")
    assert saved["role"] == "admin" and saved["scope"] == {"countries": [], "locales": []}, saved


def test_disabling_someone_says_their_automation_tokens_stop(new_page, api):
    api.user("leaving@example.eu", "admin")
    leaving = api.login("leaving@example.eu", PASSWORD)
    status, _ = api.call("POST", "/api/v1/admin/tokens",
                         {"name": "Nightly import", "kind": "admin", "role": "editor"}, token=leaving)
    assert status == 201
    status, _ = api.call("POST", "/api/v1/admin/tokens",
                         {"name": "Belgian frontend", "kind": "delivery"}, token=leaving)
    assert status == 201
    status, users = api.call("GET", "/api/v1/admin/users?role=admin")
    user = next(u for u in users["items"] if u["email"] == "leaving@example.eu")

    page = new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"/admin/users/{user['id']}")
    expect(page.get_by_text("The 1 automation token they created will be revoked")).to_be_visible()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Disable account").click()
    expect(page.get_by_role("status")).to_contain_text("The account is disabled")
    assert "1 automation token they created will be revoked" in asked[0], asked

    page.goto("/admin/tokens")
    import_row = page.get_by_role("row").filter(has_text="Nightly import")
    expect(import_row).to_contain_text("revoked")
    site_row = page.get_by_role("row").filter(has_text="Belgian frontend")
    expect(site_row).to_contain_text("active")
    expect(site_row).to_contain_text("by someone who has left")
    accessible(page, "tokens after offboarding")
    screenshot(page, "tokens-after-offboarding")


SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
  <rect width="64" height="64" fill="#004494"/>
  <script>parent.stolen = localStorage.length</script>
</svg>
"""


def test_an_svg_thumbnail_is_a_data_url_not_a_page_of_the_admin_origin(new_page, api, server):
    request = urllib.request.Request(server + "/api/v1/admin/assets?file_name=logo.svg", data=SVG,
                                     method="POST", headers={
                                         "authorization": f"Bearer {api.token}",
                                         "content-type": "application/octet-stream"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 201
    page = new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.get_by_role("link", name="Media").click()
    thumbnail = page.get_by_role("row").filter(has_text="logo.svg").locator("img.thumb")
    expect(thumbnail).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))
    assert page.evaluate("() => window.stolen === undefined")


def test_signing_out_asks_and_leaves_no_unsaved_text_behind(new_page, api):
    api.user("shared-laptop@example.be", "editor", countries=["BE"], locales=["fr"])
    status, item = api.call("POST", "/api/v1/admin/news", {
        "countries": ["BE"], "translation": {"locale": "fr", "title": "Brouillon"}})
    assert status == 201
    page = new_page()
    sign_in(page, "shared-laptop@example.be")
    page.goto(f"/admin/news/{item['id']}")
    page.get_by_label("Summary", exact=True).fill("Un texte que personne d'autre ne doit lire.")
    expect(page.get_by_text("Unsaved changes").first).to_be_visible()
    # Declining keeps the text and the session.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Summary", exact=True)).to_have_value("Un texte que personne d'autre ne doit lire.")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert "unsaved changes in 1 translation" in asked[0], asked
    kept = page.evaluate("() => Object.keys(localStorage).filter((k) => k.startsWith('buysocial.unsaved.'))")
    assert kept == [], kept
