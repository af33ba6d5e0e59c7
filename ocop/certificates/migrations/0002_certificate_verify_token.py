import secrets

from django.db import migrations, models

import ocop.certificates.models


def fill_tokens(apps, schema_editor):
    Certificate = apps.get_model("certificates", "Certificate")
    rows = list(Certificate.objects.filter(verify_token__isnull=True).only("pk"))
    for row in rows:
        row.verify_token = secrets.token_urlsafe(12)
    Certificate.objects.bulk_update(rows, ["verify_token"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="verify_token",
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="certificate",
            name="verify_token",
            field=models.CharField(
                default=ocop.certificates.models.new_verification_token, editable=False, max_length=32, unique=True
            ),
        ),
    ]
