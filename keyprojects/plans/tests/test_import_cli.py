"""manage.py import_annual_list: the same engine, a summary, and exit status 1 on a refused file."""

import pytest
from django.core.management import CommandError, call_command

from keyprojects.plans.models import AnnualEntry, Batch
from keyprojects.plans.tests.import_support import BAD, GOOD, YEAR, counts, import_world


@pytest.fixture
def world(cast):
    return import_world(cast)


def command(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_annual_list", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_and_prints_a_summary(world):
    out, err = command(str(GOOD / "messy_sections.xlsx"), "--year", str(YEAR), "--user", "staff")
    assert "工作表：2027年计划表（表头第 3–4 行）" in out
    assert "新增 7 个（其中新项目 5 个、新业主 2 家）" in out
    assert "年度计划投资合计 61,877.0432 万元；总投资合计 583,500 万元" in out
    assert "已导入：新增 7 个（其中新项目 5 个），更新 0 个，未变 0 个。" in out
    assert "第一批" in out and err == ""
    assert AnnualEntry.objects.filter(annual_list__year=YEAR).count() == 7

    out, _err = command(str(GOOD / "messy_sections.xlsx"), "--year", str(YEAR))
    assert "已导入：新增 0 个（其中新项目 0 个），更新 0 个，未变 7 个。" in out


def test_a_dry_run_writes_nothing(world):
    before = counts()
    out, _err = command(str(GOOD / "messy_sections.xlsx"), "--year", str(YEAR), "--dry-run")
    assert "将新增 7 个" in out and "试运行" in out
    assert counts() == before


def test_it_exits_non_zero_and_names_each_rejection(world):
    before = counts()
    with pytest.raises(CommandError, match="文件被拒绝：1 处问题"):
        command(str(BAD / "row_negative.xlsx"), "--year", str(YEAR))
    assert counts() == before


def test_it_prints_where_each_rejection_is(world):
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_annual_list",
            str(BAD / "row_negative.xlsx"),
            "--year",
            str(YEAR),
            "--dry-run",
            stdout=StringIO(),
            stderr=err,
        )
    assert "工作表“清单” 第 6 行 H列“年度计划投资”：金额不能为负数" in err.getvalue()
    assert "（单元格内容：-500）" in err.getvalue()


def test_it_refuses_a_file_that_is_not_a_workbook(world):
    with pytest.raises(CommandError, match="未写入任何数据"):
        command(str(BAD / "list.csv"), "--year", str(YEAR))
    with pytest.raises(CommandError, match="找不到文件"):
        command(str(BAD / "nowhere.xlsx"), "--year", str(YEAR))


def test_it_uses_the_batch_number_given(world):
    command(str(GOOD / "messy_units.xlsx"), "--year", str(YEAR), "--batch", "1")
    assert list(Batch.objects.values_list("name", flat=True)) == ["第一批"]
    with pytest.raises(CommandError, match="没有第三批"):
        command(str(GOOD / "messy_department_first.xlsx"), "--year", str(YEAR), "--batch", "3")


def test_it_needs_someone_to_record(world):
    with pytest.raises(CommandError, match="找不到用户"):
        command(str(GOOD / "messy_units.xlsx"), "--year", str(YEAR), "--user", "nobody")
