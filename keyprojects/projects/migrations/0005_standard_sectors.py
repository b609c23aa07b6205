"""The four standard sectors every office's list uses (FORMATS.md), with the other names published lists
give them. The office may rename, add and reorder sectors later; seeding again never duplicates them."""

from django.db import migrations

# name, OC4IDS projectSector code, other names as published lists write them (section rows and the
# 行业领域 column).
STANDARD_SECTORS = [
    ("产业", "economy", ["产业项目", "产业类项目", "工业项目", "产业发展项目", "工业和产业项目"]),
    ("基础设施", "transport", ["基础设施项目", "基础设施类项目", "基础设施建设项目", "城市基础设施项目"]),
    (
        "社会民生",
        "socialHousing",
        ["社会民生项目", "民生项目", "社会民生类项目", "民生保障项目", "社会事业项目", "社会事业"],
    ),
    (
        "生态环保",
        "naturalResources",
        ["生态环保项目", "生态环境项目", "生态环境保护项目", "生态环保类项目", "生态环境"],
    ),
]


def seed(apps, schema_editor):
    """Create the standard sectors that are missing; give an existing one its synonyms and code only
    where it has none (an office's own edits stay)."""
    Sector = apps.get_model("projects", "Sector")
    for sort, (name, code, synonyms) in enumerate(STANDARD_SECTORS, start=1):
        sector, created = Sector.objects.get_or_create(
            name=name, defaults={"oc4ids_sector": code, "synonyms": synonyms, "sort": sort}
        )
        if created:
            continue
        changed = []
        if not sector.synonyms:
            sector.synonyms, changed = synonyms, [*changed, "synonyms"]
        if not sector.oc4ids_sector:
            sector.oc4ids_sector, changed = code, [*changed, "oc4ids_sector"]
        if changed:
            sector.save(update_fields=changed)


def unseed(apps, schema_editor):
    # Sectors that projects use stay (PROTECT); the unused standard ones go.
    Sector = apps.get_model("projects", "Sector")
    Sector.objects.filter(name__in=[s[0] for s in STANDARD_SECTORS], project__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_sector_synonyms")]

    operations = [migrations.RunPython(seed, unseed)]
