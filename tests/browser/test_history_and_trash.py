"""History, the trash and leaving with unsaved changes, in a real Chromium; and the app
on a phone-sized screen, readable for review."""

import re

from playwright.sync_api import expect

from conftest import accessible, screenshot, sign_in


def news(api, title, countries=("BE",), locale="fr"):
    status, item = api.call("POST", "/api/v1/admin/news", {
        "countries": list(countries), "translation": {"locale": locale, "title": title}})
    assert status == 201, item
    return item


def test_history_shows_each_change_and_restores_an_earlier_text(new_page, api):
    api.user("historian@example.be", "editor", countries=["BE"], locales=["fr"])
    item = news(api, "Première version")
    status, _ = api.call("PUT", f"/api/v1/admin/news/{item['id']}/translations/fr",
                         {"title": "Deuxième version"}, if_match='"t1"')
    assert status == 200
    page = new_page()
    sign_in(page, "historian@example.be")
    page.goto(f"/admin/news/{item['id']}")
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="History of “Deuxième version”")).to_be_visible()
    entries = page.get_by_role("listitem")
    # Newest first: the second draft, the translation's creation, the item's.
    expect(entries).to_have_count(3)
    expect(entries.last).to_contain_text("Created")
    latest = entries.first
    expect(latest).to_contain_text("Draft saved (FR)")
    # Who made each change is named (the admin arranged this one through the API).
    expect(latest).to_contain_text("by Administrator")
    latest.get_by_role("button", name="Show changes").click()
    expect(latest.locator("del", has_text="Première version")).to_be_visible()
    expect(latest.locator("ins", has_text="Deuxième version")).to_be_visible()
    accessible(page, "history")
    screenshot(page, "history")
    expect(entries.nth(1)).to_contain_text("Created (FR)")
    entries.nth(1).get_by_role("button", name="Restore this version").click()
    expect(page.get_by_role("heading", name="FR translation: draft")).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value("Première version")


def test_an_item_goes_to_the_trash_and_comes_back(new_page, api):
    api.user("tidy@example.be", "editor", countries=["BE"], locales=["fr"])
    item = news(api, "À ranger")
    page = new_page()
    sign_in(page, "tidy@example.be")
    page.goto(f"/admin/news/{item['id']}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Move to the trash").click()
    expect(page.get_by_role("heading", name="News", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="À ranger")).to_have_count(0)
    page.get_by_label("Status").select_option("trashed")
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name="À ranger").click()
    expect(page.get_by_text("is in the trash since")).to_be_visible()
    page.get_by_role("button", name="Restore from the trash").click()
    expect(page.get_by_role("button", name="Move to the trash")).to_be_visible()
    status, restored = api.call("GET", f"/api/v1/admin/news/{item['id']}")
    assert restored["deleted_at"] is None


def test_leaving_with_unsaved_changes_asks_first(new_page, api):
    api.user("careful@example.be", "editor", countries=["BE"], locales=["fr"])
    item = news(api, "Texte en cours")
    page = new_page()
    sign_in(page, "careful@example.be")
    page.goto(f"/admin/news/{item['id']}")
    page.get_by_label("Summary", exact=True).fill("Pas encore enregistré.")
    asked = []

    def stay(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", stay)
    page.get_by_role("link", name="Events").click()
    assert asked and "unsaved changes" in asked[0]
    expect(page.get_by_label("Summary", exact=True)).to_have_value("Pas encore enregistré.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text=re.compile(r"^Saved \d"))).to_be_visible()
    page.get_by_role("link", name="Events").click()
    expect(page.get_by_role("heading", name="Events", exact=True)).to_be_visible()


def test_the_app_is_readable_on_a_phone(new_page, api):
    api.user("phone@example.be", "editor", countries=["BE"], locales=["fr"])
    item = news(api, "Lu sur un téléphone")
    page = new_page(width=390, height=844)
    sign_in(page, "phone@example.be")
    expect(page.get_by_role("link", name="Lu sur un téléphone")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
    accessible(page, "phone list")
    screenshot(page, "phone-news")
    page.goto(f"/admin/news/{item['id']}")
    expect(page.get_by_role("heading", name="FR translation: draft")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
    screenshot(page, "phone-editor")


def test_on_a_phone_the_navigation_folds_into_a_menu_and_administration_fits(new_page, api):
    page = new_page(width=390, height=844)
    sign_in(page, "admin@example.eu", "an admin password for browser tests")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="News")).to_be_hidden()
    nav.get_by_role("button", name="Menu").click()
    expect(nav.get_by_role("link", name="News")).to_be_visible()
    nav.get_by_role("button", name="Administration").click()
    audit = nav.get_by_role("link", name="Audit log")
    expect(audit).to_be_visible()
    box = audit.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"on screen: {box}"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
    screenshot(page, "phone-menu")
    audit.click()
    expect(page.get_by_role("heading", level=1, name="Audit log")).to_be_visible()
    expect(nav.get_by_role("link", name="News")).to_be_hidden()


def test_an_admin_follows_an_item_from_its_history_into_the_audit_log(new_page, api):
    from conftest import ADMIN_EMAIL, ADMIN_PASSWORD
    item = news(api, "Suivi dans le journal")
    other = news(api, "Une autre actualité")
    status, _ = api.call("PUT", f"/api/v1/admin/news/{item['id']}/translations/nl",
                         {"title": "Gevolgd in het logboek"})
    assert status == 200
    page = new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"/admin/news/{item['id']}/history")
    page.get_by_role("link", name="Everything recorded about it in the audit log").click()
    expect(page.get_by_role("heading", level=1, name="Audit log")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Only what concerns “Suivi dans le journal”")).to_be_visible()
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows.filter(has_text="Suivi dans le journal").first).to_be_visible()
    expect(rows.filter(has_text=other["translations"][0]["draft"]["title"])).to_have_count(0)
    # One language of it.
    page.get_by_label("Language").select_option("nl")
    page.get_by_role("button", name="Apply filters").click()
    expect(rows.filter(has_text="Dutch")).not_to_have_count(0)
    expect(rows.filter(has_text="French")).to_have_count(0)
    accessible(page, "audit log of one item")
    screenshot(page, "audit-one-item")
    page.get_by_role("button", name="Show every item").click()
    expect(page.get_by_role("status").filter(has_text="Only what concerns")).to_have_count(0)
    expect(rows.filter(has_text="Une autre actualité")).to_have_count(0)  # still Dutch only
