from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0002_certificate_verify_token"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="extended_until",
            field=models.DateField(blank=True, null=True, verbose_name="extended until"),
        ),
        migrations.AddField(
            model_name="certificate",
            name="extension_reason",
            field=models.CharField(blank=True, max_length=500, verbose_name="reason for the extension"),
        ),
        migrations.AddConstraint(
            model_name="certificate",
            constraint=models.CheckConstraint(
                condition=models.Q(("extended_until__isnull", True), ("extended_until__gt", models.F("expires_on")), _connector="OR"),
                name="certificate_extension_after_expiry",
            ),
        ),
    ]
