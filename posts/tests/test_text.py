from posts.text import parse_hashtags, parse_mentions, render_caption


def test_hashtags_lower_case_unique_in_order():
    assert parse_hashtags("#Sunset and #sunset at the #Beach_2024 #1 a#b") == ["sunset", "beach_2024"]


def test_hashtags_in_any_script():
    assert parse_hashtags("#café #東京") == ["café", "東京"]


def test_mentions_skip_emails_and_trailing_period():
    assert parse_mentions("hi @Bob. and @alice_w, mail bob@example.com @@x @a..b") == ["bob", "alice_w"]


def test_render_links_tags_and_mentions_and_escapes_the_rest():
    html = render_caption('<script>alert("x")</script> #Fun with @Bob & co')
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<a class="caption__tag" href="/explore/tags/fun/">#Fun</a>' in html
    assert '<a class="caption__mention" href="/bob/">@Bob</a>' in html
    assert "&amp; co" in html


def test_reserved_names_are_not_linked():
    assert "<a" not in render_caption("ping @admin or @settings")


def test_render_cannot_inject_markup_through_a_tag():
    html = render_caption('#a"onmouseover=alert(1)')
    assert 'href="/explore/tags/a/">#a</a>&quot;onmouseover=alert(1)' in html
