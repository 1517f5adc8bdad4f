"""Resumable uploads on the portal (issue 14 point 5): with JavaScript the files go in 1 MiB parts to
hochladen/teile/… with a progress bar; a connection cut at half the upload resumes without sending the
finished parts again, and exactly one document arrives. Without JavaScript the plain form still works."""

from __future__ import annotations

import collections
import json
import re

import pytest
from django.urls import reverse

from jcportal.core.testing.fixtures import browser_login
from jcportal.documents.models import Document
from jcportal.documents.tests import samples
from jcportal.portal import views_uploads_resumable as resumable

PART = re.compile(r"/hochladen/teile/[0-9a-f-]{36}/(\d+)/$")


def _big_jpeg(parts: float) -> bytes:
    head = samples.jpeg()
    return head + b"\0" * (int(parts * resumable.PART_SIZE) - len(head))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_connection_cut_at_half_the_upload_resumes_without_sending_finished_parts_again(
    demo_data, live_server, phone_page
):
    page = phone_page
    browser_login(page, "demo-kunde", "Demo-Kunde-2026")
    before = Document.objects.count()
    page.goto("/portal/hochladen/")
    page.check("input[name=doc_type][value=lohnabrechnung]")
    page.fill("textarea[name=note]", "Lohnabrechnung November")
    page.set_input_files(
        "input[name=more_files]",
        [{"name": "lohn.pdf", "mimeType": "application/pdf", "buffer": _big_jpeg(5.5)}],  # six parts
    )

    sent: collections.Counter[int] = collections.Counter()
    cut: list[int] = []

    def parts(route):  # type: ignore[no-untyped-def]
        number = int(PART.search(route.request.url).group(1))  # type: ignore[union-attr]
        sent[number] += 1
        if number == 4 and not cut:  # half the bytes are through: the connection breaks off once
            cut.append(number)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(PART, parts)
    progress: list[str] = []
    page.expose_function("noteProgress", lambda text: progress.append(text))
    page.evaluate(
        """() => new MutationObserver(() => window.noteProgress(
             document.querySelector('[data-upload-progress-text]').textContent))
           .observe(document.querySelector('[data-upload-progress-text]'), {childList: true})"""
    )
    page.click("[data-upload-submit]")
    page.wait_for_url(re.compile(r"/hochladen/[0-9a-f-]{36}/bestaetigung/$"))

    assert cut == [4]
    assert sent == {1: 1, 2: 1, 3: 1, 4: 2, 5: 1, 6: 1}  # only the cut part went twice
    # The bar in "x of y MB" (in the citizen's language), the cut said in words, then on from 54 %.
    percents = [int(p.split(" %")[0]) for p in progress if " %" in p]
    assert percents == sorted(percents) and percents[-1] == 100, progress
    assert all("5.5" in p for p in progress if " %" in p), progress
    cut_at = next(i for i, p in enumerate(progress) if " %" not in p)
    assert progress[cut_at - 1].startswith("54 %") and progress[cut_at + 1].startswith("54 %"), progress
    assert page.locator("progress[data-upload-progress-bar]").count() == 0  # now on the receipt page
    assert Document.objects.count() == before + 1
    document = Document.objects.latest("received_at")
    assert document.doc_type == "lohnabrechnung"
    assert document.note == "Lohnabrechnung November"
    original = document.originals.get()
    assert original.size == len(_big_jpeg(5.5))


@pytest.mark.django_db
def test_the_part_endpoints_need_the_csrf_token_and_the_own_session(demo_data):
    from django.test import Client

    from jcportal.accounts.models import User

    user = User.objects.get(username="demo-kunde")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    url = reverse("portal:upload-parts")
    data = {"doc_type": "lohnabrechnung", "files": json.dumps([{"name": "a.pdf", "size": 10}])}
    assert strict.post(url, data).status_code == 403  # no CSRF token

    client = Client()
    client.force_login(user)
    answer = client.post(url, data)
    assert answer.status_code == 201
    upload = answer.json()
    part = upload["status_url"] + "1/"
    assert client.put(part, b"x" * 9, content_type="application/octet-stream").status_code == 400
    assert client.put(part, b"x" * 10, content_type="application/octet-stream").status_code == 200
    assert client.get(upload["status_url"]).json() == {"received": [1]}

    other = Client()  # another session never sees the upload
    other.force_login(user)
    assert other.get(upload["status_url"]).status_code == 404
    assert client.post(reverse("portal:upload-parts"), {"doc_type": "", "files": "[]"}).status_code == 400


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_camera_first_big_buttons_and_a_short_type_choice_without_axe_violations(
    demo_data, live_server, phone_page, browser
):
    from jcportal.core.testing.a11y import axe_violations

    page = phone_page
    browser_login(page, "demo-kunde", "Demo-Kunde-2026")
    page.goto("/portal/hochladen/")
    camera = page.locator("label[for=id_files]").bounding_box()
    choose = page.locator("label[for=id_more_files]").bounding_box()
    types = page.locator("fieldset:has(input[name=doc_type])").bounding_box()
    assert camera and choose and types
    assert camera["y"] < choose["y"] < types["y"]  # the camera button first, the types after
    assert camera["height"] >= 48 and camera["width"] >= 300  # a big button on a 390 px phone
    assert page.is_visible("input[name=doc_type][value=kontoauszug]")
    assert not page.is_visible("input[name=doc_type][value=sonstiges]")  # behind "Other document types"
    assert axe_violations(page) == []
    page.click("details.upload-more-types summary")
    page.check("input[name=doc_type][value=sonstiges]")
    assert axe_violations(page) == []

    # Without JavaScript: the native inputs, <details> still opens, and the plain form sends.
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server.url, java_script_enabled=False
    )
    try:
        plain = context.new_page()
        browser_login(plain, "demo-kunde", "Demo-Kunde-2026")
        plain.goto("/portal/hochladen/")
        assert plain.is_visible("input[name=files]")
        before = Document.objects.count()
        plain.click("details.upload-more-types summary")
        plain.check("input[name=doc_type][value=sonstiges]")
        plain.fill("input[name=title]", "Brief vom Vermieter")
        plain.set_input_files(
            "input[name=files]", [{"name": "a.jpg", "mimeType": "image/jpeg", "buffer": samples.jpeg()}]
        )
        plain.click("[data-upload-submit]")
        plain.wait_for_url(re.compile(r"/bestaetigung/$"))
        assert Document.objects.count() == before + 1
        assert Document.objects.latest("received_at").title == "Brief vom Vermieter"
    finally:
        context.close()


@pytest.mark.django_db
def test_complete_creates_one_document_for_the_chosen_request_item_and_again_returns_it(demo_data):
    from django.test import Client

    from jcportal.accounts.models import User
    from jcportal.docrequests import selectors as request_selectors

    user = User.objects.get(username="demo-kunde")
    client = Client()
    client.force_login(user)
    household = client.get(reverse("portal:upload")).wsgi_request.portal_household  # type: ignore[attr-defined]
    item = request_selectors.missing_items(household)[0]
    size = resumable.PART_SIZE + 10  # two parts
    upload = client.post(
        reverse("portal:upload-parts"),
        {
            "doc_type": f"item-{item.pk}",
            "note": "Für die Anforderung",
            "files": json.dumps([{"name": "k.pdf", "size": size}]),
        },
    ).json()
    assert upload["part_count"] == 2
    assert (
        client.put(
            upload["status_url"] + "2/", b"b" * 10, content_type="application/octet-stream"
        ).status_code
        == 200
    )
    assert client.post(upload["complete_url"]).status_code == 409  # part 1 missing: nothing created
    before = Document.objects.count()
    client.put(
        upload["status_url"] + "1/", b"a" * resumable.PART_SIZE, content_type="application/octet-stream"
    )
    done = client.post(upload["complete_url"])
    assert done.status_code == 201
    again = client.post(upload["complete_url"])  # the answer got lost: the same document, not a second
    assert again.json() == done.json()
    assert Document.objects.count() == before + 1
    document = Document.objects.latest("received_at")
    assert (document.doc_type, document.note) == (item.doc_type, "Für die Anforderung")
    assert item.pk in set(document.request_items.values_list("pk", flat=True))
    assert document.originals.get().size == size
