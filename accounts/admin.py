from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.template.response import TemplateResponse

from instaclone.tasks import enqueue_on_commit

from .models import Block, Follow, FollowRequest, User
from .services.deletion import account_deactivate_for_purge
from .tasks import account_purge_run


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "display_name", "is_private", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "is_superuser", "is_private", "date_joined", "groups")
    search_fields = ("username", "email", "display_name")
    ordering = ("-date_joined",)
    readonly_fields = ("post_count", "follower_count", "following_count", "last_login", "date_joined")
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Profile", {"fields": ("display_name", "bio", "website", "avatar", "is_private")}),
        ("Counters", {"fields": ("post_count", "follower_count", "following_count")}),
    )
    actions = ["purge_now"]

    # The raw "Delete" stays off (social/admin.py): the database cascade would bypass other
    # people's counters and the stored files. Superusers delete through the same purge the person's
    # own deletion ends in (accounts.services.deletion.account_purge), after a confirmation page.
    # The purge is queued (accounts.tasks.account_purge_run, grace period ignored), one task an
    # account: a large account takes longer than a request may.
    def has_purge_permission(self, request):
        return request.user.is_superuser

    @admin.action(description="Delete account now (purge)", permissions=["purge"])
    def purge_now(self, request, queryset):
        users = list(queryset.order_by("username"))
        refused = [u for u in users if u.is_superuser or u.is_staff or u.pk == request.user.pk]
        users = [u for u in users if u not in refused]
        for user in refused:
            self.message_user(
                request, f"@{user.username} is staff (or you): not purged here; remove the staff role first.",
                messages.WARNING,
            )
        if not users:
            return None
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "Delete accounts now?",
                "opts": self.model._meta,
                "users": users,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/accounts/user/purge_confirmation.html", context)
        queued = [u for u in users if account_deactivate_for_purge(user_id=u.pk)]
        for user in queued:
            enqueue_on_commit(account_purge_run, user.pk, True)
        self.message_user(
            request,
            f"Queued the purge of {len(queued)} account(s): " + ", ".join(f"@{u.username}" for u in queued)
            + ". They are deactivated now and gone once their purge task has run.",
            messages.SUCCESS,
        )
        return None


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("follower", "followee", "created")
    list_select_related = ("follower", "followee")
    raw_id_fields = ("follower", "followee")
    search_fields = ("follower__username", "followee__username")


@admin.register(FollowRequest)
class FollowRequestAdmin(admin.ModelAdmin):
    list_display = ("requester", "target", "created")
    list_select_related = ("requester", "target")
    raw_id_fields = ("requester", "target")


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("blocker", "blocked", "created")
    list_select_related = ("blocker", "blocked")
    raw_id_fields = ("blocker", "blocked")
