"""The minutes (会议纪要) in the GB/T 9704 layout: read back with python-docx, and opened by LibreOffice."""

import datetime as dt
import os
import shutil
import subprocess
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from keyprojects.coordination import meeting_services
from keyprojects.coordination.meeting_docx import minutes_docx
from keyprojects.coordination.models import AgendaItem, DispatchMeeting, Problem
from keyprojects.coordination.tests.support import raise_problem
from keyprojects.orgs.models import OfficeSettings


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 16, 10), tick=False):
        yield


@pytest.fixture
def meeting(cast):
    problems = []
    for title in ("地铁站用地未交付", "施工许可待办"):
        p = raise_problem(cast, title=title)
        Problem.objects.filter(pk=p.pk).update(level=3)
        problems.append(p)
    # Two earlier meetings this year: this one is number 3.
    for day in (5, 12):
        meeting_services.meeting_create(by=cast.staff, title="调度会", date=dt.date(2026, 11, day))
    meeting = meeting_services.meeting_create(
        by=cast.staff,
        title="2026年第11次重点项目调度会",
        date=dt.date(2026, 11, 20),
        place="市政府 3 楼会议室",
        chair=cast.leader,
        attendees="市发改委、青秀区",
    )
    item = meeting.agenda.get(problem=problems[0])
    meeting_services.agenda_decide(
        by=cast.staff,
        item=item,
        decision="青秀区抓紧清表交地。",
        kind="task",
        responsible_unit=cast.district_a,
        deadline=dt.date(2026, 11, 30),
    )
    return meeting


@pytest.fixture
def document(meeting):
    return Document(BytesIO(minutes_docx(meeting, issued=dt.date(2026, 11, 21))))


def _texts(doc):
    return [p.text for p in doc.paragraphs]


def test_it_lays_out_an_a4_page_with_the_official_margins(document):
    s = document.sections[0]

    def mm(length):  # Word stores twips: compare to a tenth of a millimetre
        return round(length / 36000, 1)

    assert (mm(s.page_width), mm(s.page_height)) == (210, 297)
    assert (mm(s.top_margin), mm(s.left_margin)) == (37, 28)
    # The text block is 156 × 225 mm.
    assert mm(s.page_width - s.left_margin - s.right_margin) == 156
    assert mm(s.page_height - s.top_margin - s.bottom_margin) == 225


def test_it_puts_the_red_header_document_number_and_rule_on_top(document):
    header, _blank, number = document.paragraphs[:3]
    assert header.text == "测试市重点项目建设办公室"  # the office's name
    assert header.runs[0].font.color.rgb == RGBColor(0xFF, 0, 0)
    assert header.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert number.text == "邕重点办纪〔2026〕3号"
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"


def test_it_sets_title_body_and_heading_fonts(document):
    paragraphs = {p.text: p for p in document.paragraphs if p.text}
    title = paragraphs["2026年第11次重点项目调度会纪要"]
    assert title.runs[0].font.size == Pt(22)
    assert title.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    heading = next(p for t, p in paragraphs.items() if t.startswith("一、"))
    assert heading.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    sub = paragraphs["（一）问题情况"]
    assert sub.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    opening = next(p for t, p in paragraphs.items() if t.startswith("2026年11月20日"))
    assert opening.runs[0].font.size == Pt(16)
    assert opening.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_it_names_the_east_asian_font_on_every_run(document):
    runs = [r for p in document.paragraphs for r in p.runs]
    section = document.sections[0]
    runs += [r for p in section.footer.paragraphs + section.even_page_footer.paragraphs for r in p.runs]
    assert runs and all(r._element.rPr.rFonts.get(qn("w:eastAsia")) for r in runs)


def test_it_writes_the_decisions_and_how_they_are_carried_out(document):
    text = "\n".join(_texts(document))
    assert "一、南宁市轨道交通5号线二期工程：地铁站用地未交付" in text
    assert "青秀区抓紧清表交地。由青秀区负责落实，2026年11月30日前完成。" in text
    assert "二、南宁市轨道交通5号线二期工程：施工许可待办" in text
    assert "会议听取了情况汇报，待进一步研究。" in text
    assert "2026年11月21日" in _texts(document)
    assert "参加会议：市发改委、青秀区" in text


def test_it_numbers_pages_in_the_footer_odd_right_even_left(document):
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.text.startswith("— ") and odd.text.endswith(" —")
    assert odd.alignment == 2 and even.alignment == 0  # right, left
    assert "PAGE" in odd._p.xml


def test_it_downloads_the_minutes_for_the_office(client, cast, meeting):
    client.force_login(cast.leader)
    response = client.get(reverse("meeting_minutes", args=[meeting.pk]))
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert Document(BytesIO(response.content)).paragraphs[2].text == "邕重点办纪〔2026〕3号"


def test_it_issues_the_minutes_under_the_offices_name_and_prefix_from_its_settings(cast, meeting):
    OfficeSettings.objects.create(office=cast.office, minutes_prefix="测重点办纪")
    cast.office.name = "测试市重大项目建设办公室"
    cast.office.save()

    document = Document(BytesIO(minutes_docx(meeting, issued=dt.date(2026, 11, 21))))

    header, _blank, number = document.paragraphs[:3]
    assert (header.text, number.text) == ("测试市重大项目建设办公室", "测重点办纪〔2026〕3号")
    assert any(p.text.startswith("测试市重大项目建设办公室\t2026年11月21日") for p in document.paragraphs)


def test_it_opens_with_the_chairs_title_before_the_name(cast, meeting):
    cast.leader.full_name, cast.leader.title = "张三", "市委常委、常务副市长"
    cast.leader.save()
    meeting.refresh_from_db()
    text = "\n".join(_texts(Document(BytesIO(minutes_docx(meeting)))))
    assert "2026年11月20日，市委常委、常务副市长张三在市政府 3 楼会议室主持召开" in text


def test_it_numbers_a_thousand_item_agenda_in_chinese(cast):
    first = raise_problem(cast, title="议题")
    Problem.objects.filter(pk=first.pk).update(level=3)
    first.refresh_from_db()
    fields = {f.attname: getattr(first, f.attname) for f in Problem._meta.concrete_fields}
    del fields["id"]
    Problem.objects.bulk_create(Problem(**{**fields, "title": f"议题{n}"}) for n in range(2, 1001))
    meeting = meeting_services.meeting_create(by=cast.staff, title="调度会", date=dt.date(2026, 11, 20))
    assert meeting.agenda.count() == 1000

    headings = [t for t in _texts(Document(BytesIO(minutes_docx(meeting)))) if "：议题" in t]
    assert len(headings) == 1000
    numbers = [h.split("、", 1)[0] for h in headings]
    assert numbers[98:101] == ["九十九", "一百", "一百零一"]
    assert numbers[109] == "一百一十"
    assert numbers[-1] == "一千"


# Every C0 control character but tab and line breaks, DEL, and the two non-characters.
# PostgreSQL stores no NUL in text (the database refuses it before it can reach the minutes).
CONTROLS = "".join(
    chr(c)
    for c in [*range(0x20), 0x7F, 0xFFFE, 0xFFFF]
    if chr(c) not in "\t\n\r" and not (c == 0 and connection.vendor == "postgresql")
)


def test_it_writes_minutes_whose_problems_carry_control_characters(client, cast, meeting):
    Problem.objects.filter(agenda_items__meeting=meeting).update(
        title="用地\v未交付" + CONTROLS, description="第一行\v第二行\x01" + CONTROLS
    )
    DispatchMeeting.objects.filter(pk=meeting.pk).update(
        status=DispatchMeeting.Status.HELD, summary="会议要求\x0b加快进度" + CONTROLS
    )
    AgendaItem.objects.filter(meeting=meeting).exclude(decision="").update(decision="清表交地\x07。")
    client.force_login(cast.staff)

    response = client.get(reverse("meeting_minutes", args=[meeting.pk]))

    assert response.status_code == 200
    text = "\n".join(_texts(Document(BytesIO(response.content))))
    assert "一、南宁市轨道交通5号线二期工程：用地\n未交付\n" in text  # Word's line break kept as one
    assert "第一行\n第二行" in text and "清表交地。" in text and "会议要求\n加快进度" in text
    assert not set(CONTROLS) & set(text)


# CI installs LibreOffice (.ci/run), so there a missing one fails instead of skipping.
@pytest.mark.skipif(
    not shutil.which("soffice") and not os.environ.get("CI"), reason="LibreOffice is not installed"
)
def test_it_opens_cleanly_in_libreoffice(meeting, tmp_path):
    source = tmp_path / "minutes.docx"
    source.write_bytes(minutes_docx(meeting))
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
    pdf = tmp_path / "minutes.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5_000
