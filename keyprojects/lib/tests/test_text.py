"""Name normalisation and the search key: simplified text, pinyin initials, full pinyin."""

import re

import pytest
from lxml import etree

from keyprojects.lib.text import normalise_name, search_key, search_term, to_simplified, xml_safe
from keyprojects.projects.demo import CITY_OWNERS, DISTRICTS
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


def _search_key_before(*parts):
    """search_key as it was before it read each part once (two pypinyin passes over the joined text):
    kept here only to show that the keys did not change."""
    from pypinyin import Style, lazy_pinyin

    def latin(text):
        return re.sub(r"[^a-z0-9]", "", text.lower())

    text = to_simplified(normalise_name(" ".join(p for p in parts if p))).lower()
    initials = latin("".join(lazy_pinyin(text, style=Style.FIRST_LETTER)))
    return f"{text}|{initials}|{latin(''.join(lazy_pinyin(text)))}"


# Names as lists carry them, with the polyphones that pypinyin reads by phrase (重庆/重点, 长塘/长度,
# 银行/行政, 朝阳/朝向, 校椅/学校, 乐业/音乐, 大丰/大夫, 都安/都市, 和平/应和), traditional characters,
# Latin letters, digits and full-width forms.
NAMES = [
    "南宁市轨道交通5号线二期工程",
    "邕江综合整治和开发利用工程（二期）",
    "重庆路—长堽路改造工程",
    "青秀区长塘镇重点产业园基础设施",
    "朝阳广场地下空间综合开发",
    "中国银行广西分行营业大楼",
    "市行政审批服务中心",
    "横州市校椅镇茉莉花产业园",
    "乐业县都安乡村振兴示范区",
    "上林县大丰镇和平路提升改造",
    "南寧市軌道交通4號線",
    "ＡＢＣ数据中心（１期）",
    "B区重型装备制造基地",
    "东盟经开区新材料产业园5G标准厂房",
    "都市农业重大项目长效运营",
]
PARTS = [
    ("2411-450100-04-01-637015", "南宁轨道交通集团有限责任公司", "青秀区长塘镇"),
    ("", "南宁城市建设投资集团有限责任公司", "南宁市良庆区五象新区"),
    ("2020-451421-88-03-016343", "中国铁路南宁局集团有限公司", "朝阳街道"),
    ("", "广西电网有限责任公司南宁供电局", "重庆路以东、长堽路以北"),
    ("", "南宁市交通运输局", "长塘镇"),
    ("", "南宁市第一人民医院", "兴宁区民生街道"),
    ("2603-141124-89-05-346948", "", "横州市校椅镇"),
]


def test_it_keys_names_as_before_with_one_pinyin_pass():
    records = [(name, *parts) for name in NAMES for parts in PARTS]
    records += [(name,) for name in NAMES] + [("", "", owner, place) for _code, owner, place in PARTS]
    # Every place of the demo city, under one of its owners.
    places = [(d[0], place) for d in DISTRICTS for place in d[7]]
    for n, (district, place) in enumerate(places):
        owner = CITY_OWNERS[n % len(CITY_OWNERS)][0]
        records.append((f"{place}{NAMES[n % len(NAMES)]}", "", owner, f"南宁市{district}{place}"))
    assert len(records) > 200
    for record in records:
        assert search_key(*record) == _search_key_before(*record), record
