"""An administrator connects a frontend's revalidation endpoint: the secret once, a test
ping, a real publish arriving signed, the deliveries with their attempts, pause."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

from playwright.sync_api import expect

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, accessible, screenshot, sign_in


class Receiver:
    """A frontend's endpoint on this machine that records what it is sent."""

    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/revalidate"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, event_type, timeout=5.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for headers, body in self.received:
                if json.loads(body)["type"] == event_type:
                    return headers, body
            time.sleep(0.05)
        raise AssertionError(f"no {event_type} within {timeout} s: {self.received}")


def signed(secret, headers, body):
    mac = hmac.new(secret.encode(), headers["buysocial-webhook-timestamp"].encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest("v1=" + mac.hexdigest(), headers["buysocial-webhook-signature"])


def test_an_admin_connects_a_frontend_and_sees_each_delivery(new_page, api):
    receiver = Receiver()
    page = new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.get_by_role("button", name="Administration").click()
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_text("No webhooks yet.")).to_be_visible()
    page.get_by_role("link", name="New webhook").click()
    page.get_by_label("Name", exact=True).fill("Belgian frontend: revalidate")
    page.get_by_label("Address").fill(receiver.url)
    page.get_by_label("Only these events").check()
    page.get_by_label("A translation is published").check()
    accessible(page, "new webhook")
    page.get_by_role("button", name="Create webhook").click()
    expect(page.get_by_text("This is the only time it is shown.")).to_be_visible()
    secret = page.get_by_label("Signing secret of “Belgian frontend: revalidate”").input_value()
    assert secret.startswith("whsec_")
    page.get_by_role("link", name="Go to the webhook").click()

    page.get_by_role("button", name="Send a test ping").click()
    expect(page.get_by_role("status")).to_contain_text("Test ping delivered: the receiver answered 200.")
    headers, body = receiver.wait_for("ping")
    assert signed(secret, headers, body)

    status, item = api.call("POST", "/api/v1/admin/news", {"translation": {"locale": "en", "title": "Buy social"}})
    assert status == 201, item
    status, _ = api.call("POST", f"/api/v1/admin/news/{item['id']}/translations/en/publish")
    assert status == 200
    headers, body = receiver.wait_for("translation.published")
    assert signed(secret, headers, body)
    assert json.loads(body)["data"]["item_id"] == item["id"]

    page.get_by_role("button", name="Refresh").click()
    row = page.get_by_role("row").filter(has_text="translation.published")
    expect(row).to_contain_text("delivered")
    row.get_by_text("1 attempt").click()
    expect(row).to_contain_text("answered 200")
    accessible(page, "webhook")
    screenshot(page, "admin-webhook")

    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Resume")).to_be_visible()
    status, hooks = api.call("GET", "/api/v1/admin/webhooks")
    assert hooks["items"][0]["paused"] is True
