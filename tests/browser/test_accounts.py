"""Accounts without anyone else knowing a password: invitations, a forgotten password,
two-factor sign-in and the roles that must use it, in the web app, by labels and roles.
Mails are read from the .eml files the server writes when no mail server is set."""

import re

from playwright.sync_api import expect

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, Authenticator, accessible, read_mail, screenshot, sign_in


def open_administration(page, screen):
    page.get_by_role("button", name="Administration").click()
    page.get_by_role("link", name=screen, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=screen)).to_be_visible()


def link_token(text, page, prefix):
    found = re.search(rf"/admin/{page}#token=({prefix}_[0-9a-f]+)", text)
    assert found, text
    return found.group(1)


def read_key(page):
    key = page.locator("#two-factor-key").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", key), key
    return key


def set_up_two_factor(page, level):
    """From the "Set up two-factor sign-in" button to the saved recovery codes."""
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("heading", level=level, name="Add buysocial to your authenticator app")).to_be_focused()
    expect(page.get_by_role("img", name="QR code for adding buysocial to an authenticator app")).to_be_visible()
    app = Authenticator(read_key(page))
    page.get_by_label("Code from your app").fill(app.code())
    page.get_by_role("button", name="Turn on").click()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    return app, [c.strip() for c in codes.all_inner_texts()]


def test_an_admin_invites_a_lithuanian_editor_who_chooses_her_own_password(new_page, api, mail_dir):
    page = new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_administration(page, "Users")
    page.get_by_role("link", name="Invite someone").click()
    expect(page.get_by_role("heading", level=1, name="Invite someone")).to_be_visible()
    page.get_by_label("Email").fill("ruta@webuysocial.lt")
    page.get_by_label("Name", exact=True).fill("Rūta Kazlauskienė")
    page.get_by_role("radio", name="Editor").check()
    page.get_by_role("group", name="Countries they work on").get_by_label("Only these countries").check()
    page.get_by_role("group", name="Only these countries").get_by_label("Lithuania (LT)").check()
    page.get_by_role("group", name="Languages they write").get_by_label("Only these languages").check()
    page.get_by_role("group", name="Only these languages").get_by_label("Lithuanian (LT)").check()
    page.get_by_label("Language of the invitation").select_option("lt")
    accessible(page, "invite someone")
    screenshot(page, "accounts-invite")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("heading", level=1, name="Users")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Invitation sent")).to_contain_text(
        re.compile(r"^Invitation sent to ruta@webuysocial\.lt\. The link in it works until \w{3}, \d+ \w{3} 20\d\d"))
    row = page.get_by_role("table", name=re.compile("Invitations not accepted yet")).get_by_role("row").filter(
        has_text="ruta@webuysocial.lt")
    expect(row).to_contain_text("Rūta Kazlauskienė")
    expect(row).to_contain_text("Editor")
    expect(row).to_contain_text("LT")
    expect(row).to_contain_text("Invited")
    expect(row).to_contain_text("link works until")
    accessible(page, "users with an invitation")
    screenshot(page, "accounts-users-invited")

    # Inviting the same address again is refused next to the Email field.
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("Email").fill("ruta@webuysocial.lt")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("alert")).to_contain_text("Email: ruta@webuysocial.lt is invited already")
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="Back to the users").click()

    _, text = read_mail(mail_dir, "ruta@webuysocial.lt")
    token = link_token(text, "invitation", "bsi")

    # She opens the link: the token leaves the address bar at once.
    ruta = new_page()
    ruta.goto(f"/admin/invitation#token={token}")
    expect(ruta.get_by_role("heading", level=1, name="You are invited to buysocial")).to_be_visible()
    assert "token" not in ruta.url and ruta.url.endswith("/admin/invitation"), ruta.url
    main = ruta.locator("main")
    expect(main).to_contain_text("Administrator invited you to buysocial")
    expect(main).to_contain_text("ruta@webuysocial.lt")
    expect(main).to_contain_text("Lithuania (LT)")
    expect(main).to_contain_text("Lithuanian (LT)")
    expect(main).to_contain_text("Link works until")
    expect(ruta.get_by_label("Name", exact=True)).to_have_value("Rūta Kazlauskienė")
    ruta.get_by_label("Choose a password").fill("too short")
    ruta.get_by_role("button", name="Create my account").click()
    expect(ruta.get_by_role("alert")).to_contain_text("Choose a password: must be at least 12 characters long")
    expect(ruta.get_by_label("Choose a password")).to_have_attribute("aria-invalid", "true")
    expect(ruta.get_by_label("Name", exact=True)).to_have_value("Rūta Kazlauskienė")
    accessible(ruta, "invitation")
    screenshot(ruta, "accounts-invitation")
    ruta.get_by_label("Choose a password").fill("my own long password")
    ruta.get_by_role("button", name="Create my account").click()

    # Signed in, with only Lithuania and Lithuanian.
    expect(ruta.get_by_role("heading", level=1, name="Translations")).to_be_visible()
    expect(ruta.get_by_role("link", name="Rūta Kazlauskienė (editor) – your account")).to_be_visible()
    expect(ruta.get_by_role("button", name="Administration")).to_have_count(0)
    ruta.get_by_role("link", name="News").click()
    expect(ruta.get_by_label("Countries")).to_contain_text("LT and EU-wide")
    expect(ruta.get_by_label("Language")).to_have_text("Any languageLT")

    # The link worked once.
    again = new_page()
    again.goto(f"/admin/invitation#token={token}")
    expect(again.get_by_role("heading", level=1, name="This invitation can no longer be used")).to_be_visible()
    expect(again.locator("main")).to_contain_text("This invitation was accepted already")
    expect(again.get_by_role("link", name="sign in")).to_be_visible()

    page.reload()
    expect(page.get_by_role("table", name=re.compile("Invitations not accepted yet"))).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text="ruta@webuysocial.lt")).to_contain_text("active")


def test_an_admin_sends_an_invitation_again_and_withdraws_it(new_page, api, mail_dir):
    status, body = api.call("POST", "/api/v1/admin/invitations", {
        "email": "jonas@webuysocial.lt", "role": "author", "scope": {"countries": ["LT"], "locales": ["lt"]}})
    assert status == 201, body
    first, text = read_mail(mail_dir, "jonas@webuysocial.lt")
    old = link_token(text, "invitation", "bsi")

    page = new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_administration(page, "Users")
    page.get_by_role("button", name="Send the invitation to jonas@webuysocial.lt again").click()
    expect(page.get_by_role("status")).to_contain_text("A new invitation was sent to jonas@webuysocial.lt")
    _, text = read_mail(mail_dir, "jonas@webuysocial.lt", seen={first})
    new = link_token(text, "invitation", "bsi")
    assert new != old

    # The earlier link no longer works; the page says which one does.
    jonas = new_page()
    jonas.goto(f"/admin/invitation#token={old}")
    expect(jonas.get_by_role("heading", level=1, name="This invitation link is not valid")).to_be_visible()
    expect(jonas.locator("main")).to_contain_text("use the newest mail")
    accessible(jonas, "invitation link not valid")
    screenshot(jonas, "accounts-invitation-not-valid")

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Withdraw the invitation to jonas@webuysocial.lt").click()
    expect(page.get_by_role("status")).to_contain_text("The invitation to jonas@webuysocial.lt was withdrawn.")
    assert asked == ["Withdraw the invitation to jonas@webuysocial.lt? The link in their mail stops working: "
                     "they can no longer make an account with it."], asked
    expect(page.get_by_role("row").filter(has_text="jonas@webuysocial.lt")).to_have_count(0)

    jonas.goto(f"/admin/invitation#token={new}")
    expect(jonas.get_by_role("heading", level=1, name="This invitation can no longer be used")).to_be_visible()
    expect(jonas.locator("main")).to_contain_text("This invitation was withdrawn")
    screenshot(jonas, "accounts-invitation-withdrawn")


def test_someone_who_forgot_their_password_chooses_a_new_one_through_a_mailed_link(new_page, api, mail_dir):
    api.user("forgetful@webuysocial.be", "editor", countries=["BE"])
    page = new_page()
    page.goto("/admin")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1, name="Forgot your password?")).to_be_visible()
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("alert")).to_contain_text("Email: Enter the email address you sign in with")
    page.get_by_label("Email").fill("forgetful@webuysocial.be")
    page.get_by_role("button", name="Send me a link").click()
    sent = page.get_by_role("status")
    expect(sent).to_contain_text("If an account uses forgetful@webuysocial.be, a link to choose a new password")
    expect(sent).to_contain_text("30 minutes")
    expect(sent).to_contain_text("spam")
    accessible(page, "forgot password")
    screenshot(page, "accounts-forgot-password")

    _, text = read_mail(mail_dir, "forgetful@webuysocial.be")
    token = link_token(text, "reset-password", "bsk")
    page.goto(f"/admin/reset-password#token={token}")
    expect(page.get_by_role("heading", level=1, name="Choose a new password")).to_be_visible()
    assert "token" not in page.url, page.url
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("New password: must be at least 12 characters long")
    expect(page.get_by_label("New password")).to_have_accessible_description(
        "At least 12 characters. A few unrelated words work well. Error: must be at least 12 characters long")
    accessible(page, "reset password")
    screenshot(page, "accounts-reset-password")
    page.get_by_label("New password").fill("a new password I will remember")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed. Sign in with it.")
    expect(page.get_by_role("heading", level=1, name="Sign in to buysocial")).to_be_visible()
    screenshot(page, "accounts-password-changed")
    page.get_by_label("Email").fill("forgetful@webuysocial.be")
    page.get_by_label("Password").fill("a new password I will remember")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Translations")).to_be_visible()

    # The link worked once; the page offers a new one.
    other = new_page()
    other.goto(f"/admin/reset-password#token={token}")
    other.get_by_label("New password").fill("yet another new password")
    other.get_by_role("button", name="Change password").click()
    expect(other.get_by_role("alert")).to_contain_text("This link no longer works")
    expect(other.get_by_role("alert")).to_contain_text("This link was used already")
    other.get_by_role("link", name="Ask for a new link").click()
    expect(other.get_by_role("heading", level=1, name="Forgot your password?")).to_be_visible()


def test_an_editor_sets_up_two_factor_sign_in_and_signs_in_with_a_code_then_a_recovery_code(new_page, api, tmp_path):
    api.user("careful@webuysocial.be", "editor", countries=["BE"])
    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, "careful@webuysocial.be")
    page.get_by_role("link", name=re.compile("your account$")).click()
    expect(page.get_by_role("heading", level=1, name="Your account")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Two-factor sign-in is off.")
    accessible(page, "your account")
    screenshot(page, "accounts-your-account")

    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("img", name="QR code for adding buysocial to an authenticator app")).to_be_visible()
    app = Authenticator(read_key(page))
    page.get_by_label("Code from your app").fill("000000")
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("alert")).to_contain_text("Code from your app: is not the code your app shows now")
    expect(page.get_by_label("Code from your app")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Code from your app")).to_have_attribute("inputmode", "numeric")
    expect(page.get_by_label("Code from your app")).to_have_attribute("autocomplete", "one-time-code")
    accessible(page, "two-factor set-up")
    screenshot(page, "accounts-two-factor-set-up")
    page.get_by_label("Code from your app").fill(app.code())
    page.get_by_role("button", name="Turn on").click()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    recovery = [c.strip() for c in codes.all_inner_texts()]
    accessible(page, "recovery codes")
    screenshot(page, "accounts-recovery-codes")
    page.get_by_role("button", name="Copy the codes").click()
    expect(page.get_by_text("The codes are copied.")).to_be_visible()
    assert all(code in page.evaluate("() => navigator.clipboard.readText()") for code in recovery)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the codes").click()
    assert download.value.suggested_filename == "buysocial-recovery-codes.txt"
    saved = tmp_path / "codes.txt"
    download.value.save_as(saved)
    assert all(code in saved.read_text() for code in recovery)
    page.get_by_role("button", name="I have saved my codes").click()
    expect(page.locator("main")).to_contain_text("Two-factor sign-in is on.")
    expect(page.locator("main")).to_contain_text("You have 10 recovery codes left.")

    # Signing in now asks for a code after the password.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email").fill("careful@webuysocial.be")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    code = page.get_by_label("Code from your authenticator app")
    expect(code).to_be_focused()
    expect(code).to_have_attribute("inputmode", "numeric")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    code.fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("This code is not right. Enter the code your app shows now")
    expect(code).to_have_attribute("aria-invalid", "true")
    accessible(page, "sign-in code")
    screenshot(page, "accounts-sign-in-code")
    code.fill(app.code())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Your account")).to_be_visible()

    # Without the phone: a recovery code, once.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email").fill("careful@webuysocial.be")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Use a recovery code instead").click()
    expect(page.get_by_label("Recovery code")).to_be_focused()
    page.get_by_label("Recovery code").fill(recovery[0])
    accessible(page, "sign-in recovery code")
    screenshot(page, "accounts-sign-in-recovery-code")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Your account")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email").fill("careful@webuysocial.be")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Use a recovery code instead").click()
    page.get_by_label("Recovery code").fill(recovery[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("This recovery code is not right, or it was used already")
    page.get_by_label("Recovery code").fill(recovery[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Your account")).to_be_visible()

    # New recovery codes (with a code), then off again (with the password).
    page.get_by_role("link", name=re.compile("your account$")).click()
    expect(page.locator("main")).to_contain_text("You have 8 recovery codes left.")
    page.get_by_label("Code from your app").fill(app.code())
    page.get_by_role("button", name="Make new recovery codes").click()
    fresh = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(fresh).to_have_count(10)
    assert not set(c.strip() for c in fresh.all_inner_texts()) & set(recovery)
    page.get_by_role("button", name="I have saved my codes").click()
    expect(page.locator("main")).to_contain_text("You have 10 recovery codes left.")
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Turn off two-factor sign-in").click()
    expect(page.get_by_role("alert")).to_contain_text("Your password: is incorrect")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Turn off two-factor sign-in").click()
    expect(page.get_by_role("status")).to_contain_text("Two-factor sign-in is off.")
    expect(page.get_by_role("button", name="Set up two-factor sign-in")).to_be_visible()


def test_a_code_entered_too_late_leads_back_to_the_password(new_page, api):
    api.user("slow@webuysocial.be", "editor", countries=["BE"])
    token = api.login("slow@webuysocial.be", PASSWORD)
    status, enrolment = api.call("POST", "/api/v1/auth/totp/enrol", token=token)
    assert status == 200, enrolment
    app = Authenticator(enrolment["secret"])
    status, body = api.call("POST", "/api/v1/auth/totp/confirm", {"code": app.code()}, token=token)
    assert status == 200, body

    page = new_page()
    page.goto("/admin")
    page.get_by_label("Email").fill("slow@webuysocial.be")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Code from your authenticator app")).to_be_visible()
    # Six minutes on this computer: the step of signing in lasts five.
    page.clock.install()
    page.clock.fast_forward("06:00")
    page.get_by_label("Code from your authenticator app").fill(app.code())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status")).to_contain_text("The time to enter a code ran out")
    expect(page.get_by_label("Email")).to_have_value("slow@webuysocial.be")
    expect(page.get_by_label("Password")).to_be_focused()
    expect(page.get_by_role("heading", level=1, name="Sign in to buysocial")).to_be_visible()


def test_an_admin_requires_two_factor_sign_in_for_editors_and_resets_a_lost_phone(new_page, api):
    api.user("inga@webuysocial.lv", "editor", countries=["LV"], locales=["lv"])
    admin = new_page()
    sign_in(admin, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_administration(admin, "Users")
    required = admin.get_by_role("group", name="Two-factor sign-in is required for")
    # Ticking Administrators warns the admin, who has not set it up, before saving.
    required.get_by_label("Administrators").check()
    expect(admin.get_by_text("you will have to set it up before you can do anything else")).to_be_visible()
    required.get_by_label("Administrators").uncheck()
    expect(admin.get_by_text("you will have to set it up before you can do anything else")).to_have_count(0)
    required.get_by_label("Editors").check()
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.get_by_role("status")).to_contain_text("Saved.")
    status, policy = api.call("GET", "/api/v1/admin/account-policy")
    assert policy == {"two_factor_roles": ["editor"]}, policy
    expect(admin.get_by_role("row").filter(has_text="inga@webuysocial.lv")).to_contain_text(
        "must set it up before anything else")
    accessible(admin, "users with the two-factor rule")
    screenshot(admin, "accounts-two-factor-policy")

    # Her next sign-in leads straight to setting it up, and nothing else.
    inga = new_page()
    sign_in(inga, "inga@webuysocial.lv")
    expect(inga.get_by_role("heading", level=1, name="Set up two-factor sign-in")).to_be_visible()
    expect(inga.get_by_role("link", name="News")).to_have_count(0)
    expect(inga.locator("main")).to_contain_text("Your role (Editor) must sign in with two-factor sign-in.")
    accessible(inga, "two-factor required")
    screenshot(inga, "accounts-two-factor-required")
    set_up_two_factor(inga, 2)
    inga.get_by_role("button", name="I have saved my codes").click()
    expect(inga.get_by_role("heading", level=1, name="Translations")).to_be_visible()
    inga.get_by_role("link", name=re.compile("your account$")).click()
    expect(inga.locator("main")).to_contain_text("so you cannot turn it off")
    expect(inga.get_by_role("button", name="Turn off two-factor sign-in")).to_have_count(0)

    # She lost her phone: the admin resets it, which ends her sessions.
    admin.get_by_role("link", name="inga", exact=True).click()
    expect(admin.locator("main")).to_contain_text("Two-factor sign-in: on")
    expect(admin.locator("main")).to_contain_text("reset it: their sessions end, and they set it up again")
    asked = []
    admin.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    admin.get_by_role("button", name="Reset two-factor sign-in").click()
    expect(admin.get_by_role("status")).to_contain_text(
        "Two-factor sign-in for inga is reset, and their sessions have ended. They sign in again with their "
        "password only, then set it up again before anything else.")
    assert asked[0].startswith("Reset two-factor sign-in for inga (inga@webuysocial.lv)? Their sessions end at once"), asked
    assert "they will sign in again with their password only and must set it up again before they can do anything" \
        in asked[0], asked
    expect(admin.locator("main")).to_contain_text("Two-factor sign-in: off")
    accessible(admin, "user after a two-factor reset")
    screenshot(admin, "accounts-two-factor-reset")
    # Her next click finds her session ended; signed in again, she is led to set it up.
    inga.get_by_role("link", name="News").click()
    expect(inga.get_by_role("heading", level=1, name="Sign in to buysocial")).to_be_visible()
    expect(inga.get_by_role("status")).to_contain_text("Your session has ended.")
    inga.get_by_label("Email").fill("inga@webuysocial.lv")
    inga.get_by_label("Password").fill(PASSWORD)
    inga.get_by_role("button", name="Sign in").click()
    expect(inga.get_by_role("heading", level=1, name="Set up two-factor sign-in")).to_be_visible()
    expect(inga.get_by_role("link", name="News")).to_have_count(0)
    set_up_two_factor(inga, 2)
    inga.get_by_role("button", name="I have saved my codes").click()
    expect(inga.get_by_role("heading", level=1, name="News")).to_be_visible()

    open_administration(admin, "Audit log")
    admin.get_by_label("What").select_option(label="Reset the two-factor sign-in of")
    admin.get_by_role("button", name="Apply filters").click()
    expect(admin.get_by_role("row").filter(has_text="Reset the two-factor sign-in of")).to_contain_text("inga")
    admin.get_by_label("What").select_option(label="Required two-factor sign-in for")
    admin.get_by_role("button", name="Apply filters").click()
    expect(admin.get_by_role("row").filter(has_text="Required two-factor sign-in for")).to_contain_text("Editors")

    status, _ = api.call("PUT", "/api/v1/admin/account-policy", {"two_factor_roles": []})
    assert status == 200


def test_an_admin_cannot_reset_their_own_two_factor_sign_in(new_page, api):
    api.user("boss@webuysocial.eu", "admin")
    token = api.login("boss@webuysocial.eu", PASSWORD)
    status, enrolment = api.call("POST", "/api/v1/auth/totp/enrol", token=token)
    assert status == 200, enrolment
    app = Authenticator(enrolment["secret"])
    status, body = api.call("POST", "/api/v1/auth/totp/confirm", {"code": app.code()}, token=token)
    assert status == 200, body
    status, me = api.call("GET", "/api/v1/auth/me", token=token)
    # The server refuses it: the screen does not offer it.
    status, body = api.call("DELETE", f"/api/v1/admin/users/{me['user']['id']}/totp", token=token)
    assert status == 403, body

    page = new_page()
    page.goto("/admin")
    page.get_by_label("Email").fill("boss@webuysocial.eu")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code from your authenticator app").fill(app.code())
    page.get_by_role("button", name="Sign in").click()
    open_administration(page, "Users")
    page.get_by_role("link", name="boss", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="boss")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("this is you")
    expect(main).to_contain_text("On: you sign in with your password and a code from your authenticator app.")
    expect(main).to_contain_text("You cannot reset your own two-factor sign-in here: another administrator can")
    expect(page.get_by_role("button", name="Reset two-factor sign-in")).to_have_count(0)
    accessible(page, "own user screen")
    screenshot(page, "accounts-own-user-two-factor")
    page.get_by_role("link", name="Set up, turn off or make new recovery codes in Your account").click()
    expect(page.get_by_role("heading", level=1, name="Your account")).to_be_visible()
    expect(main).to_contain_text("Two-factor sign-in is on.")


def test_turning_on_two_factor_sign_in_long_after_signing_in_asks_to_sign_in_again(new_page, api):
    api.user("late@webuysocial.be", "editor", countries=["BE"])
    page = new_page()
    sign_in(page, "late@webuysocial.be")
    page.get_by_role("link", name=re.compile("your account$")).click()
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    app = Authenticator(read_key(page))
    # The server's answer after 15 minutes (its clock cannot be moved from here).
    stale = {"type": "about:blank", "title": "Forbidden", "status": 403,
             "detail": "sign in again to turn on two-factor sign-in: it needs a sign-in of the last 15 minutes"}
    page.route("**/api/v1/auth/totp/confirm", lambda route: route.fulfill(
        status=403, content_type="application/problem+json", json=stale))
    page.get_by_label("Code from your app").fill(app.code())
    page.get_by_role("button", name="Turn on").click()
    alert = page.get_by_role("alert")
    expect(alert).to_be_focused()
    expect(alert.get_by_role("heading", name="Sign in again to turn on two-factor sign-in")).to_be_visible()
    expect(alert).to_contain_text("can only be turned on within 15 minutes of signing in")
    expect(alert).to_contain_text("remove that buysocial entry from the app")
    # The key shown is of no use any more: neither it nor the code field stays.
    expect(page.locator("#two-factor-key")).to_have_count(0)
    expect(page.get_by_role("button", name="Turn on")).to_have_count(0)
    accessible(page, "two-factor set-up after a sign-in too long ago")
    screenshot(page, "accounts-two-factor-sign-in-again")
    page.unroute("**/api/v1/auth/totp/confirm")

    page.get_by_role("button", name="Sign out and sign in again").click()
    expect(page.get_by_role("heading", level=1, name="Sign in to buysocial")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Sign in again, then set up two-factor sign-in straight away")
    page.get_by_label("Email").fill("late@webuysocial.be")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Back where she was, with a fresh sign-in: turning it on works.
    expect(page.get_by_role("heading", level=1, name="Your account")).to_be_visible()
    set_up_two_factor(page, 3)
    page.get_by_role("button", name="I have saved my codes").click()
    expect(page.locator("main")).to_contain_text("Two-factor sign-in is on.")
