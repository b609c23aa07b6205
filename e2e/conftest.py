"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live_server.

No browser is ever downloaded. Without /usr/bin/chromium the tests skip, except in CI (CI=true or
KP_REQUIRE_BROWSER=1), where a missing browser is a failure: the browser tests must run there.
"""

import os
import re
from pathlib import Path

import pytest

from keyprojects.test import PASSWORD, make_cast

CHROMIUM = os.environ.get("KP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(
    os.environ.get("KP_ARTIFACTS_DIR", Path(__file__).resolve().parent.parent / "test-artifacts")
)
TIMEOUT_MS = 15_000  # a first page of a cold live server can take seconds on a busy 2-core CI machine


def _browser_required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("KP_REQUIRE_BROWSER") == "1"


def _no_browser(reason: str):
    if _browser_required():
        pytest.fail(
            f"{reason} — browser tests must run in CI (CI=true / KP_REQUIRE_BROWSER=1).", pytrace=False
        )
    pytest.skip(f"{reason}; install Debian's chromium and fonts-wqy-microhei to run the browser tests.")


@pytest.fixture(scope="module")
def browser(django_db_setup, _orm_beside_playwright):
    # Started after the test database exists and closed with the module: while Playwright runs, its event
    # loop counts as running in this thread, which no other test of the session should inherit.
    if not os.access(CHROMIUM, os.X_OK):
        _no_browser(f"No Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("The playwright Python package is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API keeps an asyncio loop marked as running in the test thread, so Django would
    refuse the test's own ORM calls and pytest-django's flush after each test (SynchronousOnlyOperation).
    Nothing async touches the ORM here: the live server answers in its own thread. Allowed for the
    browser test modules only (module scope, so it outlasts each test's database teardown)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


class PageWatch:
    """What went wrong in the page besides the assertions: failed /static/ requests, script errors and
    anything the Content-Security-Policy refused (an inline script or handler, eval, a foreign host)."""

    def __init__(self, page):
        self.failed_static = []
        self.script_errors = []
        self.csp_violations = []
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        page.on("console", self._console)

    def _console(self, message):
        # Chromium reports each refusal on the console: "Refused to execute inline script because it
        # violates the following Content Security Policy directive: …".
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_violations.append(f"{message.text} ({message.location.get('url', '')})")

    def _request_failed(self, request):
        # ERR_ABORTED is the browser cancelling a fetch because the page moved on (a favicon, a font),
        # not a file that failed: a missing or broken one answers with its status in _response.
        if "/static/" in request.url and "ERR_ABORTED" not in (request.failure or ""):
            self.failed_static.append(f"{request.url} ({request.failure})")

    def _response(self, response):
        if "/static/" in response.url and response.status >= 400:
            self.failed_static.append(f"{response.url} (HTTP {response.status})")

    def assert_clean(self):
        assert not self.failed_static, f"static files failed to load: {self.failed_static}"
        assert not self.script_errors, f"JavaScript errors: {self.script_errors}"
        assert not self.csp_violations, f"Content-Security-Policy violations: {self.csp_violations}"


@pytest.fixture
def cast(transactional_db, django_db_serialized_rollback):
    """The shared cast, committed so the live server's thread sees it (overrides the root `cast`).
    Serialized rollback puts back what migrations seeded (task templates, warning rules, escalation
    levels), which an earlier transactional test's flush removed."""
    return make_cast()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1366, "height": 900},
        reduced_motion="reduce",  # no fades or chart animations half-way through in a screenshot
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.watch = PageWatch(page)
    yield page
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=ARTIFACTS / f"FAILED-{re.sub(r'[^A-Za-z0-9_.-]', '_', request.node.name)}.png",
            full_page=True,
        )
    context.close()
    if not failed:
        page.watch.assert_clean()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def artifacts():
    """test-artifacts/ (git-ignored): screenshots to look at after a run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def login(page):
    """login(user): sign in through the real login form (用户名, 密码, 登录), as a person would."""

    def login(user, password=PASSWORD):
        page.goto("/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return login
