from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_user_deletion_requested_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='purge_started_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
