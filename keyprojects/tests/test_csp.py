"""The Content-Security-Policy: every response carries it, scripts run only from this server's files or
with the request's nonce, and no template brings back an inline script, an onclick="…" or an eval."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted([*(ROOT / "templates").rglob("*.html"), *ROOT.glob("keyprojects/*/templates/**/*.html")])

SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
EVAL_NEEDED = re.compile(r"""javascript:|hx-on|hx-vars|hx-vals=["']\s*js:""", re.IGNORECASE)


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def test_it_finds_the_templates():
    assert len(TEMPLATES) > 100


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_it_keeps_scripts_out_of_the_templates(path):
    html = path.read_text()
    for attrs in SCRIPT.findall(html):
        assert "src=" in attrs or "nonce=" in attrs or "application/json" in attrs, f"inline <script{attrs}>"
    assert not HANDLER.search(html), HANDLER.search(html).group(0)
    assert not EVAL_NEEDED.search(html), EVAL_NEEDED.search(html).group(0)


@pytest.mark.django_db
def test_it_sends_the_policy_without_inline_scripts(client, cast):
    client.force_login(cast.staff)

    directives = _directives(client.get(reverse("home")))

    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert not any("http" in source for sources in directives.values() for source in sources)
    assert _directives(client.get(reverse("login")))["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_it_gives_the_api_documentation_script_the_requests_nonce(client, cast):
    client.force_login(cast.staff)

    page = client.get(reverse("api-docs"))

    nonce = re.search(r'<script nonce="([^"]+)">', page.content.decode()).group(1)
    assert _directives(page)["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert "fonts.googleapis.com" not in page.content.decode()
