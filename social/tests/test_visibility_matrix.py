"""Every endpoint that shows or acts on a post or profile, against every kind of viewer, for a
private and a public author. One rule (accounts.visibility) decides; this checks every door.

Viewers: anonymous, stranger, follower, requested (asked, not accepted; private author only),
blocked (the author blocked the viewer), blocker (the viewer blocked the author), author.

Besides the pages, it checks the paths that once re-assembled the rule by hand (saved page,
notifications, hashtag counts, report previews) and the queryset methods every page starts from
(`User/Post/Comment.objects.visible_to`). Each clause of the rule was deleted by hand in turn and
made this module fail (the table is in the issue 10 report).

The client API (issue 14) has its column: the same viewers asked through /api/v1/statuses/:id,
/accounts/:id/statuses, /timelines/tag/:tag and /timelines/home must get the web's answer, plus a
suspended author, a moderator-hidden post (author, stranger, moderator) and a private account's
statuses behind every API door."""

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from accounts.models import Block, FollowRequest, User
from accounts.services import graph
from accounts.tests.factories import BlockFactory
from instaclone.testing import make_user
from posts.models import Comment, Like, Post, Save
from posts.tests.factories import CommentFactory, PostFactory, SaveFactory
from social.models import Notification
from social.tests.factories import NotificationFactory

from .factories import make_private

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
VIEWERS = ["anonymous", "stranger", "follower", "requested", "blocked", "blocker", "author"]
CASES = [(v, True) for v in VIEWERS] + [(v, False) for v in VIEWERS if v != "requested"]


def sees_content(viewer, private):
    if viewer in ("blocked", "blocker"):
        return False
    if viewer in ("follower", "author"):
        return True
    return not private


@pytest.fixture
def world(alice, bob):
    """alice is the author; bob is the viewer in whichever relation the case asks for."""
    return alice, bob


def setup_case(alice, bob, viewer, private):
    if private:
        make_private(alice)
    if viewer == "follower":
        graph.follow_create(follower=bob, followee=alice)
        if private:
            graph.follow_request_accept(target=alice, requester=bob)
    elif viewer == "requested":
        graph.follow_create(follower=bob, followee=alice)
        assert FollowRequest.objects.filter(requester=bob, target=alice).exists()
    post = PostFactory(author=alice, caption="matrix #matrixtag")
    CommentFactory(post=post, author=alice, body="the author's own words")
    if viewer == "blocked":
        graph.block_create(blocker=alice, blocked=bob)
    elif viewer == "blocker":
        graph.block_create(blocker=bob, blocked=alice)
    client = Client()
    me = None
    if viewer == "author":
        client.force_login(alice)
        me = alice
    elif viewer != "anonymous":
        client.force_login(bob)
        me = bob
    return client, me, post


@pytest.mark.parametrize("viewer,private", CASES)
def test_visibility_matrix(world, viewer, private):
    alice, bob = world
    client, me, post = setup_case(alice, bob, viewer, private)
    sees = sees_content(viewer, private)
    post_link = f"/p/{post.pk}/"
    errors = []

    def check(name, cond):
        if not cond:
            errors.append(name)

    # profile header: everyone but the blocked side of a block; the blocker sees the blocked state
    r = client.get("/alice/")
    check("profile status", r.status_code == (404 if viewer == "blocked" else 200))
    if viewer == "blocker":
        body = r.content.decode()
        check("profile blocked state", "You blocked @alice" in body and post_link not in body)
    elif r.status_code == 200:
        check("profile private notice", (b"This account is private" in r.content) == (not sees))
        check("profile grid shows post iff visible", (post_link in r.content.decode()) == sees)

    # profile grid page (HTMX)
    r = client.get(reverse("posts:grid", args=["alice"]), **HX)
    check("grid status", r.status_code == (200 if sees else 404))
    check("grid post link", (post_link in r.content.decode()) == sees)

    # post detail
    r = client.get(post_link)
    check("detail status", r.status_code == (200 if sees else 404))

    # liked-by list of the post
    r = client.get(reverse("posts:liked_by", args=[post.pk]))
    check("liked_by status", r.status_code == (200 if sees else 404))

    # hashtag page
    try:
        tag_url = reverse("hashtag", args=["matrixtag"])
    except NoReverseMatch:
        tag_url = None
    if tag_url:
        r = client.get(tag_url)
        check("hashtag never 500", r.status_code in (200, 404))
        check("hashtag post link", (post_link in r.content.decode()) == sees)
        # the count is what anyone may see: public posts only, whoever looks
        if r.status_code == 200:
            check("hashtag count", r.context["post_count"] == (0 if private else 1))

    # the queryset methods every page starts from
    blocked_pair = viewer in ("blocked", "blocker")
    check("User.visible_to", User.objects.visible_to(me).filter(pk=alice.pk).exists() == (not blocked_pair))
    check("User.content_visible_to", User.objects.content_visible_to(me).filter(pk=alice.pk).exists() == sees)
    check("Post.visible_to", Post.objects.visible_to(me).filter(pk=post.pk).exists() == sees)
    own_comment = Comment.objects.get(post=post, author=alice)
    check("Comment.visible_to", Comment.objects.visible_to(me).filter(pk=own_comment.pk).exists() == sees)

    # followers list
    r = client.get(reverse("followers", args=["alice"]))
    check("followers status", r.status_code == (200 if sees else 404))

    # search: the profile is findable unless blocked either way
    r = client.get(reverse("social:search"), {"q": "ali"})
    check("search", (b"/alice/" in r.content) == (viewer not in ("blocked", "blocker")))

    if me is None:
        check("feed anonymous landing", b"Sign up" in client.get("/").content)
        r = client.get(reverse("social:explore"))
        check("explore anonymous -> login", r.status_code == 302)
        r = client.get(reverse("social:notifications"))
        check("notifications anonymous -> login", r.status_code == 302)
        for name in ("like", "save"):
            r = client.post(reverse(f"posts:{name}", args=[post.pk]), **HX)
            check(f"{name} anonymous HX-Redirect", "HX-Redirect" in r)
        r = client.post(reverse("posts:comments", args=[post.pk]), {"body": "hi"}, **HX)
        check("comment anonymous HX-Redirect", "HX-Redirect" in r)
        nothing = not (Like.objects.exists() or Save.objects.exists() or Comment.objects.exclude(author=alice).exists())
        check("nothing written", nothing)
        assert errors == []
        return

    # home feed: own posts and followed people's only
    in_feed = post_link in client.get("/").content.decode()
    check("feed", in_feed == (viewer in ("follower", "author")))

    # explore: public posts of people the viewer does not follow
    r = client.get(reverse("social:explore"))
    check("explore", (post_link in r.content.decode()) == (viewer == "stranger" and not private))

    # notifications from the author are shown unless blocked either way (rows made directly, to
    # test the read filter and not only the write-time check)
    if viewer != "author":
        NotificationFactory(recipient=me, actor=alice, kind="follow")
        r = client.get(reverse("social:notifications"))
        check("notification from author", (b"/alice/" in r.content) == (viewer not in ("blocked", "blocker")))

    # like / save / comment: allowed iff visible, else 404 and nothing written
    r = client.post(reverse("posts:like", args=[post.pk]), **HX)
    check("like status", r.status_code == (200 if sees else 404))
    check("like row", Like.objects.filter(user=me, post=post).exists() == sees)
    r = client.post(reverse("posts:save", args=[post.pk]), **HX)
    check("save status", r.status_code == (200 if sees else 404))
    check("save row", Save.objects.filter(user=me, post=post).exists() == sees)
    r = client.post(reverse("posts:comments", args=[post.pk]), {"body": "hello"}, **HX)
    check("comment status", (r.status_code < 300) if sees else r.status_code == 404)
    check("comment row", Comment.objects.filter(author=me, post=post).exists() == sees)

    # saved page: a save made while the post was visible (row made directly) shows iff it still is
    Save.objects.get_or_create(user=me, post=post)
    r = client.get(reverse("saved"))
    check("saved status", r.status_code == 200)
    check("saved post link", (post_link in r.content.decode()) == sees)

    # notifications about the post (rows made directly, to test the read filter)
    NotificationFactory(recipient=me, actor=bob if viewer == "author" else alice, kind="like", post=post)
    r = client.get(reverse("social:notifications"))
    check("notification about the post", (post_link in r.content.decode()) == sees)

    # report previews: the post and the author's comment, shown iff visible; own content is refused
    for kind, pk in (("post", post.pk), ("comment", own_comment.pk)):
        r = client.get(reverse("social:report", args=[kind, pk]))
        check(f"report {kind} preview", r.status_code == (400 if viewer == "author" else 200 if sees else 404))

    # follow: across a block is 404; the author gets 400
    r = client.post(reverse("social:follow", args=["alice"]))
    expected = {"blocked": 404, "blocker": 404, "author": 400}.get(viewer, 302)
    check("follow status", r.status_code == expected)

    assert errors == [], f"{viewer} / {'private' if private else 'public'}: {errors}"


def test_requested_viewer_becomes_follower_on_accept(alice, bob):
    make_private(alice)
    post = PostFactory(author=alice)
    graph.follow_create(follower=bob, followee=alice)
    c = Client()
    c.force_login(bob)
    assert c.get(f"/p/{post.pk}/").status_code == 404
    graph.follow_request_accept(target=alice, requester=bob)
    assert c.get(f"/p/{post.pk}/").status_code == 200
    assert f"/p/{post.pk}/" in c.get("/").content.decode()


def test_suspended_author_disappears_everywhere(alice, bob):
    from accounts.models import User

    post = PostFactory(author=alice)
    graph.follow_create(follower=bob, followee=alice)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    c = Client()
    c.force_login(bob)
    assert c.get("/alice/").status_code == 404
    assert c.get(f"/p/{post.pk}/").status_code == 404
    assert f"/p/{post.pk}/" not in c.get("/").content.decode()
    assert b"/alice/" not in c.get(reverse("social:search"), {"q": "ali"}).content
    assert make_user("zed")  # a fresh account still works
    assert not Block.objects.exists()


def test_private_author_sees_their_own_content_on_every_path(alice, bob):
    """The rule's "you may see yourself" clause: a private author, followed by nobody, on every
    page that reads content."""
    make_private(alice)
    post = PostFactory(author=alice, caption="just me #selftag")
    CommentFactory(post=post, author=alice, body="note to self")
    SaveFactory(user=alice, post=post)
    NotificationFactory(recipient=alice, actor=bob, kind="like", post=post)
    c = Client()
    c.force_login(alice)
    link = f"/p/{post.pk}/"

    assert link in c.get("/").content.decode()  # feed
    profile = c.get("/alice/").content.decode()
    assert link in profile and "This account is private" not in profile
    assert link in c.get(reverse("posts:grid", args=["alice"]), **HX).content.decode()
    detail = c.get(link)
    assert detail.status_code == 200 and "note to self" in detail.content.decode()
    tag = c.get(reverse("hashtag", args=["selftag"]))
    assert tag.status_code == 200 and link in tag.content.decode()
    assert tag.context["post_count"] == 0  # the public count does not reveal a private post
    assert link not in c.get(reverse("social:explore")).content.decode()  # explore is other people's
    assert link in c.get(reverse("saved")).content.decode()
    assert link in c.get(reverse("social:notifications")).content.decode()
    search = c.get(reverse("social:search"), {"q": "selft"}).content.decode()
    assert reverse("hashtag", args=["selftag"]) in search  # a tag only on one's own private post
    assert "/alice/" in c.get(reverse("social:search"), {"q": "ali"}).content.decode()
    # and nobody else sees any of it
    c.force_login(bob)
    assert c.get(link).status_code == 404
    assert c.get(reverse("hashtag", args=["selftag"])).status_code == 404
    assert reverse("hashtag", args=["selftag"]) not in c.get(reverse("social:search"), {"q": "selft"}).content.decode()


@pytest.mark.parametrize("private", [False, True])
def test_author_keeps_their_hidden_post_on_saved_and_profile_but_not_in_notifications(alice, bob, private):
    """A post hidden by moderators stays visible to its author, with the notice, on every page that
    shows it (the saved page once dropped it); notifications about it go, even for the author."""
    if private:
        make_private(alice)
    post = PostFactory(author=alice, caption="hidden later #hidtag")
    SaveFactory(user=alice, post=post)
    NotificationFactory(recipient=alice, actor=bob, kind="like", post=post)
    Post.objects.filter(pk=post.pk).update(is_hidden=True)
    c = Client()
    c.force_login(alice)
    link = f"/p/{post.pk}/"
    assert link in c.get(reverse("saved")).content.decode()
    assert link in c.get("/alice/").content.decode()
    assert c.get(link).status_code == 200
    assert link not in c.get(reverse("social:notifications")).content.decode()
    c.force_login(bob)
    assert c.get(link).status_code == 404


def test_suspended_accounts_disappear_for_anonymous_visitors(alice, bob, charlie):
    from posts.models import Hashtag
    from posts.selectors import hashtag_post_count

    post = PostFactory(author=alice, caption="gone #suspendtag")
    other = PostFactory(author=charlie, caption="still here")
    CommentFactory(post=other, author=bob, body="words of a suspended account")
    c = Client()
    assert "words of a suspended account" in c.get(f"/p/{other.pk}/").content.decode()
    User.objects.filter(pk__in=[alice.pk, bob.pk]).update(is_active=False)
    assert c.get("/alice/").status_code == 404
    assert c.get(f"/p/{post.pk}/").status_code == 404
    assert c.get(reverse("hashtag", args=["suspendtag"])).status_code == 404
    assert hashtag_post_count(Hashtag.objects.get(name="suspendtag")) == 0
    assert "words of a suspended account" not in c.get(f"/p/{other.pk}/").content.decode()


@pytest.mark.parametrize("viewer,private", [(v, p) for v, p in CASES if v not in ("anonymous", "author")])
def test_a_mention_notifies_only_someone_who_may_see_the_post(world, viewer, private):
    """The rule read the other way (`User.objects.audience_of`): who a caption mention notifies."""
    alice, bob = world
    setup_case(alice, bob, viewer, private)
    post = PostFactory(author=alice, caption="hello @bob")
    notified = Notification.objects.filter(recipient=bob, kind="mention", post=post).exists()
    assert notified == sees_content(viewer, private)


@pytest.mark.parametrize("change", ["suspended", "author_blocked", "blocked_author"])
def test_the_mention_audience_leaves_out_suspended_and_blocked_accounts(alice, bob, change):
    """Checked on the selector itself: notification_create's own block check would hide a mistake
    here from the notification test above."""
    from posts.selectors import users_who_may_see_posts_of

    assert users_who_may_see_posts_of(alice, [bob.pk]) == [bob]
    if change == "suspended":
        User.objects.filter(pk=bob.pk).update(is_active=False)
    elif change == "author_blocked":
        BlockFactory(blocker=alice, blocked=bob)
    else:
        BlockFactory(blocker=bob, blocked=alice)
    assert users_who_may_see_posts_of(alice, [bob.pk]) == []


# --- the client API column (issue 14) -------------------------------------------------------------
#
# The same viewers, asked through /api/: each answer must agree with the web's answer to the same
# question (asked in the same test through the pages), so that no second copy of the rule can drift.


def _api(client, path, token):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(path, **headers)


def _listed(response, pk) -> bool:
    return response.status_code == 200 and str(pk) in {s["id"] for s in response.json()}


def api_answers(alice, post, token) -> dict:
    """What the API says about alice's post to the token's reader (None: anonymous)."""
    from django.test import Client as _Client

    api = _Client()  # no session: the API never reads the cookie
    r = _api(api, f"/api/v1/statuses/{post.pk}", token)
    assert r.status_code in (200, 404), (r.status_code, r.content)
    return {
        "status": r.status_code == 200,
        "account statuses": _listed(_api(api, f"/api/v1/accounts/{alice.pk}/statuses", token), post.pk),
        "hashtag": _listed(_api(api, "/api/v1/timelines/tag/matrixtag", token), post.pk),
        "home": token is not None and _listed(_api(api, "/api/v1/timelines/home", token), post.pk),
    }


def web_answers(client, post) -> dict:
    link = f"/p/{post.pk}/"
    grid = client.get(reverse("posts:grid", args=["alice"]), **HX)
    signed_in = "_auth_user_id" in client.session
    return {
        "status": client.get(link).status_code == 200,
        "account statuses": grid.status_code == 200 and link in grid.content.decode(),
        "hashtag": link in client.get(reverse("hashtag", args=["matrixtag"])).content.decode(),
        "home": signed_in and link in client.get("/").content.decode(),
    }


@pytest.mark.parametrize("viewer,private", CASES)
def test_visibility_matrix_api_column(world, viewer, private):
    from instaclone.testing import api_token

    alice, bob = world
    client, me, post = setup_case(alice, bob, viewer, private)
    token = api_token(me, "read") if me is not None else None
    web = web_answers(client, post)
    api = api_answers(alice, post, token)
    assert api == web, f"{viewer} / {'private' if private else 'public'}: api {api} != web {web}"
    sees = sees_content(viewer, private)
    assert api["status"] == sees and api["account statuses"] == sees and api["hashtag"] == sees
    assert api["home"] == (viewer in ("follower", "author"))
    if viewer != "anonymous":
        # notifications from the author, and finding her: unless blocked either way
        NotificationFactory(recipient=me, actor=bob if viewer == "author" else alice, kind="like", post=post)
        listed = _api(Client(), "/api/v1/notifications", token).json()
        assert any(n.get("status", {}).get("id") == str(post.pk) for n in listed) == sees
        found = _api(Client(), "/api/v2/search?q=ali", token).json()["accounts"]
        assert any(a["username"] == "alice" for a in found) == (viewer not in ("blocked", "blocker"))


@pytest.mark.parametrize("reader", ["follower", "anonymous"])
def test_api_suspended_author_disappears_everywhere(alice, bob, reader):
    from instaclone.testing import api_token

    post = PostFactory(author=alice, caption="soon gone #matrixtag")
    graph.follow_create(follower=bob, followee=alice)
    token = api_token(bob, "read") if reader == "follower" else None
    before = api_answers(alice, post, token)
    assert before == {"status": True, "account statuses": True, "hashtag": True, "home": reader == "follower"}
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert api_answers(alice, post, token) == dict.fromkeys(before, False)
    assert _api(Client(), f"/api/v1/accounts/{alice.pk}", token).status_code == 404


@pytest.mark.parametrize("reader", ["author", "stranger", "moderator"])
def test_api_hidden_post_agrees_with_the_web(alice, bob, moderator, reader):
    """A post hidden by moderators: the web decides who still sees it (its author with a notice,
    staff as the rule says); the API answers the same."""
    from instaclone.testing import api_token

    post = PostFactory(author=alice, caption="hidden later #matrixtag")
    Post.objects.filter(pk=post.pk).update(is_hidden=True)
    person = {"author": alice, "stranger": bob, "moderator": moderator}[reader]
    client = Client()
    client.force_login(person)
    api = api_answers(alice, post, api_token(person, "read"))
    assert api == web_answers(client, post)
    assert api["status"] == (reader != "stranger")  # moderators are staff: they see hidden posts


def test_api_private_account_statuses_never_reach_a_non_follower(alice, bob, charlie):
    """A private account's statuses are neither listed nor fetched by anyone who does not follow it,
    whatever door: status, context, account statuses, hashtag, home, favourited_by, search by link."""
    from instaclone.testing import api_token

    make_private(alice)
    post = PostFactory(author=alice, caption="for followers #privtag")
    graph.follow_create(follower=charlie, followee=alice)  # charlie only asks
    for token in (api_token(bob, "read"), api_token(charlie, "read"), None):
        c = Client()
        for path in (f"/api/v1/statuses/{post.pk}", f"/api/v1/statuses/{post.pk}/context",
                     f"/api/v1/statuses/{post.pk}/favourited_by"):
            assert _api(c, path, token).status_code == 404, path
        for path in (f"/api/v1/accounts/{alice.pk}/statuses", "/api/v1/timelines/tag/privtag"):
            r = _api(c, path, token)
            assert not _listed(r, post.pk), path
        if token:
            assert not _listed(_api(c, "/api/v1/timelines/home", token), post.pk)
            found = _api(c, f"/api/v2/search?q=http://testserver/p/{post.pk}/", token).json()
            assert found["statuses"] == []
