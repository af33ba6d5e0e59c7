from django.db import migrations


def load(apps, schema_editor):
    from ocop.registry.taxonomy import load_taxonomy

    load_taxonomy(
        apps.get_model("registry", "ProductCategory"),
        apps.get_model("registry", "ProductGroup"),
        apps.get_model("registry", "ProductSet"),
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
