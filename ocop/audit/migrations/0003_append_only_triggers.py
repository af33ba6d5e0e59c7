"""Make the database itself refuse UPDATE and DELETE on the audit table (SQLite and PostgreSQL)."""

from django.db import migrations

from ocop.audit import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


def remove(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_chain_check"),
    ]

    operations = [
        migrations.RunPython(install, remove, elidable=False),
    ]
