"""Schedules a person can trust, in the web app: saving a scheduled translation says
what happens to the schedule, a schedule is moved or cancelled where it is shown, and a
schedule that did not happen says so, and why."""

import re
import datetime
import time

from playwright.sync_api import expect

from conftest import accessible, screenshot, sign_in


def scheduled_news(api, title, seconds):
    status, item = api.call("POST", "/api/v1/admin/news", {
        "countries": ["LT"], "translation": {"locale": "lt", "title": title}})
    assert status == 201, item
    at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    status, body = api.call("POST", f"/api/v1/admin/news/{item['id']}/translations/lt/publish",
                            {"at": at.isoformat()})
    assert status == 200, body
    return item["id"]


def test_saving_a_scheduled_translation_keeps_the_schedule_for_the_new_version(new_page, api):
    api.user("planner@example.lt", "editor", countries=["LT"], locales=["lt"])
    item_id = scheduled_news(api, "Mokymai Vilniuje", 3600)
    page = new_page(timezone="Europe/Vilnius")
    sign_in(page, "planner@example.lt")
    page.goto(f"/admin/news/{item_id}")
    scheduled = page.get_by_role("group", name="Scheduled")
    expect(scheduled).to_contain_text("Publishing is scheduled for")
    page.get_by_label("Title", exact=True).fill("Mokymai Vilniuje, atnaujinta")
    choice = page.get_by_role("group", name="Publishing is scheduled for")
    expect(choice.get_by_label("Publish this new version at", exact=False)).to_be_checked()
    accessible(page, "saving a scheduled translation")
    screenshot(page, "schedule-on-save")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text=re.compile(r"^Saved \d"))).to_be_visible()
    expect(scheduled).to_contain_text("Publishing is scheduled for")
    status, item = api.call("GET", f"/api/v1/admin/news/{item_id}")
    assert len(item["translations"][0]["schedules"]) == 1, item

    # Moved, then cancelled, where it is shown.
    scheduled.get_by_label("New time").fill("2099-05-23T09:30:00")
    scheduled.get_by_role("button", name="Reschedule").click()
    expect(scheduled).to_contain_text("2099")
    page.once("dialog", lambda dialog: dialog.accept())
    scheduled.get_by_role("button", name="Cancel the schedule").click()
    expect(page.get_by_role("group", name="Scheduled")).to_have_count(0)
    status, item = api.call("GET", f"/api/v1/admin/news/{item_id}")
    assert item["translations"][0]["schedules"] == [], item


def test_a_schedule_that_did_not_happen_says_why(new_page, api):
    api.user("leaving-planner@example.lt", "editor", countries=["LT"], locales=["lt"])
    planner = api.login("leaving-planner@example.lt", "a password for browser tests")
    status, item = api.call("POST", "/api/v1/admin/news", {
        "countries": ["LT"], "translation": {"locale": "lt", "title": "Renginys"}}, token=planner)
    assert status == 201
    at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)
    status, _ = api.call("POST", f"/api/v1/admin/news/{item['id']}/translations/lt/publish",
                         {"at": at.isoformat()}, token=planner)
    assert status == 200
    status, users = api.call("GET", "/api/v1/admin/users?role=editor")
    user = next(u for u in users["items"] if u["email"] == "leaving-planner@example.lt")
    status, _ = api.call("PATCH", f"/api/v1/admin/users/{user['id']}", {"role": "author"})
    assert status == 200
    time.sleep(3)
    api.user("colleague@example.lt", "editor", countries=["LT"], locales=["lt"])
    page = new_page(timezone="Europe/Vilnius")
    sign_in(page, "colleague@example.lt")
    page.goto(f"/admin/news/{item['id']}")
    expect(page.get_by_text("did not happen: whoever scheduled this may no longer publish it")).to_be_visible()
    screenshot(page, "schedule-failed")


def test_changing_details_of_a_scheduled_item_says_what_happens_to_the_schedule(new_page, api):
    api.user("details-planner@example.lt", "editor", countries=["LT"], locales=["lt"])
    item_id = scheduled_news(api, "Naujienos data", 3600)
    page = new_page(timezone="Europe/Vilnius")
    sign_in(page, "details-planner@example.lt")
    page.goto(f"/admin/news/{item_id}")
    page.locator("summary", has_text="News details").click()
    page.get_by_label("Date").fill("2099-01-15")
    choice = page.get_by_role("group", name="Publishing of LT is scheduled. When you save:")
    expect(choice.get_by_label("Publish these details with them")).to_be_checked()
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("status").filter(has_text="Details saved")).to_be_visible()
    status, item = api.call("GET", f"/api/v1/admin/news/{item_id}")
    assert item["fields"]["date"] == "2099-01-15", item["fields"]
    assert len(item["translations"][0]["schedules"]) == 1, "the schedule was kept"


def test_restoring_an_earlier_version_says_what_happens_to_the_schedule(new_page, api):
    api.user("restorer@example.lt", "editor", countries=["LT"], locales=["lt"])
    item_id = scheduled_news(api, "Seminaras Kaune", 3600)
    status, item = api.call("PUT", f"/api/v1/admin/news/{item_id}/translations/lt",
                            {"title": "Seminaras Kaune (klaida)", "schedule": "keep"}, if_match='"t1"')
    assert status == 200, item
    page = new_page(timezone="Europe/Vilnius")
    sign_in(page, "restorer@example.lt")
    page.goto(f"/admin/news/{item_id}/history")
    first = page.get_by_role("listitem").filter(has_text="Created (LT)")
    first.get_by_role("button", name="Restore this version").click()
    choice = page.get_by_role("group", name=re.compile("Publishing of LT is scheduled for"))
    expect(choice.get_by_label("Publish the restored version then")).to_be_checked()
    accessible(page, "restoring over a schedule")
    screenshot(page, "restore-over-schedule")
    first.get_by_role("button", name="Restore this version").click()
    expect(page.get_by_label("Title", exact=True)).to_have_value("Seminaras Kaune")
    status, item = api.call("GET", f"/api/v1/admin/news/{item_id}")
    lt = item["translations"][0]
    assert len(lt["schedules"]) == 1 and lt["draft"]["title"] == "Seminaras Kaune", lt
