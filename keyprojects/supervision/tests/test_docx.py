"""The supervision letter as a Word file in the GB/T 9704 layout, read back with python-docx."""

from io import BytesIO

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from keyprojects.supervision.documents import letter_docx
from keyprojects.supervision.tests.support import day, issue, light


@pytest.fixture
def letter(cast):
    cast.leader.full_name, cast.leader.title = "张三", "副市长"
    cast.leader.save()
    lights = [
        light(cast.project_a, "prelim:1"),
        light(
            cast.project_a,
            "entry:1",
            code="investment",
            level="yellow",
            message="投资完成率低于序时进度\x0b15个百分点",
        ),
    ]
    return issue(cast, warnings=lights, today=day("2026-11-16"))


@pytest.fixture
def document(letter):
    return Document(BytesIO(letter_docx(letter)))


def _texts(document):
    return [p.text for p in document.paragraphs]


def test_it_lays_out_an_a4_page_with_the_official_margins(document):
    s = document.sections[0]

    def mm(length):
        return round(length / 36000, 1)

    assert (mm(s.page_width), mm(s.page_height)) == (210, 297)
    assert (mm(s.top_margin), mm(s.bottom_margin), mm(s.left_margin), mm(s.right_margin)) == (37, 35, 28, 26)


def test_it_heads_the_letter_with_the_office_and_its_number(document):
    header, _blank, number = document.paragraphs[:3]
    assert header.text == "测试市重点项目建设办公室"
    assert header.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert number.text == "邕重点督〔2026〕1号"


def test_it_addresses_the_unit_and_sets_out_what_and_by_when(document):
    texts = _texts(document)
    assert "关于轨道交通5号线二期工程征地滞后整改的督办函" in texts
    assert "青秀区：" in texts
    assert ["一、督办事项", "二、办理要求", "三、办理时限"] == [
        t for t in texts if t[:2] in ("一、", "二、", "三、")
    ]
    assert "加快征地拆迁，按期交地。" in texts
    assert any(t.startswith("请于2026年11月23日前（5个工作日内）办结") for t in texts)
    heading = next(p for p in document.paragraphs if p.text == "一、督办事项")
    assert heading.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"


def test_it_lists_the_lights_in_a_table_red_first(document):
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "预警类型", "等级", "预警内容"]
    assert [row.cells[2].text for row in table.rows[1:]] == ["红灯", "黄灯"]
    assert table.rows[2].cells[3].text == "投资完成率低于序时进度\n15个百分点"


def test_it_signs_dates_and_copies_the_projects_city_leader(document):
    texts = _texts(document)
    assert "2026年11月16日" in texts
    assert "抄送：副市长张三。" in texts
    assert "测试市重点项目建设办公室\t2026年11月16日印发" in texts


def test_it_names_the_east_asian_font_everywhere_and_numbers_pages(document):
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for row in document.tables[0].rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert runs and all(r._element.rPr.rFonts.get(qn("w:eastAsia")) for r in runs)
    assert "PAGE" in document.sections[0].footer.paragraphs[0]._p.xml


def test_it_downloads_the_letter_for_its_unit(client, cast, letter):
    client.force_login(cast.district)
    response = client.get(reverse("letter_document", args=[letter.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="letter-2026-1.docx"'
    assert Document(BytesIO(response.content)).paragraphs[2].text == "邕重点督〔2026〕1号"
