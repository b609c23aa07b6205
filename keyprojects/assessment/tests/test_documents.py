"""The notice (通报) of a published list and the monthly briefing (工作简报), read back with python-docx
(page, margins, fonts with w:eastAsia, number, tables, pictures) and opened by LibreOffice."""

import datetime as dt
import os
import re
import shutil
import subprocess
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from keyprojects.assessment import services
from keyprojects.assessment.documents import briefing_docx, notice_docx
from keyprojects.assessment.models import RankingEntry, UnitKind
from keyprojects.assessment.periods import Period
from keyprojects.assessment.tests.world import NOW, TODAY, seed_schemes, small_city

Q1 = Period.parse("2027Q1")


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def published(cast):
    seed_schemes()
    small_city(cast)
    run = services.assessment_run(period=Q1, today=TODAY).run
    draft = services.ranking_list_draft(run=run, by=cast.staff)
    problem = draft.entries.get(rule=RankingEntry.Rule.PROBLEM)
    proof = SimpleUploadedFile("证明.pdf", b"%PDF-1.4 proof", content_type="application/pdf")
    services.ranking_entry_exempt(
        entry=problem, by=cast.staff, reason="已列入市政府常务会议题", attachment=proof
    )
    services.ranking_list_review(ranking_list=draft, by=cast.admin)
    return services.ranking_list_publish(ranking_list=draft, by=cast.admin, today=TODAY)


@pytest.fixture
def notice(published):
    return Document(BytesIO(notice_docx(published)))


def mm(length):
    return round(length / 36000, 1)


def test_the_notice_is_an_a4_official_document(notice):
    s = notice.sections[0]
    assert (mm(s.page_width), mm(s.page_height)) == (210, 297)
    assert (mm(s.top_margin), mm(s.bottom_margin), mm(s.left_margin), mm(s.right_margin)) == (37, 35, 28, 26)


def test_the_notice_has_the_red_header_number_and_title(notice):
    header, _blank, number = notice.paragraphs[:3]
    assert header.text == "测试市重点项目建设办公室"
    assert header.runs[0].font.color.rgb == RGBColor(0xFF, 0, 0)
    assert number.text == "邕重点办通〔2027〕1号"
    assert number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "FF0000"
    title = next(p for p in notice.paragraphs if p.text.startswith("关于"))
    assert title.text == "关于2027年第一季度重点项目建设考核情况的通报"
    assert title.runs[0].font.size == Pt(22)
    assert title.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"


def test_the_notice_names_the_east_asian_font_on_every_run(notice):
    runs = [r for p in notice.paragraphs for r in p.runs]
    runs += [
        r for t in notice.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs
    ]
    assert runs and all(r._element.rPr.rFonts.get(qn("w:eastAsia")) for r in runs)
    headings = [p for p in notice.paragraphs if re.match("^[一二三四五]、", p.text)]
    assert [p.text for p in headings] == ["一、考核得分情况", "二、红榜", "三、黑榜", "四、有关要求"]
    assert all(p.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体" for p in headings)


def test_the_notice_tables_hold_the_scores_and_both_lists(notice):
    rows = [[c.text for c in row.cells] for row in notice.tables[0].rows]
    assert rows[0] == ["名次", "单位", "指标得分", "加分", "扣分", "总分", "达标"]
    assert rows[1:] == [
        ["1", "兴宁区", "95.00", "0.00", "0.00", "95.00", "达标"],
        ["2", "西乡塘区", "94.50", "0.50", "0.00", "95.00", "达标"],
        ["3", "青秀区", "61.54", "0.50", "3.00", "59.04", "未达标"],
    ]
    departments = [[c.text for c in row.cells] for row in notice.tables[1].rows]
    assert [r[1] for r in departments[1:]] == ["市生态环境局", "市发展和改革委员会"]
    red = [[c.text for c in row.cells] for row in notice.tables[2].rows]
    assert [r[1] for r in red[1:]] == ["兴宁区", "西乡塘区", "市生态环境局"]
    black = [[c.text for c in row.cells] for row in notice.tables[3].rows]
    # The exempted hard-criterion entry is left out of the table and named in the text.
    assert [r[1] for r in black[1:]] == ["青秀区", "市发展和改革委员会"]
    text = "\n".join(p.text for p in notice.paragraphs)
    assert "以下对象予以豁免，不列入黑榜：青秀区（已列入市政府常务会议题）" in text
    assert "参加考核 3 个，平均得分 83.01 分" in text


def test_a_correction_says_what_it_corrects_and_why(cast, published):
    correction = services.ranking_list_correct(ranking_list=published, by=cast.staff, reason="核实得分")
    entry = correction.entries.get(rule=RankingEntry.Rule.BOTTOM, unit_kind=UnitKind.DEPARTMENT)
    services.ranking_entry_remove(entry=entry, by=cast.staff, reason="审批事项系省级延误")
    services.ranking_list_review(ranking_list=correction, by=cast.admin)
    services.ranking_list_publish(ranking_list=correction, by=cast.admin, today=TODAY)
    correction.refresh_from_db()
    text = "\n".join(p.text for p in Document(BytesIO(notice_docx(correction))).paragraphs)
    assert "关于2027年第一季度重点项目建设考核情况的通报（更正）" in text
    assert "本通报更正邕重点办通〔2027〕1号。更正原因：核实得分" in text
    assert "黑榜撤销：市发展和改革委员会（移出：审批事项系省级延误）" in text


def test_the_briefing_has_tables_and_charts(cast):
    seed_schemes()
    small_city(cast)
    month = Period.parse("2027-03")
    run = services.assessment_run(period=month, today=TODAY).run
    document = Document(BytesIO(briefing_docx(month, run=run, today=dt.date(2027, 5, 10))))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2027年3月全市重点项目建设进展情况" in text
    # 480 + 450 + 500 = 1,430 万元 of 4,000: 35.8%; 序时 3/12 = 25%.
    assert "累计完成投资 1,430 万元，占年度计划 4,000 万元的 35.8%，序时进度 25.0%，快于序时进度" in text
    districts = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert districts[1] == ["兴宁区", "1,000", "500", "50.0%", "200.0%"]
    assert len(document.inline_shapes) == 2  # completion by district, and the ranking
    assert all(
        r._element.rPr.rFonts.get(qn("w:eastAsia")) for p in document.paragraphs for r in p.runs if r.text
    )


# CI installs LibreOffice, so there a missing one fails instead of skipping.
@pytest.mark.skipif(
    not shutil.which("soffice") and not os.environ.get("CI"), reason="LibreOffice is not installed"
)
def test_the_notice_converts_to_pdf_in_libreoffice(published, tmp_path):
    source = tmp_path / "notice.docx"
    source.write_bytes(notice_docx(published))
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    pdf = tmp_path / "notice.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stderr
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert 2 <= pages <= 4
