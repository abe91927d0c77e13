from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = "Posts"

    def ready(self):
        from . import receivers

        receivers.connect()  # posts' part of purging an account (issue 15)
