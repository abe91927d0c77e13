from django.apps import AppConfig


class InstacloneConfig(AppConfig):
    """The shared infrastructure (no models): registers its system checks."""

    name = "instaclone"
    verbose_name = "Instaclone"

    def ready(self):
        from django.core import checks

        from .live import check_live_layer

        checks.register(check_live_layer, checks.Tags.compatibility)
