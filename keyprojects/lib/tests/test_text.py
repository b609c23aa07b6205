"""Name normalisation and the search key: simplified text, pinyin initials, full pinyin."""

import pytest
from lxml import etree

from keyprojects.lib.text import normalise_name, search_key, search_term, xml_safe
from keyprojects.projects.models import Project

NAME = "南宁市轨道交通5号线"


def test_it_strips_spaces_and_line_breaks_from_names():
    assert normalise_name(" 南宁市 轨道交通\n5号线\r\n ") == NAME
    assert normalise_name("南宁市\t轨道交通 5 号线") == NAME
    assert normalise_name("南宁市\u3000轨道交通5号线") == NAME  # ideographic space
    assert normalise_name("南宁市\u00a0轨道交通5号线") == NAME  # no-break space from Excel


def test_it_turns_full_width_into_half_width():
    assert normalise_name("南宁市轨道交通５号线") == NAME
    assert normalise_name("ＡＢＣ１２３") == "ABC123"
    assert normalise_name("五象新区（二期）") == "五象新区(二期)"


def test_it_normalises_nothing_to_empty():
    assert normalise_name("") == ""
    assert normalise_name(None) == ""
    assert normalise_name(" \n ") == ""


def test_it_finds_a_simplified_name_from_a_traditional_query():
    assert search_term("南寧") == "南宁"
    assert search_term("南寧") in search_key(NAME)
    assert search_term("軌道交通") in search_key(NAME)


def test_it_stores_a_traditional_name_as_simplified():
    key = search_key("南寧市軌道交通5號線")
    assert key == search_key(NAME)
    assert search_term("南宁") in key


def test_it_finds_a_name_by_pinyin_initials():
    key = search_key(NAME)
    assert "nnsgd" in key
    assert search_term("NNSGD") in key
    assert search_term("gdjt") in key


def test_it_finds_a_name_by_full_pinyin():
    key = search_key(NAME)
    assert "nanning" in key
    assert search_term(" NanNing ") in key
    assert search_term("guidaojiaotong") in key


def test_it_does_not_match_unrelated_text():
    key = search_key(NAME)
    assert search_term("北京") not in key
    assert search_term("bj") not in key


def test_it_keys_every_part_given():
    key = search_key(
        "南宁市轨道交通5号线二期工程", "2411-450100-04-01-637015", "南宁轨道交通集团有限责任公司", ""
    )
    assert "2411-450100-04-01-637015" in key
    assert search_term("轨道交通集团") in key
    assert "jtjt" in key


@pytest.mark.django_db
def test_it_finds_the_stored_project_with_one_like(cast):
    for query in ("南寧", "nnsgd", "nanning", "轨道交通5号线", "637015"):
        found = Project.objects.filter(search_text__contains=search_term(query))
        assert list(found) == [cast.project_a], query


# Every C0 control character but tab and line breaks, DEL, and the two non-characters.
CONTROLS = "".join(chr(c) for c in [*range(0x20), 0x7F, 0xFFFE, 0xFFFF] if chr(c) not in "\t\n\r")


def test_it_makes_text_pasted_from_word_safe_for_xml():
    assert xml_safe("第一行\v第二行\f第三行") == "第一行\n第二行\n第三行"
    assert xml_safe("用地" + CONTROLS + "未交付\t（一）\r\n") == "用地\n\n未交付\t（一）\r\n"
    assert xml_safe("\ud800孤立代理项") == "孤立代理项"
    assert xml_safe("") == "" and xml_safe(None) == ""
    # What stays is exactly what lxml, under python-docx and openpyxl, accepts.
    etree.Element("t").text = xml_safe("".join(map(chr, range(0x80))) + CONTROLS)
