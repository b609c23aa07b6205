"""Unknown names in an import are a question, not a rejection: a list in the published shape whose
责任单位 use official short names, imported into an installation that has the long ones — matched by key
where the short form is official, else mapped (kept as an alias) or created, through the command line
and through the preview; nothing written while a name is unanswered."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from keyprojects.orgs.models import Organisation, OrganisationAlias, User
from keyprojects.plans.imports.plan import preview
from keyprojects.plans.models import AnnualEntry, ImportJob
from keyprojects.plans.tests.import_support import YEAR, counts, import_world
from keyprojects.plans.tests.test_import_published import project, published_list
from keyprojects.projects.models import Sector

Kind = Organisation.Kind


@pytest.fixture
def world(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = import_world(cast)
    world.housing = Organisation.objects.create(kind=Kind.DEPARTMENT, name="市住房和城乡建设局")
    world.health = Organisation.objects.create(kind=Kind.DEPARTMENT, name="市卫生健康委员会")
    return world


def short_names_list(path):
    """Five projects; 市发展改革委, 市住房城乡建设局, 市卫生健康委 are official short forms, 市住建局 an
    abbreviation, 市数据局 a body the system lacks, 科技创新 a sector it lacks."""
    return published_list(
        path,
        [
            ("一、续建项目（5项）", []),
            (
                "（一）产业项目（3项）",
                [
                    project("南宁市数字经济产业园", departments="市发展改革委"),
                    project("南宁市保障性住房一期", departments="市住房城乡建设局、市卫生健康委"),
                    project("南宁市城市更新二期", departments="市住建局"),
                ],
            ),
            (
                "（二）科技创新项目（2项）",
                [
                    project("南宁市算力中心", departments="市数据局"),
                    project("南宁市人民医院新院区", departments="市卫生健康委、市住建局"),
                ],
            ),
        ],
    )


def call(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_annual_list", *map(str, args), "--year", YEAR, stdout=out, stderr=err)
    except CommandError as exc:
        return exc, out.getvalue(), err.getvalue()
    return None, out.getvalue(), err.getvalue()


def test_it_matches_official_short_names_and_asks_about_the_rest(world, tmp_path):
    path = tmp_path / "list.xlsx"
    rows = short_names_list(path)
    plan = preview(path, name=path.name, year=YEAR)
    assert not plan.rejections and not plan.ok
    unknown = {(u.kind, u.name): u for u in plan.unknown_names()}
    assert set(unknown) == {
        ("department", "市住建局"),
        ("department", "市数据局"),
        ("owner", "南宁市城市建设投资集团有限公司"),  # a new owner: created unless mapped
        ("sector", "科技创新"),
    }
    assert [u.default for u in unknown.values()] == ["", "", "create", ""]
    housing = unknown["department", "市住建局"]
    assert housing.rows == [rows["南宁市城市更新二期"], rows["南宁市人民医院新院区"]]
    assert housing.suggestions[0]["name"] == "市住房和城乡建设局" and not housing.tie
    # Rows whose only problem is an unknown name wait; the others are planned.
    assert plan.counts()["waiting_rows"] == 3 and plan.counts()["create"] == 2


def test_the_command_line_lists_unknown_names_and_writes_nothing(world, tmp_path):
    path = tmp_path / "list.xlsx"
    short_names_list(path)
    before = counts()
    error, _out, err = call(path)
    assert error is not None and "3 个系统中没有的名称" in str(error)
    assert "系统中没有的责任单位（市直部门）“市住建局”" in err and "市住房和城乡建设局" in err
    assert "系统中没有的行业领域“科技创新”" in err
    assert counts() == before

    # Half the answers are no answer: still nothing written.
    error, _out, err = call(path, "--map", "市住建局=市住房和城乡建设局")
    assert error is not None and "市数据局" in err and counts() == before
    # A right side that is not an existing organisation of that kind is refused, naming it.
    error, _out, _err = call(path, "--map", "市住建局=市住房局", "--create-missing")
    assert "系统中没有名为“市住房局”的责任单位（市直部门）" in str(error)
    assert counts() == before and not OrganisationAlias.objects.exists()


def test_the_command_line_maps_and_creates_and_the_next_import_matches_by_itself(world, tmp_path):
    path = tmp_path / "list.xlsx"
    short_names_list(path)
    error, out, err = call(path, "--map", "市住建局=市住房和城乡建设局", "--create-missing")
    assert error is None, err
    assert "新增 5 个" in out
    assert list(world.housing.aliases.values_list("name", flat=True)) == ["市住建局"]
    data = Organisation.objects.get(name="市数据局")
    assert data.kind == Kind.DEPARTMENT
    assert Sector.objects.filter(name="科技创新").exists()
    entries = {e.project.name: e for e in AnnualEntry.objects.select_related("project")}
    assert {d.name for d in entries["南宁市人民医院新院区"].departments.all()} == {
        "市卫生健康委员会",
        "市住房和城乡建设局",
    }
    assert [d.name for d in entries["南宁市算力中心"].departments.all()] == ["市数据局"]
    assert entries["南宁市算力中心"].project.sector.name == "科技创新"
    assert entries["南宁市数字经济产业园"].departments.get() == world.department

    again = preview(path, name=path.name, year=YEAR)
    assert again.ok and not again.unknown and again.counts()["unchanged"] == 5


def test_create_missing_alone_creates_every_unknown_name(world, tmp_path):
    path = tmp_path / "list.xlsx"
    short_names_list(path)
    error, _out, err = call(path, "--create-missing")
    assert error is None, err
    assert Organisation.objects.filter(kind=Kind.DEPARTMENT, name__in=["市住建局", "市数据局"]).count() == 2
    assert not OrganisationAlias.objects.exists()


def test_the_preview_asks_once_for_the_whole_file_and_applies_the_answers(world, client, tmp_path):
    path = tmp_path / "list.xlsx"
    short_names_list(path)
    client.force_login(world.staff)
    with path.open("rb") as fh:
        response = client.post(
            reverse("import_upload"), {"file": fh, "year": YEAR, "batch": "new"}, follow=True
        )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PREVIEW
    page = response.content.decode()
    assert 'id="unknown-names"' in page and "市住建局" in page and "科技创新" in page
    before = counts()

    # Confirming without an answer for a name that has suggestions writes nothing.
    response = client.post(reverse("import_apply", args=[job.pk]), follow=True)
    assert "请为系统中没有的名称选择" in response.content.decode()
    assert counts() == before

    answers = {}
    for n, u in enumerate(job.summary["unknown"]):
        if u["name"] == "市住建局":
            answers[f"choice-{n}"] = str(world.housing.pk)
        elif u["kind"] == "sector":
            answers[f"choice-{n}"] = str(Sector.objects.get(name="产业").pk)
        else:
            answers[f"choice-{n}"] = "create"
    response = client.post(reverse("import_apply", args=[job.pk]), answers, follow=True)
    assert "导入完成：新增 5 个" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert world.housing.aliases.get().name == "市住建局"
    assert "科技创新" in Sector.objects.get(name="产业").synonyms
    assert Organisation.objects.filter(name="市数据局", kind=Kind.DEPARTMENT).exists()
    assert AnnualEntry.objects.filter(annual_list__year=YEAR).count() == 5


def test_the_preview_asks_about_leaders_and_keeps_new_ones_as_people(world, client, tmp_path):
    path = tmp_path / "list.xlsx"
    published_list(
        path,
        [
            ("一、续建项目（2项）", []),
            (
                "（一）产业项目（2项）",
                [
                    project("南宁市数字经济产业园", leader="李明（副市长）"),
                    project("南宁市城市更新二期", leader="韦建萍"),  # a slip for 韦建平
                ],
            ),
        ],
    )
    client.force_login(world.staff)
    with path.open("rb") as fh:
        client.post(reverse("import_upload"), {"file": fh, "year": YEAR, "batch": "new"})
    job = ImportJob.objects.get()
    leaders = [u for u in job.summary["unknown"] if u["kind"] == "leader"]
    assert [u["name"] for u in leaders] == ["李明（副市长）", "韦建萍"]
    assert leaders[1]["suggestions"][0]["id"] == world.leader.pk
    page = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert 'id="unknown-leader"' in page and "韦建平" in page

    answers = {}
    for n, u in enumerate(job.summary["unknown"]):
        answers[f"choice-{n}"] = str(world.leader.pk) if u["name"] == "韦建萍" else "create"
    response = client.post(reverse("import_apply", args=[job.pk]), answers, follow=True)
    assert "导入完成：新增 2 个" in response.content.decode()
    entries = {e.project.name: e.leader for e in AnnualEntry.objects.select_related("project", "leader")}
    assert entries["南宁市城市更新二期"] == world.leader
    new = entries["南宁市数字经济产业园"]
    assert (new.full_name, new.title, new.has_account) == ("李明", "副市长", False)
    assert not User.objects.filter(full_name="韦建萍").exists()


def test_the_preview_shows_the_rows_that_wait_and_sums_every_row(world, client, tmp_path):
    path = tmp_path / "list.xlsx"
    rows = short_names_list(path)
    client.force_login(world.staff)
    with path.open("rb") as fh:
        response = client.post(
            reverse("import_upload"), {"file": fh, "year": YEAR, "batch": "new"}, follow=True
        )
    page = response.content.decode()
    # Three rows wait for 市住建局, 市数据局 or 科技创新: listed in their own tab, with what they wait for.
    assert 'id="waiting-card"' in page and 'id="tab-waiting"' in page
    assert f'<td class="num">{rows["南宁市算力中心"]}</td>' in page and "待确认：市数据局、科技创新" in page
    # The sums are those of all five rows, as the file's 合计 row says (5 × 2,000 万元).
    job = ImportJob.objects.get()
    assert job.summary["totals"]["planned"] == 5 * 2000 * 10_000
    assert 'class="small text-muted"' in page and "文件“合计”行的年度计划投资：10,000" in page
    assert 'id="new-leaders-note"' not in page  # no leader is unknown
