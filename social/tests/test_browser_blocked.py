"""The blocked-accounts page: the shared "More" component loads the next people in place when it
scrolls into view, and Unblock removes the row (htmx); both work without JavaScript too."""

import pytest

from accounts.models import Block
from accounts.services import graph
from accounts.tests.factories import UserFactory
from social.selectors import PEOPLE_PAGE_SIZE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_blocked_list_loads_more_on_scroll_and_unblocks_in_place(page, live_server, login, alice):
    for i in range(PEOPLE_PAGE_SIZE + 2):
        graph.block_create(blocker=alice, blocked=UserFactory(username=f"b{i:02d}"))
    login(page, "alice")
    page.goto(f"{live_server.url}/social/blocked/")
    rows = page.locator("#blocked .person")
    assert rows.count() == PEOPLE_PAGE_SIZE
    page.locator("#blocked .people__more a").scroll_into_view_if_needed()
    page.wait_for_function(f"() => document.querySelectorAll('#blocked .person').length === {PEOPLE_PAGE_SIZE + 2}")
    assert page.url == f"{live_server.url}/social/blocked/"
    assert page.locator("#blocked .people__more").count() == 0
    first = rows.first
    first.locator("button", has_text="Unblock").click()
    page.wait_for_function(f"() => document.querySelectorAll('#blocked .person').length === {PEOPLE_PAGE_SIZE + 1}")
    assert Block.objects.filter(blocker=alice).count() == PEOPLE_PAGE_SIZE + 1
