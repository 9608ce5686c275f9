"""The media library in a real Chromium: a 50 MB presentation uploaded with a progress
bar that moves (the browser's network throttled, so the upload takes seconds), attached
to a material's translation, published, and downloaded byte-identical by readers."""

import re
import hashlib
import os
import urllib.request
import zipfile

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError, expect

from conftest import accessible, screenshot, sign_in

MB = 1024 * 1024


def presentation(path, megabytes):
    """A PPTX (an Office Open XML zip: content types, then ppt/ parts) of about
    `megabytes`, its bulk random so that nothing compresses it on the way."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as pptx:
        pptx.writestr("[Content_Types].xml",
                      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                      '<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>')
        pptx.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>')
        pptx.writestr("ppt/presentation.xml", '<?xml version="1.0" encoding="UTF-8"?><p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>')
        pptx.writestr("ppt/media/recording.bin", os.urandom(megabytes * MB))
    return path


def test_a_50_mb_presentation_uploads_with_progress_and_reaches_readers_intact(new_page, api, tmp_path):
    api.user("slides@example.be", "editor", countries=["BE"], locales=["fr"])
    status, material = api.call("POST", "/api/v1/admin/materials", {
        "countries": ["BE"], "fields": {"material_kind": "presentation"},
        "translation": {"locale": "fr", "title": "Présentation de Bruxelles", "slug": "presentation-bruxelles"}})
    assert status == 201, material
    file = presentation(tmp_path / "formation-bruxelles.pptx", 50)
    expected = hashlib.sha256(file.read_bytes()).hexdigest()

    page = new_page()
    sign_in(page, "slides@example.be")
    page.goto(f"/admin/materials/{material['id']}")
    expect(page.get_by_role("heading", name="FR translation: draft")).to_be_visible()

    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 12 * MB})
    page.get_by_label("Or upload the file for this translation").set_input_files(str(file))
    progress = page.get_by_role("progressbar", name="Upload of formation-bruxelles.pptx")
    expect(progress).to_be_visible()
    seen = set()
    for _ in range(40):
        if progress.count() == 0:
            break
        try:
            # The bar goes when the upload ends, perhaps between count() and this read.
            value = progress.get_attribute("value", timeout=1000)
        except PlaywrightTimeoutError:
            break
        if value is not None:
            seen.add(int(float(value)))
        page.wait_for_timeout(150)
    moving = sorted(v for v in seen if 0 < v < 50 * MB)
    assert len(moving) >= 3, f"the progress bar should move: {sorted(seen)}"
    expect(page.get_by_role("status").filter(has_text="Uploaded")).to_be_visible(timeout=60000)
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})

    chosen = page.get_by_label("File from the media library").locator("option:checked")
    expect(chosen).to_contain_text("formation-bruxelles.pptx")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text=re.compile(r"^Saved \d"))).to_be_visible()
    page.get_by_role("button", name="Publish FR").click()
    expect(page.get_by_role("heading", name="FR translation: published")).to_be_visible()

    item = api.get("/api/v1/materials/presentation-bruxelles?locale=fr")
    assert item["file"]["content_type"] == "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    url = item["file"]["url"]
    if url.startswith("/"):
        url = api.base + url
    digest = hashlib.sha256()
    with urllib.request.urlopen(url) as response:
        while chunk := response.read(1 << 20):
            digest.update(chunk)
    assert digest.hexdigest() == expected, "the download is the upload, byte for byte"

    page.get_by_role("link", name="Media").click()
    expect(page.get_by_role("link", name="formation-bruxelles.pptx")).to_be_visible()
    accessible(page, "media")
    screenshot(page, "media")


def test_a_file_in_use_is_not_deleted_and_the_reason_is_shown(new_page, api, tmp_path):
    api.user("keeper-of-files@example.be", "editor", countries=["BE"], locales=["fr"])
    page = new_page()
    sign_in(page, "keeper-of-files@example.be")
    page.get_by_role("link", name="Media").click()
    file = presentation(tmp_path / "programme.pptx", 1)
    page.get_by_label("Drop files here or choose files").set_input_files(str(file))
    expect(page.get_by_role("status").filter(has_text="Uploaded")).to_be_visible()
    page.get_by_role("link", name="programme.pptx").click()
    expect(page.get_by_role("heading", name="programme.pptx")).to_be_visible()
    asset_id = page.url.rstrip("/").split("/")[-1]
    status, _ = api.call("POST", "/api/v1/admin/materials", {
        "countries": ["BE"], "fields": {"material_kind": "handout"},
        "translation": {"locale": "fr", "title": "Programme", "file_asset_id": asset_id}})
    assert status == 201
    page.reload()
    expect(page.get_by_text("Nothing uses this file.")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete this file").click()
    expect(page.get_by_role("alert")).to_contain_text("cannot be deleted while content uses it")
    expect(page.get_by_role("link", name="Programme")).to_be_visible()
    accessible(page, "media item")
    screenshot(page, "media-item")

    page.get_by_role("link", name="Back to the media").click()
    not_allowed = tmp_path / "setup.exe"
    not_allowed.write_bytes(b"MZ" + os.urandom(4096))
    page.get_by_label("Drop files here or choose files").set_input_files(str(not_allowed))
    expect(page.get_by_role("alert").filter(has_text="not accepted")).to_be_visible()


def png(path, width=64, height=40):
    """A PNG written with zlib, as image libraries write one: signature, IHDR, IDAT, IEND."""
    import struct
    import zlib

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes([0, 68, 148]) * width for _ in range(height))
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    path.write_bytes(data)
    return path


def test_a_cover_is_uploaded_from_the_form_and_leaving_asks_first(new_page, api, tmp_path):
    api.user("cover@example.be", "editor", countries=["BE"], locales=["fr"])
    page = new_page()
    sign_in(page, "cover@example.be")
    page.get_by_role("link", name="News").click()
    page.get_by_role("link", name="New news item").click()
    page.get_by_label("Title", exact=True).fill("Une actualité avec image")
    # Following a link asks first; declining keeps the form and what is typed.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("link", name="Media").click()
    expect(page.get_by_label("Title", exact=True)).to_have_value("Une actualité avec image")
    assert "Leave and lose what you typed?" in asked[0], asked
    # So does the browser's Back button.
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.go_back()
    expect(page.get_by_label("Title", exact=True)).to_have_value("Une actualité avec image")
    assert len(asked) == 2, asked
    # The cover is uploaded from the field itself.
    page.get_by_label("Or upload a cover image").set_input_files(str(png(tmp_path / "couverture.png")))
    expect(page.get_by_label("Cover image", exact=True)).not_to_have_value("")
    accessible(page, "new item with a cover")
    page.get_by_role("button", name="Create news item").click()
    expect(page.get_by_role("heading", name="FR translation: draft")).to_be_visible()
    item_id = page.url.split("/admin/news/")[1].split("?")[0]
    status, item = api.call("GET", f"/api/v1/admin/news/{item_id}")
    assert item["fields"]["cover_asset_id"], item["fields"]
