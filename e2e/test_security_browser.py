"""Login security in a real browser: eleven wrong passwords lock the account (the lockout page says how
to get back in); the office admin, with the second factor required, enrols a TOTP device from the QR
code, unlocks the account on 登录锁定 and reads the 安全日志."""

import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from keyprojects.security.models import SecurityEvent

pytestmark = pytest.mark.e2e


def _code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_lockout_second_factor_and_security_log(page, cast, artifacts, settings):
    settings.KP_REQUIRE_ADMIN_2FA = True
    settings.KP_TRUSTED_PROXIES = 1  # as behind nginx: the address comes from X-Forwarded-For
    page.set_extra_http_headers({"X-Forwarded-For": "10.20.30.40"})
    reverse("security_log")  # load the URL conf now, not during the live server's first request
    for _n in range(11):
        page.goto("/login/")
        page.get_by_label("用户名").fill("owner")
        page.get_by_label("密码").fill("wrong-password-1")
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("登录已被暂时锁定")
    page.screenshot(path=artifacts / "login-lockout.png", full_page=True)
    page.set_extra_http_headers({"X-Forwarded-For": "10.20.30.41"})  # the admin's own machine

    page.goto("/login/")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill("cast-password-2026")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("绑定动态口令")
    expect(page.locator("#otp-qr svg")).to_be_visible()
    page.screenshot(path=artifacts / "otp-enrol.png", full_page=True)
    device = TOTPDevice.objects.get(user=cast.admin, confirmed=False)
    page.get_by_label("动态口令").fill(_code(device))
    page.get_by_role("button", name="验证并绑定").click()
    expect(page.get_by_role("alert").first).to_contain_text("已绑定动态口令")

    page.goto(reverse("organisation_list"))
    page.locator("#lockouts-link").click()
    expect(page.locator("#locked-accounts")).to_contain_text("owner")
    page.screenshot(path=artifacts / "lockout-list.png", full_page=True)
    page.locator("#locked-accounts").get_by_role("button", name="解除锁定").click()
    expect(page.get_by_role("alert").first).to_contain_text("已解除“owner”的登录锁定")

    page.goto(reverse("security_log"))
    expect(page.locator("#security-events")).to_contain_text("登录锁定")
    page.screenshot(path=artifacts / "security-log.png", full_page=True)
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.UNLOCK, user=cast.admin).exists()
