"""Single sign-on through a real OpenID provider (the npm package oidc-provider, run by
tests/oidc/provider.mjs on loopback), in Chromium, by labels and roles on buysocial's
pages. The provider's login page is its development form: the login typed chooses
the person ("lina@example.lt" verified, "unverified:…" not verified).

The provider is looked for in ${XDG_CACHE_HOME:-~/.cache}/buysocial-ci/oidc-8.8.1/
node_modules (where CI installs it), or in TEST_OIDC_MODULES; without it, or without
node, the module is skipped."""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import (ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, ROOT, Authenticator, Watched, accessible, read_mail,
                      running_server, screenshot, sign_in)

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
OIDC_MODULES = Path(os.environ.get("TEST_OIDC_MODULES") or CACHE / "buysocial-ci" / "oidc-8.8.1" / "node_modules")
NODE = shutil.which("node")
CLIENT_SECRET = "a client secret for the browser tests"

if not (OIDC_MODULES / "oidc-provider").is_dir() or NODE is None:
    pytest.skip(f"no oidc-provider in {OIDC_MODULES} (set TEST_OIDC_MODULES) or no node",
                allow_module_level=True)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def provider_config(issuer, public_url):
    """Only what these tests change; the rest comes from config/default.toml."""
    return f'''[server]
public_url = "{public_url}"

[[auth.oidc]]
id = "eulogin"
display_name = "EU Login"
issuer = "{issuer}"
client_id = "buysocial"
client_secret = "{CLIENT_SECRET}"
'''


@pytest.fixture(scope="module")
def ports():
    return {"buysocial": free_port(), "provider": free_port()}


@pytest.fixture(scope="module")
def provider(ports):
    """The OpenID provider, until the module ends; yields its issuer."""
    callback = f"http://127.0.0.1:{ports['buysocial']}/api/v1/auth/sso/eulogin/callback"
    env = dict(os.environ, OIDC_MODULES=str(OIDC_MODULES), OIDC_PORT=str(ports["provider"]),
               OIDC_REDIRECT_URIS=callback, OIDC_CLIENT_SECRET=CLIENT_SECRET)
    with tempfile.TemporaryDirectory() as workdir:
        # Its output goes to a file: a pipe nobody reads would stop it (EPIPE).
        log = open(Path(workdir) / "provider.log", "w+")
        process = subprocess.Popen([NODE, str(ROOT / "tests" / "oidc" / "provider.mjs")], env=env,
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            issuer = None
            for _ in range(120):
                log.seek(0)
                found = re.search(r"oidc-provider listening on (http://\S+)", log.read())
                if found:
                    issuer = found.group(1)
                    break
                if process.poll() is not None:
                    break
                time.sleep(0.25)
            log.seek(0)
            assert issuer, f"the OpenID provider did not start:\n{log.read()}"
            yield issuer
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()


@pytest.fixture(scope="module")
def server(ports, provider):
    """buysocial with EU Login (the provider above) among its sign-in services."""
    public_url = f"http://127.0.0.1:{ports['buysocial']}"
    with running_server(config=provider_config(provider, public_url), bind=f"127.0.0.1:{ports['buysocial']}") as url:
        assert url == public_url, url
        yield url


@pytest.fixture(scope="module")
def server_with_provider_down():
    """buysocial whose EU Login is at an address where nothing answers."""
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    with running_server(config=provider_config(f"http://127.0.0.1:{free_port()}", public_url),
                        bind=f"127.0.0.1:{port}") as url:
        yield url


@pytest.fixture
def new_page(new_page):
    """conftest's pages, kept off the internet: the provider's development pages import
    a web font, answered here with nothing (a failed load would be a console error)."""
    def make(**options):
        page = new_page(**options)
        page.context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"),
                           lambda route: route.fulfill(status=200, content_type="text/css", body=""))
        return page
    return make


def sign_in_at_provider(page, issuer, login):
    """The provider's development login form (any password)."""
    page.wait_for_url(f"{issuer}/**")
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.locator("input[name=password]").press("Enter")


def start_with_eu_login(page):
    page.goto("/admin")
    expect(page.get_by_role("heading", level=1, name="Sign in to buysocial")).to_be_visible()
    page.get_by_role("link", name="Sign in with EU Login").click()


def test_an_editor_signs_in_with_eu_login_and_the_code_leaves_the_address_bar(new_page, api, provider):
    api.user("lina@example.lt", "editor", countries=["LT"], locales=["lt"])
    page = new_page()
    visited = []
    page.on("framenavigated", lambda frame: visited.append(frame.url) if frame == page.main_frame else None)
    page.goto("/admin")
    expect(page.get_by_role("heading", level=2, name="Or sign in with EU Login")).to_be_visible()
    button = page.get_by_role("link", name="Sign in with EU Login")
    expect(button).to_have_attribute("href", "/api/v1/auth/sso/eulogin/start")
    expect(button).to_have_accessible_description(
        "With your EU Login account, when it uses the email address of your buysocial account.")
    accessible(page, "sign-in with a single sign-on provider")
    screenshot(page, "sso-sign-in")
    button.click()
    sign_in_at_provider(page, provider, "lina@example.lt")
    expect(page.get_by_role("heading", level=1, name="Translations")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("your account$"))).to_contain_text("(editor)")
    assert page.url.endswith("/admin/board"), page.url
    handed = [url for url in visited if "#sso=" in url]
    assert handed, visited
    assert "sso" not in page.url
    # Not in the history either: Back does not bring the code back.
    assert "sso=" not in page.evaluate("() => window.location.href")
    accessible(page, "board after single sign-on")
    screenshot(page, "sso-signed-in")

    # The code worked once: the same address again signs no one in.
    again = new_page()
    again.goto(handed[0].replace(api.base, ""))
    expect(again.get_by_role("alert")).to_contain_text("used already, so you are not signed in. Start again.")
    assert "sso" not in again.url, again.url
    expect(again.get_by_role("link", name="Sign in with EU Login")).to_be_visible()


def test_an_address_the_provider_has_not_confirmed_is_not_trusted(new_page, api, provider):
    api.user("vida@example.lt", "editor", countries=["LT"])
    page = new_page()
    start_with_eu_login(page)
    sign_in_at_provider(page, provider, "unverified:vida@example.lt")
    expect(page.get_by_role("heading", level=1, name="Sign in to buysocial")).to_be_visible()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("EU Login has not confirmed your email address, so buysocial cannot tell that it is yours.")
    expect(alert).to_be_focused()
    assert page.url.endswith("/admin/sign-in"), page.url
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    accessible(page, "single sign-on refused")
    screenshot(page, "sso-email-unverified")
    # Password sign-in is still there.
    page.get_by_label("Email").fill("vida@example.lt")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Translations")).to_be_visible()


def test_someone_without_an_account_is_told_to_ask_for_an_invitation(new_page, provider):
    page = new_page()
    start_with_eu_login(page)
    sign_in_at_provider(page, provider, "nobody@example.lt")
    expect(page.get_by_role("alert")).to_contain_text(
        "There is no buysocial account or invitation for the email address EU Login gave. Ask an administrator to invite you.")
    screenshot(page, "sso-no-account")


def test_a_replayed_answer_of_the_provider_is_refused(new_page, api, provider):
    api.user("egle@example.lt", "author", countries=["LT"])
    page = new_page()
    callbacks = []
    page.on("request", lambda request: callbacks.append(request.url) if "/sso/eulogin/callback" in request.url else None)
    start_with_eu_login(page)
    sign_in_at_provider(page, provider, "egle@example.lt")
    expect(page.get_by_role("heading", level=1, name="Translations")).to_be_visible()
    assert len(callbacks) == 1, callbacks
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(callbacks[0]).query)
    assert query.get("code") and query.get("state"), callbacks

    # The same answer again, in another tab of the same browser (same cookies).
    other = page.context.new_page()
    other.watched = Watched(other)
    other.goto(callbacks[0])
    expect(other.get_by_role("heading", level=1, name="Sign in to buysocial")).to_be_visible()
    expect(other.get_by_role("alert")).to_contain_text(
        "This sign-in did not start in this browser, or it was used already, so you are not signed in.")
    assert other.url.endswith("/admin/sign-in"), other.url
    accessible(other, "single sign-on replayed")
    screenshot(other, "sso-state-mismatch")
    # The first tab is still signed in.
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Translations")).to_be_visible()


def test_an_invited_author_signs_in_with_eu_login_instead_of_choosing_a_password(new_page, api, mail_dir, provider):
    status, body = api.call("POST", "/api/v1/admin/invitations", {
        "email": "ona@example.lt", "display_name": "Ona Petraitienė", "role": "author",
        "scope": {"countries": ["LT"], "locales": ["lt"]},
    })
    assert status == 201, body
    _, text = read_mail(mail_dir, "ona@example.lt")
    token = re.search(r"/admin/invitation#token=(bsi_[0-9a-f]+)", text).group(1)

    page = new_page()
    page.goto(f"/admin/invitation#token={token}")
    expect(page.get_by_role("heading", level=1, name="You are invited to buysocial")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Or sign in with EU Login")).to_be_visible()
    button = page.get_by_role("link", name="Sign in with EU Login")
    expect(button).to_have_accessible_description(re.compile(
        r"^Instead of choosing a password, sign in with EU Login\. This works when the email address of\s+"
        r"your account there is ona@example\.lt, the one this invitation was sent to"))
    accessible(page, "invitation with a single sign-on provider")
    screenshot(page, "sso-invitation")
    button.click()
    sign_in_at_provider(page, provider, "ona@example.lt")
    expect(page.get_by_role("heading", level=1, name="Translations")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("your account$"))).to_contain_text("(author)")
    assert "sso" not in page.url

    status, users = api.call("GET", "/api/v1/admin/users?role=author&per_page=100")
    ona = [u for u in users["items"] if u["email"] == "ona@example.lt"]
    assert ona and ona[0]["scope"] == {"countries": ["LT"], "locales": ["lt"]}, users
    status, invitations = api.call("GET", "/api/v1/admin/invitations")
    assert all(i["email"] != "ona@example.lt" for i in invitations["items"]), invitations


def test_an_account_with_two_factor_sign_in_enters_its_code_after_eu_login(new_page, api, provider):
    api.user("rasa@example.lt", "editor", countries=["LT"])
    token = api.login("rasa@example.lt", PASSWORD)
    status, enrolment = api.call("POST", "/api/v1/auth/totp/enrol", token=token)
    assert status == 200, enrolment
    app = Authenticator(enrolment["secret"])
    status, body = api.call("POST", "/api/v1/auth/totp/confirm", {"code": app.code()}, token=token)
    assert status == 200, body

    page = new_page()
    start_with_eu_login(page)
    sign_in_at_provider(page, provider, "rasa@example.lt")
    code = page.get_by_label("Code from your authenticator app")
    expect(code).to_be_focused()
    assert "sso" not in page.url, page.url
    code.fill(app.code())
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Translations")).to_be_visible()


def test_when_eu_login_cannot_be_reached_password_sign_in_still_works(new_page, server_with_provider_down):
    page = new_page(base_url=server_with_provider_down)
    start_with_eu_login(page)
    expect(page.get_by_role("heading", level=1, name="Sign in to buysocial")).to_be_visible()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(
        "EU Login could not be reached, so you are not signed in. Sign in with your password, or try again later.")
    assert page.url.endswith("/admin/sign-in"), page.url
    accessible(page, "single sign-on provider unavailable")
    screenshot(page, "sso-provider-unavailable")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Translations")).to_be_visible()
