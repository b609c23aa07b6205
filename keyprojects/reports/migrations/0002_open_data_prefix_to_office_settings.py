"""The OC4IDS prefix moves from the open-data setting to the office's settings (orgs.OfficeSettings):
a prefix the office had set is kept there."""

from django.db import migrations

DEFAULT = "oc4ids-xxxxxx"


def _office(apps):
    Organisation = apps.get_model("orgs", "Organisation")
    return Organisation.objects.filter(kind="office").order_by("sort", "id").first()


def forward(apps, schema_editor):
    PublicDataSetting = apps.get_model("reports", "PublicDataSetting")
    OfficeSettings = apps.get_model("orgs", "OfficeSettings")
    setting = PublicDataSetting.objects.filter(pk=1).first()
    office = _office(apps)
    if setting is None or setting.id_prefix == DEFAULT or office is None:
        return
    OfficeSettings.objects.update_or_create(office=office, defaults={"open_data_prefix": setting.id_prefix})


def backward(apps, schema_editor):
    PublicDataSetting = apps.get_model("reports", "PublicDataSetting")
    OfficeSettings = apps.get_model("orgs", "OfficeSettings")
    office = _office(apps)
    row = OfficeSettings.objects.filter(office=office).first() if office else None
    if row is not None:
        PublicDataSetting.objects.filter(pk=1).update(id_prefix=row.open_data_prefix)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("orgs", "0004_office_settings_and_passwords"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.RemoveField(model_name="publicdatasetting", name="id_prefix"),
    ]
