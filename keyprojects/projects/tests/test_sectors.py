"""The standard sectors the migrations seed, and the lookup an import resolves sector names with."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from keyprojects.projects.models import Sector
from keyprojects.projects.selectors import sector_for_name, sector_id_for, sector_index, sector_key

seeding = importlib.import_module("keyprojects.projects.migrations.0005_standard_sectors")
STANDARD = ["产业", "基础设施", "社会民生", "生态环保"]

pytestmark = pytest.mark.django_db


def test_it_seeds_the_standard_sectors_with_the_migrations():
    assert ("projects", "0005_standard_sectors") in MigrationRecorder(connection).applied_migrations()
    assert list(Sector.objects.values_list("name", flat=True)) == STANDARD


def test_it_seeds_the_four_sectors_with_their_synonyms_on_an_empty_database():
    Sector.objects.all().delete()
    seeding.seed(apps, None)
    sectors = {s.name: s for s in Sector.objects.all()}
    assert list(sectors) == STANDARD
    assert "工业项目" in sectors["产业"].synonyms
    assert "民生项目" in sectors["社会民生"].synonyms
    assert "生态环境项目" in sectors["生态环保"].synonyms
    assert sectors["基础设施"].oc4ids_sector == "transport"


def test_it_seeds_again_without_duplicates_and_keeps_the_offices_edits():
    Sector.objects.filter(name="产业").update(synonyms=["制造业项目"], oc4ids_sector="energy")
    Sector.objects.filter(name="生态环保").update(synonyms=[])
    Sector.objects.create(name="科技产业", sort=5)
    seeding.seed(apps, None)
    seeding.seed(apps, None)
    assert Sector.objects.count() == 5
    industry = Sector.objects.get(name="产业")
    assert (industry.synonyms, industry.oc4ids_sector) == (["制造业项目"], "energy")
    assert "生态环保项目" in Sector.objects.get(name="生态环保").synonyms


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("产业项目", "产业"),
        ("（一）产业项目（11项）", "产业"),
        ("二、基础设施类项目", "基础设施"),
        ("社会民生 领域", "社会民生"),
        ("生态环保", "生态环保"),
    ],
)
def test_it_compares_sector_names_without_numbering_counts_and_suffixes(text, key):
    assert sector_key(text) == key


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("产业", "产业"),
        ("产业项目", "产业"),
        ("工业项目", "产业"),
        ("（一）工业项目（3项）", "产业"),
        ("基础设施项目", "基础设施"),
        ("基础设施建设项目", "基础设施"),
        ("民生项目", "社会民生"),
        ("社会民生项目", "社会民生"),
        ("社会事业项目", "社会民生"),
        ("生态环保项目", "生态环保"),
        ("生态环境项目", "生态环保"),
        ("生态环境保护项目", "生态环保"),
        ("（四）生态环境项目（2项）", "生态环保"),
        ("产　业", "产业"),  # an ideographic space, as Excel cells carry them
    ],
)
def test_it_resolves_a_name_or_synonym_to_its_sector(text, sector):
    assert sector_for_name(text) == Sector.objects.get(name=sector)


@pytest.mark.parametrize("text", ["", "科技产业", "水利", "新开工项目"])
def test_it_resolves_an_unknown_name_to_nothing(text):
    assert sector_for_name(text) is None


def test_it_reads_the_whole_index_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        index = sector_index()
    assert sector_id_for("民生项目", index) == Sector.objects.get(name="社会民生").pk
    assert sector_id_for("", index) is None


def test_it_prefers_a_sectors_name_to_another_sectors_synonym():
    tech = Sector.objects.create(name="工业", sort=9)
    # 产业 lists 工业项目 (key 工业) among its synonyms; the sector named 工业 wins.
    assert sector_for_name("工业项目") == tech
    assert sector_for_name("产业项目") == Sector.objects.get(name="产业")


def test_it_adds_a_synonym_the_office_enters():
    Sector.objects.filter(name="基础设施").update(synonyms=["城建项目"])
    assert sector_for_name("城建项目") == Sector.objects.get(name="基础设施")


def test_it_lets_the_office_edit_synonyms_as_one_text_in_the_admin():
    from keyprojects.projects.admin import SectorForm

    industry = Sector.objects.get(name="产业")
    form = SectorForm(
        {
            "name": "产业",
            "synonyms": "产业项目、 工业项目,工业项目\n制造业项目",
            "oc4ids_sector": "economy",
            "sort": 1,
        },
        instance=industry,
    )
    assert form.is_valid(), form.errors
    form.save()
    assert Sector.objects.get(name="产业").synonyms == ["产业项目", "工业项目", "制造业项目"]
    assert "产业项目、工业项目" in SectorForm(instance=industry).as_p()


def test_it_refuses_a_synonym_that_names_another_sector():
    from keyprojects.projects.admin import SectorForm

    form = SectorForm(
        {"name": "产业", "synonyms": "工业项目、民生项目", "oc4ids_sector": "", "sort": 1},
        instance=Sector.objects.get(name="产业"),
    )
    assert not form.is_valid()
    assert form.errors["synonyms"] == ["“民生项目”已指向行业领域“社会民生”。"]
