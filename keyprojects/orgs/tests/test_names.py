"""Name matching: the official short and long names of a city's departments and districts, as published
lists write them, each matched to the right organisation — by key when it is the same name written
differently, as the best of the suggestions when it is an abbreviation the office must confirm — and the
names that must never be mapped silently."""

import random

import pytest

from keyprojects.orgs.models import Organisation
from keyprojects.orgs.names import (
    MIN_SCORE,
    Candidate,
    NameIndex,
    match,
    normalise,
    organisation_index,
    resolve_organisation,
    similarity,
)

DEPARTMENTS = [
    "市发展和改革委员会",
    "市教育局",
    "市科学技术局",
    "市工业和信息化局",
    "市公安局",
    "市民政局",
    "市司法局",
    "市财政局",
    "市人力资源和社会保障局",
    "市自然资源和规划局",
    "市生态环境局",
    "市住房和城乡建设局",
    "市交通运输局",
    "市水利局",
    "市农业农村局",
    "市商务局",
    "市文化广电和旅游局",
    "市卫生健康委员会",
    "市退役军人事务局",
    "市应急管理局",
    "市审计局",
    "市人民政府国有资产监督管理委员会",
    "市市场监督管理局",
    "市统计局",
    "市体育局",
    "市医疗保障局",
    "市城市管理综合行政执法局",
    "市林业和园林局",
    "市大数据发展局",
    "市投资促进局",
    "市政务服务监督管理办公室",
    "市公安局交通管理支队",
    "市住房公积金管理中心",
    "市地方金融监督管理局",
    "市机关事务管理局",
]
DISTRICTS = [
    "青秀区",
    "兴宁区",
    "江南区",
    "西乡塘区",
    "良庆区",
    "邕宁区",
    "武鸣区",
    "横州市",
    "宾阳县",
    "上林县",
    "马山县",
    "隆安县",
    "南宁经济技术开发区",
    "南宁高新技术产业开发区",
    "广西-东盟经济技术开发区",
]
CITY = [Candidate(value=n, name=n, kind="department") for n in DEPARTMENTS] + [
    Candidate(value=n, name=n, kind="district") for n in DISTRICTS
]

# The same name written differently: matched by key, no question asked.
SAME_NAME = [
    ("市发展改革委", "市发展和改革委员会"),
    ("南宁市发展和改革委员会", "市发展和改革委员会"),
    ("市住房城乡建设局", "市住房和城乡建设局"),
    ("市卫生健康委", "市卫生健康委员会"),
    ("市人力资源社会保障局", "市人力资源和社会保障局"),
    ("市文化广电旅游局", "市文化广电和旅游局"),
    ("市工业信息化局", "市工业和信息化局"),
    ("南宁市教育局", "市教育局"),
    ("市 公安局", "市公安局"),
    ("南宁市司法局", "市司法局"),
    ("南宁市财政局", "市财政局"),
    ("南宁市生态环境局", "市生态环境局"),
    ("南宁市退役军人事务局", "市退役军人事务局"),
    ("南宁市审计局", "市审计局"),
    ("南宁市市场监督管理局", "市市场监督管理局"),
    ("市场监督管理局", "市市场监督管理局"),
    ("南宁市水利局", "市水利局"),
    ("市政务服务监督管理办", "市政务服务监督管理办公室"),
    ("市人民政府国有资产监督管理委", "市人民政府国有资产监督管理委员会"),
    ("南宁市林业和园林局", "市林业和园林局"),
    ("市卫生健康委员会", "市卫生健康委员会"),
    ("南宁市青秀区", "青秀区"),
    ("兴宁区人民政府", "兴宁区"),
    ("南宁市西乡塘区人民政府", "西乡塘区"),
    ("江南区政府", "江南区"),
    ("宾阳县人民政府", "宾阳县"),
    ("南宁市横州市", "横州市"),
    ("广西—东盟经济技术开发区", "广西-东盟经济技术开发区"),
]

# Official abbreviations: the right organisation is the best suggestion, alone at the top, but the office
# confirms it (and the mapping is kept as an alias).
ABBREVIATIONS = [
    ("市发改委", "市发展和改革委员会"),
    ("市住建局", "市住房和城乡建设局"),
    ("市卫健委", "市卫生健康委员会"),
    ("市工信局", "市工业和信息化局"),
    ("市人社局", "市人力资源和社会保障局"),
    ("市市场监管局", "市市场监督管理局"),
    ("市交通局", "市交通运输局"),
    ("市文旅局", "市文化广电和旅游局"),
    ("市应急局", "市应急管理局"),
    ("市国资委", "市人民政府国有资产监督管理委员会"),
    ("市国有资产监督管理委员会", "市人民政府国有资产监督管理委员会"),
    ("市科技局", "市科学技术局"),
    ("市医保局", "市医疗保障局"),
    ("市城管局", "市城市管理综合行政执法局"),
    ("市林业局", "市林业和园林局"),
    ("市大数据局", "市大数据发展局"),
    ("市投促局", "市投资促进局"),
    ("市自然资源局", "市自然资源和规划局"),
    ("市政务服务监管办", "市政务服务监督管理办公室"),
    ("市退役军人局", "市退役军人事务局"),
    ("市农业局", "市农业农村局"),
    ("市公积金中心", "市住房公积金管理中心"),
    ("市金融监管局", "市地方金融监督管理局"),
    ("市机关事务局", "市机关事务管理局"),
    ("南宁经开区", "南宁经济技术开发区"),
    ("南宁高新区", "南宁高新技术产业开发区"),
    ("东盟经开区", "广西-东盟经济技术开发区"),
]


def test_it_has_a_table_of_forty_pairs_at_least():
    assert len(SAME_NAME) + len(ABBREVIATIONS) >= 40


@pytest.mark.parametrize(("written", "official"), SAME_NAME)
def test_it_matches_the_same_name_written_differently(written, official):
    result = match(written, CITY)

    assert result.found == official
    assert result.via in ("name", "key")
    assert not result.tie


@pytest.mark.parametrize(("written", "official"), ABBREVIATIONS)
def test_it_suggests_the_right_organisation_first_for_an_abbreviation(written, official):
    result = match(written, CITY)

    assert result.found is None, "an abbreviation is a question for the office"
    assert result.best.name == official, [(s.name, s.score) for s in result.suggestions]
    assert not result.tie
    assert 0 < result.best.score < 1


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("市发展改革委", "市发展和改革委员会"),
        ("市住房城乡建设局", "市住房和城乡建设局"),
        ("市卫生健康委", "市卫生健康委员会"),
        ("ＳＨＩ市 发展（改革）委", "shi市发展改革委"),
        ("中共南宁市委组织部", "市委组织部"),
        ("市委员会办公室", "市委办"),
    ],
)
def test_it_gives_one_key_to_the_forms_of_one_name(short, long):
    assert normalise(short) == normalise(long)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("市自然资源局", "市自然资源和规划局"),
        ("市林业局", "市林业和园林局"),
        ("市交通局", "市交通运输局"),
        ("南宁城市建设投资集团有限公司", "柳州城市建设投资集团有限公司"),
        ("和平区", "平区"),
        ("市场监督管理局", "场监督管理局"),
    ],
)
def test_it_keeps_different_bodies_apart(one, other):
    assert normalise(one) != normalise(other)


def test_it_puts_the_natural_resources_bureaus_close_but_not_equal():
    result = match("市自然资源局", ["市自然资源和规划局", "市财政局"])

    assert result.found is None
    assert result.best.name == "市自然资源和规划局"
    assert result.best.score >= 0.8


def test_it_matches_each_natural_resources_bureau_to_itself_when_both_exist():
    both = [*CITY, Candidate(value="市自然资源局", name="市自然资源局", kind="department")]

    assert match("市自然资源局", both).found == "市自然资源局"
    assert match("市自然资源和规划局", both).found == "市自然资源和规划局"
    assert match("南宁市自然资源和规划局", both).found == "市自然资源和规划局"


def test_it_does_not_map_the_transport_bureau_silently_beside_the_traffic_police():
    result = match("市交通局", ["市交通运输局", "市公安局交通管理支队"])

    assert result.found is None
    assert result.best.name == "市交通运输局"


def test_it_says_when_two_organisations_share_a_key():
    result = match("市发展改革委员会", ["市发展和改革委员会", "市发展改革委", "市财政局"])

    assert result.found is None
    assert result.tie
    assert {s.name for s in result.tied} == {"市发展和改革委员会", "市发展改革委"}


def test_it_says_when_two_candidates_are_equally_close():
    result = match("市人民医院", ["市第一人民医院", "市第二人民医院", "市中医院"])

    assert result.found is None
    assert result.tie
    assert {s.name for s in result.tied} == {"市第一人民医院", "市第二人民医院"}


def test_it_matches_by_alias_before_the_key():
    candidates = [Candidate(value=1, name="市政务服务监督管理办公室", aliases=("市行政审批局",)), "市审计局"]

    result = match("市行政审批局", candidates)

    assert (result.found, result.via) == (1, "alias")


def test_it_looks_only_at_the_kind_asked_for():
    assert match("青秀区", CITY, kind="department").found is None
    assert match("青秀区", CITY, kind="district").found == "青秀区"


def test_it_suggests_nothing_for_a_name_with_nothing_in_common():
    result = match("某某科技有限公司", CITY, kind="department")

    assert result.found is None
    assert result.suggestions == []


def test_it_resolves_an_organisation_by_name_alias_and_key(db):
    from keyprojects.orgs.models import OrganisationAlias

    ndrc = Organisation.objects.create(kind="department", name="市发展和改革委员会")
    housing = Organisation.objects.create(kind="department", name="市住房和城乡建设局")
    Organisation.objects.create(kind="district", name="青秀区")
    OrganisationAlias.objects.create(organisation=housing, name="市住建局")

    assert resolve_organisation("市发展和改革委员会", "department").found == ndrc
    assert (resolve_organisation("市住建局", "department").found, "alias") == (housing, "alias")
    by_key = resolve_organisation("南宁市发展改革委", "department")
    assert (by_key.found, by_key.via) == (ndrc, "key")
    unknown = resolve_organisation("市发改委", "department")
    assert unknown.found is None
    assert unknown.best.value == ndrc
    assert resolve_organisation("市住建局", "district").found is None


def test_it_indexes_every_organisation_with_its_aliases_in_two_queries(db, django_assert_num_queries):
    from keyprojects.orgs.models import OrganisationAlias

    for name in DEPARTMENTS:
        Organisation.objects.create(kind="department", name=name)
    OrganisationAlias.objects.create(
        organisation=Organisation.objects.get(name="市住房和城乡建设局"), name="市住建局"
    )

    with django_assert_num_queries(2):
        index = organisation_index("department")

    assert index.match("市住建局").found.name == "市住房和城乡建设局"
    assert index.match("市卫生健康委").found.name == "市卫生健康委员会"
    assert index.match("市卫健委").best.name == "市卫生健康委员会"


def _closest_by_scoring_everything(index, key, limit=5):
    """What NameIndex.closest must give: every candidate scored, ranked as closest ranks them."""
    scored = []
    for c in index.candidates:
        score, written = max((similarity(key, normalise(w)), w) for w in (c.name, *c.aliases))
        if score >= MIN_SCORE:
            scored.append((score, c, written))
    scored.sort(key=lambda s: (-s[0], len(s[1].name), s[1].name))
    return [(c.name, score) for score, c, _w in scored[:limit]]


def test_it_ranks_the_closest_as_scoring_every_candidate_would():
    """closest() scores only candidates that can still make the list; the ranking is the same."""
    rng = random.Random(7)
    pairs = SAME_NAME + ABBREVIATIONS
    words = DEPARTMENTS + DISTRICTS + [w for pair in pairs for w in pair]
    chars = "".join(sorted(set("".join(words))))
    pool = sorted(set(words)) + [
        "".join(rng.choice(chars) for _ in range(rng.randint(3, 12))) + rng.choice("局委办公司中心")
        for _ in range(300)
    ]
    index = NameIndex(
        Candidate(value=n, name=n, aliases=(n[::-1],) if n.endswith("司") else ()) for n in pool
    )
    names = words + ["".join(rng.choice(chars) for _ in range(rng.randint(2, 10))) for _ in range(100)]
    for name in names:
        key = normalise(name)
        got = [(s.name, s.score) for s in index.closest(key)]
        assert got == _closest_by_scoring_everything(index, key), name
