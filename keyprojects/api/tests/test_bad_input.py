"""Bad input gets the right 4xx with a clear Chinese reason, and nothing is written."""

import json

import pytest
from django.test import Client

from keyprojects.api.services import api_token_create, api_token_revoke
from keyprojects.audit.models import AuditEntry
from keyprojects.plans.models import MonthlyReport
from keyprojects.projects.models import Project


def _bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def _patch(client, url, body, **headers):
    return client.patch(url, json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def owner_key(world):
    _token, key = api_token_create(organisation=world.owner_a, name="业主系统", by=world.staff)
    return key


def _report_body(world, **changes):
    return {"entry": world.entry_a.pk, "month": 10, "amount": "1200.5", "progress": "主体施工", **changes}


def _nothing_written(before_audit, before_reports):
    assert AuditEntry.objects.count() == before_audit
    assert MonthlyReport.objects.count() == before_reports


def test_it_refuses_a_district_token_posting_a_report_for_another_districts_project(client, world):
    before = AuditEntry.objects.count(), MonthlyReport.objects.count()
    response = _post(
        client, "/api/reports/", _report_body(world, entry=world.entry_b.pk), **_bearer(world.api_token_a_key)
    )
    assert response.status_code == 400
    assert "不在您的权限范围内" in response.json()["entry"][0]
    _nothing_written(*before)


def test_it_refuses_a_district_token_reporting_for_its_own_project_which_is_the_owners_job(client, world):
    before = AuditEntry.objects.count(), MonthlyReport.objects.count()
    response = _post(client, "/api/reports/", _report_body(world), **_bearer(world.api_token_a_key))
    assert response.status_code == 403
    assert "业主" in response.json()["detail"]
    _nothing_written(*before)


def test_it_stores_an_owner_tokens_report_to_the_yuan(client, world, owner_key):
    response = _post(client, "/api/reports/", _report_body(world, amount="1200.5678"), **_bearer(owner_key))
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "1200.5678"
    assert MonthlyReport.objects.get(pk=response.json()["id"]).amount == 12_005_678


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"colour": "red"}, "colour", "未知字段"),
        ({"id": 5}, "id", "只读"),
        ({"amount": 1200.5}, "amount", "字符串"),
        ({"amount": "1200.56789"}, "amount", "4 位小数"),
        ({"amount": "十万"}, "amount", "数字金额"),
        ({"amount": "1e30"}, "amount", "金额过大"),
        ({"month": "十月"}, "month", ""),
        ({"month": 13}, "month", ""),
        ({"month": 10.5}, "month", ""),
        ({"progress": 42}, "progress", ""),
        ({"entry": "abc"}, "entry", "编号"),
        ({"entry": 10**30}, "entry", "不存在"),
        ({"entry": True}, "entry", "编号"),
        ({"submit": "yes"}, "submit", ""),
    ],
)
def test_it_refuses_unknown_fields_and_wrong_types_naming_the_field(
    client, world, owner_key, changes, field, words
):
    before = AuditEntry.objects.count(), MonthlyReport.objects.count()
    response = _post(client, "/api/reports/", _report_body(world, **changes), **_bearer(owner_key))
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert words in errors[field][0]
    _nothing_written(*before)


def test_it_refuses_a_body_that_is_not_an_object_or_not_json(client, world, owner_key):
    assert _post(client, "/api/reports/", [1, 2], **_bearer(owner_key)).status_code == 400
    response = client.post("/api/reports/", "{nope", content_type="application/json", **_bearer(owner_key))
    assert response.status_code == 400
    response = client.post("/api/reports/", "<x/>", content_type="application/xml", **_bearer(owner_key))
    assert response.status_code == 415


def test_it_answers_a_service_refusal_with_its_chinese_reason(client, world, owner_key):
    # Year-to-date below zero is the report service's rule, not the serializer's.
    response = _post(client, "/api/reports/", _report_body(world, amount="-99999"), **_bearer(owner_key))
    assert response.status_code == 400
    assert "年度累计不能为负数" in response.json()["amount"][0]


def test_it_answers_409_to_a_second_report_for_the_same_month(client, world, owner_key):
    assert _post(client, "/api/reports/", _report_body(world), **_bearer(owner_key)).status_code == 201
    response = _post(client, "/api/reports/", _report_body(world), **_bearer(owner_key))
    assert response.status_code == 409
    assert "PATCH" in response.json()["detail"]


def test_it_answers_409_to_an_edit_on_an_outdated_version(client, world):
    client.force_login(world.staff)
    url = f"/api/projects/{world.project_a.pk}/"
    assert _patch(client, url, {"version": 1, "name": "第一次修改"}).status_code == 200
    before = AuditEntry.objects.count()
    response = _patch(client, url, {"version": 1, "name": "基于旧版本的修改"})
    assert response.status_code == 409
    assert "version" in response.json()["detail"]
    assert AuditEntry.objects.count() == before
    assert Project.objects.get(pk=world.project_a.pk).name == "第一次修改"


def test_it_requires_the_version_on_an_edit(client, world):
    client.force_login(world.staff)
    response = _patch(client, f"/api/projects/{world.project_a.pk}/", {"name": "没有版本号"})
    assert response.status_code == 400
    assert "version" in response.json()


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("page_size=501", 400, "page_size"),
        ("page_size=0", 400, "page_size"),
        ("page_size=abc", 400, "page_size"),
        ("page=0", 400, "page"),
        ("page=-1", 400, "page"),
        ("page=99999", 404, None),
        ("colour=red", 400, "colour"),
        ("stage=nope", 400, "stage"),
        ("district=abc", 400, "district"),
        ("ordering=password", 400, "ordering"),
        ("over_yi=maybe", 400, "over_yi"),
    ],
)
def test_it_refuses_oversized_pages_and_bad_query_parameters(client, world, query, status, field):
    client.force_login(world.staff)
    response = client.get(f"/api/projects/?{query}")
    assert response.status_code == status, response.content
    if field:
        assert field in response.json()


def test_it_pages_filters_and_orders_the_list(client, world):
    client.force_login(world.staff)
    body = client.get("/api/projects/?page_size=1&ordering=total_investment").json()
    assert body["count"] == 2
    assert len(body["results"]) == 1
    assert body["results"][0]["name"] == world.project_b.name  # the smaller one first
    assert body["next"]
    body = client.get(f"/api/projects/?district={world.district_a.pk}").json()
    assert [p["id"] for p in body["results"]] == [world.project_a.pk]
    assert body["results"][0]["total_investment"] == "150000.0000"  # plans_cast's figure


def test_it_lists_only_what_the_token_s_organisation_may_see(client, world):
    headers = _bearer(world.api_token_a_key)
    for url in ["/api/projects/", "/api/reports/", "/api/tasks/", "/api/warnings/"]:
        rows = client.get(url, **headers).json()["results"]
        assert rows, url
        ids = {r["project"] if "project" in r else r["id"] for r in rows}
        assert world.project_b.pk not in ids, url
    assert client.get(f"/api/projects/{world.project_b.pk}/", **headers).status_code == 404


def test_it_refuses_a_revoked_token_at_once(client, world):
    headers = _bearer(world.api_token_a_key)
    assert client.get("/api/projects/", **headers).status_code == 200
    api_token_revoke(token=world.api_token_a, by=world.staff)
    response = client.get("/api/projects/", **headers)
    assert response.status_code == 401
    assert "吊销" in response.json()["detail"]
    before = AuditEntry.objects.count()
    response = _post(client, "/api/problems/", {"project": world.project_a.pk}, **headers)
    assert response.status_code == 401
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("header", ["Bearer kp_wrong", "Bearer", "Token a b", "Bearer 令牌"])
def test_it_refuses_a_bad_token_with_401(client, world, header):
    response = client.get("/api/projects/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_asks_for_credentials_with_401(client, world):
    response = client.get("/api/projects/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_it_requires_the_csrf_token_for_session_writes(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.staff)
    assert client.get("/api/projects/").status_code == 200
    response = _patch(client, f"/api/projects/{world.project_a.pk}/", {"version": 1, "name": "跨站请求"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_it_throttles_a_client_that_asks_too_often(client, world, settings):
    settings.KP_API_THROTTLE_RATES = {**settings.KP_API_THROTTLE_RATES, "user": "3/minute"}
    headers = _bearer(world.api_token_a_key)
    codes = [client.get("/api/sectors/", **headers).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_it_throttles_writes_apart_from_reads(client, world, owner_key, settings):
    settings.KP_API_THROTTLE_RATES = {**settings.KP_API_THROTTLE_RATES, "write": "1/minute"}
    headers = _bearer(owner_key)
    assert _post(client, "/api/reports/", _report_body(world), **headers).status_code == 201
    assert _post(client, "/api/reports/", _report_body(world, month=11), **headers).status_code == 429
    assert client.get("/api/reports/", **headers).status_code == 200
