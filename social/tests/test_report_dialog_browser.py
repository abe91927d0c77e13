"""The report dialog closes with plain `<form method="dialog">` buttons (issue 10: htmx/HTML features
instead of custom JS): Cancel and Close work with app.js not loaded at all, and Cancel sends nothing."""

import re

import pytest

from instaclone.testing import make_user
from social.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_report_dialog(page, live_server):
    page.route(re.compile(r".*/static/js/app(\.[0-9a-f]+)?\.js$"), lambda route: route.abort())
    page.goto(f"{live_server.url}/alice/")
    page.click(".profile__menu summary")
    page.click(".profile__menu-body a")
    dialog = page.locator("dialog.report-dialog--modal")
    dialog.wait_for()
    return dialog


def test_cancel_closes_the_report_dialog_without_script_and_sends_nothing(page, live_server, login):
    make_user("alice")
    make_user("bob")
    login(page, "bob")
    dialog = _open_report_dialog(page, live_server)
    dialog.get_by_role("button", name="Cancel").click()
    page.locator("dialog").wait_for(state="detached")
    assert Report.objects.count() == 0


def test_close_after_sending_closes_the_report_dialog_without_script(page, live_server, login):
    make_user("alice")
    make_user("bob")
    login(page, "bob")
    dialog = _open_report_dialog(page, live_server)
    dialog.get_by_role("radio", name="Spam").check()
    dialog.get_by_role("button", name="Send report").click()
    page.get_by_text("Thanks for letting us know").wait_for()
    page.locator("dialog.report-dialog--modal").get_by_role("button", name="Close").click()
    page.locator("dialog").wait_for(state="detached")
    assert Report.objects.count() == 1
