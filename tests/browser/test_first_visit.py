"""The first visit: what the browser downloads before the sign-in form works (the brief
allows 150 KB gzipped), how long it takes on this machine (printed, not asserted), and
a generated password changed before anything else."""

import gzip
import time

from playwright.sync_api import expect

from conftest import PASSWORD, accessible, screenshot


def test_the_first_load_is_small_and_prints_its_figures(new_page, capsys):
    page = new_page()
    bodies = {}
    page.on("response", lambda r: bodies.__setitem__(r.url, r) if r.status == 200 else None)
    started = time.perf_counter()
    page.goto("/admin")
    expect(page.get_by_role("button", name="Sign in")).to_be_enabled()
    interactive = time.perf_counter() - started
    page.wait_for_load_state("networkidle")
    raw = sum(len(r.body()) for r in bodies.values())
    zipped = sum(len(gzip.compress(r.body(), 9)) for r in bodies.values())
    with capsys.disabled():
        print(f"\nfirst load: {len(bodies)} files, {raw / 1024:.1f} KB, {zipped / 1024:.1f} KB gzipped; "
              f"sign-in form usable after {interactive * 1000:.0f} ms")
    assert zipped < 150 * 1024, f"{zipped} bytes gzipped"
    accessible(page, "sign-in")
    screenshot(page, "sign-in")


def test_a_generated_password_is_changed_before_anything_else(new_page, api):
    api.user("newcomer@example.be", "editor", countries=["BE"], locales=["fr"], must_change_password=True)
    page = new_page()
    page.goto("/admin")
    page.get_by_label("Email").fill("newcomer@example.be")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Choose your own password")).to_be_visible()
    expect(page.get_by_role("link", name="News")).to_have_count(0)
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_be_visible()
    accessible(page, "change password")
    page.get_by_label("New password").fill("a long passphrase of my own")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", name="Translations", exact=True)).to_be_visible()
