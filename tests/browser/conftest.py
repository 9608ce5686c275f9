"""Browser journeys against a real server: fixtures.

A fresh `buysocial serve` per test module (SQLite and local files in a temporary
directory), Debian's Chromium driven by Playwright, pages checked for console errors
and, on request, with axe-core. Run by `.ci/browser`; see docs/development.md.
"""

import base64
import contextlib
import email
import email.policy
import hashlib
import hmac
import json
import os
import re
import struct
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("BUYSOCIAL_BINARY", ROOT / "target" / "debug" / "buysocial"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = os.environ.get("AXE_PATH")
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS", ROOT / "target" / "browser-screenshots"))
ADMIN_EMAIL = "admin@example.eu"
ADMIN_PASSWORD = "an admin password for browser tests"
PASSWORD = "a password for browser tests"


class Api:
    """The admin API over HTTP, for arranging what a journey starts from."""

    def __init__(self, base: str):
        self.base = base
        self.token = self.login(ADMIN_EMAIL, ADMIN_PASSWORD)

    def call(self, method, path, body=None, token=None, if_match=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("authorization", f"Bearer {token or self.token}")
        if data is not None:
            request.add_header("content-type", "application/json")
        if if_match:
            request.add_header("if-match", if_match)
        try:
            with urllib.request.urlopen(request) as response:
                text = response.read().decode()
                return response.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as error:
            text = error.read().decode()
            return error.code, (json.loads(text) if text else None)

    def login(self, email, password):
        request = urllib.request.Request(
            self.base + "/api/v1/auth/login",
            data=json.dumps({"email": email, "password": password}).encode(),
            method="POST",
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())["token"]

    def user(self, email, role, countries=(), locales=(), must_change_password=False):
        status, body = self.call("POST", "/api/v1/admin/users", {
            "email": email, "role": role, "password": PASSWORD,
            "must_change_password": must_change_password,
            "scope": {"countries": list(countries), "locales": list(locales)},
        })
        assert status == 201, body
        return email

    def get(self, path):
        request = urllib.request.Request(self.base + path)
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())


# Each running server's working directory, by its address.
WORKDIRS = {}


@contextlib.contextmanager
def running_server(config=None, bind="127.0.0.1:0"):
    """`buysocial serve` in a fresh directory, until the block ends; yields its address.
    `config`: the text of a TOML file layered over the defaults (BUYSOCIAL_CONFIG),
    holding only what the tests change."""
    with tempfile.TemporaryDirectory() as workdir:
        # The server's settings come from here alone; BUYSOCIAL_ADMIN_DIR (serve the app
        # from a checkout's web/admin, for work on the app without a rebuild) passes.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("BUYSOCIAL_") or k == "BUYSOCIAL_ADMIN_DIR"}
        env.update({
            "BUYSOCIAL__SERVER__BIND": bind,
            "BUYSOCIAL__LOG__LEVEL": "warn",
            "BUYSOCIAL__BOOTSTRAP__ADMIN_EMAIL": ADMIN_EMAIL,
            "BUYSOCIAL__BOOTSTRAP__ADMIN_PASSWORD": ADMIN_PASSWORD,
            "BUYSOCIAL__JOBS__POLL_INTERVAL_MS": "250",
            # Webhook receivers in the journeys listen on this machine.
            "BUYSOCIAL__WEBHOOKS__ALLOW_PRIVATE_ADDRESSES": "true",
            "BUYSOCIAL__WEBHOOKS__POLL_INTERVAL_MS": "200",
        })
        if config is not None:
            path = Path(workdir) / "buysocial.toml"
            path.write_text(config)
            env["BUYSOCIAL_CONFIG"] = str(path)
        log = open(Path(workdir) / "server.log", "w+")
        process = subprocess.Popen([str(BINARY), "serve"], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = None
            for _ in range(240):
                log.seek(0)
                found = re.search(r"listening on (http://\S+)", log.read())
                if found:
                    url = found.group(1)
                    break
                if process.poll() is not None:
                    break
                time.sleep(0.25)
            log.seek(0)
            assert url, f"the server did not start:\n{log.read()}"
            WORKDIRS[url] = Path(workdir)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()


@pytest.fixture(scope="module")
def server():
    with running_server() as url:
        yield url


@pytest.fixture(scope="module")
def api(server):
    return Api(server)


@pytest.fixture(scope="module")
def mail_dir(server):
    """Where the server writes each mail as an .eml file (no mail server is configured)."""
    return WORKDIRS[server] / "data" / "mail"


def read_mail(mail_dir: Path, to, subject=None, seen=(), timeout=15):
    """The text of the first mail to `to` (with `subject` in its subject) not in `seen`
    (file names), waiting for the server's mail loop; returns (file name, text)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []:
            if path.name in seen:
                continue
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if str(message["To"]) != to or (subject and subject not in message["Subject"]):
                continue
            return path.name, message.get_body(preferencelist=("plain",)).get_content()
        time.sleep(0.2)
    raise AssertionError(f"no mail to {to} within {timeout} s")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


class Watched:
    """A page whose console errors fail the test: scripts, CSP, anything unexpected.
    Refusals the journey provokes (409, 412, 403, ...) are answers, not errors."""

    def __init__(self, page: Page):
        self.page = page
        self.errors = []
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("console", self._console)

    def _console(self, message):
        if message.type != "error":
            return
        if re.search(r"Failed to load resource: the server responded with a status of 4\d\d", message.text):
            return
        self.errors.append(message.text)


@pytest.fixture
def new_page(browser, server):
    contexts = []

    def make(timezone="Europe/Brussels", width=1280, height=900, base_url=None) -> Page:
        """A page in a browser of its own (cookies, storage); `base_url`: another
        server than the module's."""
        context = browser.new_context(base_url=base_url or server, timezone_id=timezone, locale="en-GB",
                                      viewport={"width": width, "height": height})
        page = context.new_page()
        page.watched = Watched(page)
        contexts.append(context)
        return page

    yield make
    errors = [e for c in contexts for p in c.pages for e in p.watched.errors]
    for context in contexts:
        context.close()
    assert not errors, f"console errors: {errors}"


def sign_in(page: Page, email, password=PASSWORD):
    page.goto("/admin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def screenshot(page: Page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def accessible(page: Page, name):
    """axe-core (injected with evaluate: the CSP refuses script tags) finds no serious
    or critical WCAG 2.1 A/AA violation on the screen."""
    assert AXE, "AXE_PATH names axe.min.js"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(Path(AXE).read_text())
    result = page.evaluate(
        "() => axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })"
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{name}: {bad}"


class Authenticator:
    """An authenticator app: RFC 6238 codes (HMAC-SHA1, 6 digits, 30 s) from the key the
    page shows. The server accepts each step's code once, and one step of drift."""

    def __init__(self, key):
        secret = key.replace(" ", "").upper()
        self.key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        self.last = None

    def code_at(self, step):
        digest = hmac.new(self.key, struct.pack(">Q", step), hashlib.sha1).digest()
        offset = digest[-1] & 15
        return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000)

    def code(self):
        """A code the server has not accepted yet: this step's, or the next one's,
        waiting for the clock when both are used."""
        now = int(time.time() // 30)
        step = now if self.last is None or self.last < now else self.last + 1
        while step > int(time.time() // 30) + 1:
            time.sleep(0.5)
        self.last = step
        return self.code_at(step)
