import pytest
from django.urls import reverse

from posts.text import parse_hashtags, parse_mentions, render_caption


def test_hashtags_lower_case_unique_in_order():
    assert parse_hashtags("#Sunset and #sunset at the #Beach_2024 #1 a#b") == ["sunset", "beach_2024"]


def test_hashtags_in_any_script():
    assert parse_hashtags("#café #東京") == ["café", "東京"]


def test_mentions_skip_emails_and_trailing_period():
    assert parse_mentions("hi @Bob. and @alice_w, mail bob@example.com @@x @a..b") == ["bob", "alice_w"]


def test_render_links_tags_and_mentions_and_escapes_the_rest():
    html = render_caption('<script>alert("x")</script> #Fun with @Bob & co', {"bob"})
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<a class="caption__tag" href="/explore/tags/fun/">#Fun</a>' in html
    assert '<a class="caption__mention" href="/bob/">@Bob</a>' in html
    assert "&amp; co" in html


def test_reserved_names_are_not_linked():
    assert "<a" not in render_caption("ping @admin or @settings", {"admin", "settings"})


def test_render_cannot_inject_markup_through_a_tag():
    html = render_caption('#a"onmouseover=alert(1)')
    assert 'href="/explore/tags/a/">#a</a>&quot;onmouseover=alert(1)' in html


@pytest.mark.parametrize("tag", ["fun", "café", "東京", "beach_2024", "Ünïcode"])
def test_tag_links_are_what_reverse_returns(tag):
    url = reverse("hashtag", kwargs={"name": tag.lower()})
    assert f'<a class="caption__tag" href="{url}">#{tag}</a>' in render_caption(f"at the #{tag} today")


@pytest.mark.parametrize("name", ["bob", "Alice_W", "j.doe", "x1"])
def test_mention_links_are_what_reverse_returns(name):
    url = reverse("profile", kwargs={"username": name.lower()})
    assert f'<a class="caption__mention" href="{url}">@{name}</a>' in render_caption(f"hi @{name} there", {name.lower()})


def test_caption_links_follow_a_changed_urlconf(settings):
    assert 'href="/explore/tags/sun/"' in render_caption("#sun @bob", {"bob"})
    settings.ROOT_URLCONF = "instaclone.tests.urls_prefixed"
    html = render_caption("#sun @bob", {"bob"})
    assert 'href="/prefixed/explore/tags/sun/"' in html and 'href="/prefixed/bob/"' in html


def test_text_without_tags_or_mentions_is_only_escaped():
    assert (
        render_caption('Wow <b>"5 > 4"</b> & more')
        == "Wow &lt;b&gt;&quot;5 &gt; 4&quot;&lt;/b&gt; &amp; more"
    )


def test_a_mention_of_a_name_nobody_has_is_plain_text():
    html = render_caption("hi @bob and @nobody_here", {"bob"})
    assert '<a class="caption__mention" href="/bob/">@bob</a>' in html
    assert "@nobody_here" in html and "/nobody_here/" not in html


def test_mentions_link_case_insensitively_by_the_known_lower_case_name():
    assert 'href="/bob/">@BoB</a>' in render_caption("@BoB", {"bob"})


def test_no_known_names_links_no_mention_but_still_tags():
    html = render_caption("#sun @bob")
    assert 'href="/explore/tags/sun/"' in html and "<a class=\"caption__mention\"" not in html
