from django.db import migrations


def load(apps, schema_editor):
    from chizheng.occupations.catalog import load_catalog

    load_catalog(apps.get_model("occupations", "OccupationGroup"), apps.get_model("occupations", "Occupation"))


def unload(apps, schema_editor):
    apps.get_model("occupations", "Trade").objects.all().delete()
    apps.get_model("occupations", "Occupation").objects.all().delete()
    Group = apps.get_model("occupations", "OccupationGroup")
    for level in ("minor", "middle", "major"):
        Group.objects.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("occupations", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
