# Issue 15: a report outlives its target's purged account (target_deleted, no target).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('posts', '0011_like_user_created_index'),
        ('social', '0008_data_export_and_report_reporter'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='report',
            name='report_exactly_one_target',
        ),
        migrations.AddField(
            model_name='report',
            name='target_deleted',
            field=models.BooleanField(default=False),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('comment__isnull', True), ('post__isnull', False), ('target_deleted', False), ('user__isnull', True)), models.Q(('comment__isnull', False), ('post__isnull', True), ('target_deleted', False), ('user__isnull', True)), models.Q(('comment__isnull', True), ('post__isnull', True), ('target_deleted', False), ('user__isnull', False)), models.Q(('comment__isnull', True), ('post__isnull', True), ('target_deleted', True), ('user__isnull', True)), _connector='OR'), name='report_exactly_one_target'),
        ),
    ]
