"""API tokens on the office's page, and the OpenAPI schema with its locally served browsers."""

import re

from django.urls import reverse

from keyprojects.api.models import ApiToken
from keyprojects.api.services import key_hash


def test_it_shows_a_new_token_once_and_keeps_only_its_hash(client, world):
    client.force_login(world.staff)
    response = client.post(reverse("api-token-list"), {"organisation": world.owner_a.pk, "name": "业主 ERP"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    key = re.search(r'id="new-token-key" value="(kp_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get(name="业主 ERP")
    assert token.key_hash == key_hash(key)
    assert key not in str(list(ApiToken.objects.values()))
    # Shown once: the list page afterwards has its prefix only.
    page = client.get(reverse("api-token-list")).content.decode()
    assert key not in page
    assert token.prefix in page
    # The token acts as owner A's service account: owner A's projects only, and it cannot log in.
    api = client.__class__()
    rows = api.get("/api/projects/", HTTP_AUTHORIZATION=f"Bearer {key}").json()["results"]
    assert [r["id"] for r in rows] == [world.project_a.pk]
    assert not token.user.has_usable_password()
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_it_revokes_a_token_from_the_page(client, world):
    client.force_login(world.admin)
    response = client.post(reverse("api-token-revoke", args=[world.api_token_a.pk]))
    assert response.status_code == 302
    world.api_token_a.refresh_from_db()
    assert world.api_token_a.revoked_at is not None
    assert world.api_token_a.revoked_by == world.admin
    api = client.__class__()
    assert api.get("/api/projects/", HTTP_AUTHORIZATION=f"Bearer {world.api_token_a_key}").status_code == 401
    assert "已吊销" in client.get(reverse("api-token-list")).content.decode()


def test_it_refuses_the_token_page_to_anyone_but_the_office(client, world):
    client.force_login(world.district)
    assert client.get(reverse("api-token-list")).status_code == 403
    response = client.post(reverse("api-token-list"), {"organisation": world.district_a.pk, "name": "自签"})
    assert response.status_code == 403
    assert not ApiToken.objects.filter(name="自签").exists()


def test_it_asks_for_a_name_when_creating_a_token(client, world):
    client.force_login(world.staff)
    response = client.post(reverse("api-token-list"), {"organisation": world.owner_a.pk, "name": ""})
    assert response.status_code == 400
    assert "new-token-key" not in response.content.decode()


def test_it_serves_an_openapi_3_schema_documented_in_the_request_language(client, world):
    client.force_login(world.staff)
    response = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "重点项目管理系统接口"
    assert schema["paths"]["/api/projects/"]["get"]["summary"] == "项目列表"
    assert "apiToken" in schema["components"]["securitySchemes"]
    # Money is a decimal string, never a number.
    project = schema["components"]["schemas"]["Project"]["properties"]
    assert project["total_investment"]["type"] == "string"
    english = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200
    assert english["Content-Language"] == "en"


def test_it_serves_the_api_browser_from_local_static_files_only(client, world):
    client.force_login(world.staff)
    # The old Redoc address leads to Swagger UI: Redoc's bundle fetches its logo from the internet.
    assert client.get(reverse("api-redoc"))["Location"] == reverse("api-docs")
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references
    assert all(ref.startswith("/static/") for ref in references), references
    assert "//" not in "".join(r.replace("/static/", "") for r in references)
    assert "fonts.googleapis" not in html and "cdn" not in html.lower()
    assert reverse("api-schema") in html


def test_it_sends_people_who_are_not_signed_in_from_the_docs_to_the_login_page(client, world):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
