"""Drafts survive a new session (and device); filed submissions keep the version they were filed under."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jcportal.accounts.models import User
from jcportal.eforms import engine, registry, services
from jcportal.eforms.models import Submission

from .helpers import start, submission_id_from, submit_step
from .test_services_http import ERSTANTRAG_STEPS

pytestmark = pytest.mark.django_db


def test_anonymous_draft_resumed_in_a_new_session_loses_nothing(demo_data):
    browser_one = Client()
    first = start(browser_one, "erstantrag")
    saved = submit_step(browser_one, first, ERSTANTRAG_STEPS["personal"])
    code = re.search(r'id="resume-code">([A-Z0-9-]+)<', browser_one.get(saved).content.decode()).group(1)
    identity_url = first.replace("/personal/", "/identity/")
    submit_step(browser_one, identity_url, ERSTANTRAG_STEPS["identity"])
    # "save and continue later" on a half-filled step keeps the valid answers
    situation_url = first.replace("/personal/", "/situation/")
    response = browser_one.post(
        situation_url, {"marital_status": "single", "able_to_work": "", "save_later": "1"}
    )
    assert "/gespeichert/" in response["Location"]
    del browser_one  # abandoned

    browser_two = Client()
    assert browser_two.get(situation_url).status_code == 404  # a new session needs the code
    response = browser_two.post(reverse("eforms:resume"), {"code": "WRONG-CODE-1234"})
    assert response.status_code == 400
    response = browser_two.post(reverse("eforms:resume"), {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302 and response["Location"].endswith("/situation/")
    page = browser_two.get(response["Location"]).content.decode()
    assert '<option value="single" selected>' in page
    review = browser_two.get(reverse("eforms:review", args=[submission_id_from(first)])).content.decode()
    for value in ("Neumann", "Petra", "Ahornweg 3", "Leipzig", "AOK", "31.05.2031"):
        assert value in review, value


def test_logged_in_draft_continues_on_another_device(demo_data):
    user = User.objects.get(username="demo-kunde")
    phone = Client()
    phone.force_login(user)
    first = start(phone, "kontakt")
    submit_step(phone, first, {"kind": "callback", "topic": "benefits", "message": "Frage zum Bescheid"})
    laptop = Client()
    laptop.force_login(user)
    services_page = laptop.get(reverse("portal:services")).content.decode()
    sid = submission_id_from(first)
    assert reverse("eforms:review", args=[sid]) in services_page
    callback = laptop.get(reverse("eforms:step", args=[sid, "callback"])).content.decode()
    assert "Rückruf" in callback or "Callback" in callback
    review = laptop.get(reverse("eforms:review", args=[sid])).content.decode()
    assert "Frage zum Bescheid" in review


def _file_kontakt(household_user: User, message: str) -> Submission:
    definition = registry.current("kontakt")
    submission = services.start_draft(definition, user=household_user, household=household_user.household)
    submission.data = {
        "contact": {"kind": "message", "topic": "other", "message": message},
        "attachment": {"attachment": []},
    }
    submission.save()
    return services.submit(submission)


def test_a_new_version_leaves_old_submissions_as_filed(demo_data, demo_citizen_client, demo_staff_client):
    user = User.objects.get(username="demo-kunde")
    old = _file_kontakt(user, "Alte Nachricht")
    assert old.form_version == 1
    v1 = registry.get("kontakt", 1)
    changed_step = dataclasses.replace(
        v1.steps[0],
        fields=(
            *v1.steps[0].fields[:2],
            engine.Field("message", engine.TEXTAREA, "Ihr Anliegen in eigenen Worten (neu)"),
            engine.Field("reference", engine.TEXT, "Aktenzeichen (neu)", required=False),
        ),
    )
    v2 = dataclasses.replace(
        v1, version=2, valid_from=timezone.localdate(), steps=(changed_step, *v1.steps[1:])
    )
    registry.register(v2)
    try:
        assert registry.current("kontakt").version == 2
        new_first = start(demo_citizen_client, "kontakt")
        assert Submission.objects.get(pk=submission_id_from(new_first)).form_version == 2
        assert "Aktenzeichen (neu)" in demo_citizen_client.get(new_first).content.decode()
        # the old one renders with its own labels, for the citizen, in the back office and in the PDF
        detail = demo_citizen_client.get(reverse("eforms:detail", args=[old.pk])).content.decode()
        assert "Aktenzeichen (neu)" not in detail and "(neu)" not in detail
        assert "Alte Nachricht" in detail
        staff = demo_staff_client("demo-sachbearbeitung")
        back_office = staff.get(reverse("backoffice:submission", args=[old.pk])).content.decode()
        assert "(neu)" not in back_office and "Alte Nachricht" in back_office
        schema_v1 = demo_citizen_client.get(reverse("eforms:schema", args=["kontakt", 1])).json()
        assert "reference" not in schema_v1["properties"]["data"]["properties"]["contact"]["properties"]
        schema_v2 = demo_citizen_client.get(reverse("eforms:schema", args=["kontakt", 2])).json()
        assert "reference" in schema_v2["properties"]["data"]["properties"]["contact"]["properties"]
    finally:
        registry.unregister(v2)


def test_wba_filed_under_buergergeld_still_shows_the_karenzzeit_question(demo_data):
    user = User.objects.get(username="demo-kunde")
    submission = services.start_draft(registry.get("wba", 1), user=user, household=user.household)
    head = user.household.head
    submission.data = {
        "personal": {
            "first_name": head.first_name,
            "last_name": head.last_name,
            "date_of_birth": head.date_of_birth.isoformat(),
            "approval_until": "2026-06-30",
            "phone": None,
            "email": None,
        },
        "changes": {"sections": ["assets"]},
        "assets": {"considerable": "no", "total_value": "5000.00", "description": "Sparbuch"},
        "statements": {"bank_statements": []},
        "declaration": {"truthful": True, "privacy": True},
    }
    submission.save()
    # bank statements are required: without them the submission is refused
    with pytest.raises(services.WorkflowError):
        services.submit(submission)
    step = registry.get("wba", 1).step("statements")
    assert step is not None
    submission.data["statements"]["bank_statements"] = ["00000000-0000-0000-0000-000000000000"]
    submission.save()
    filed = services.submit(submission)
    sections = engine.display(filed.definition, filed.data)
    labels = [row.label for section in sections for row in section.rows]
    assert any("erhebliches Vermögen" in label for label in labels)
    assert filed.form_version == 1 and registry.current("wba").version == 2
    assert dt.date(2026, 7, 1) == registry.current("wba").valid_from


def test_resume_code_by_email_and_applicant_language_copy(demo_data, mailoutbox):
    client = Client()
    first = start(client, "erstantrag")
    saved = submit_step(client, first, ERSTANTRAG_STEPS["personal"])
    code = re.search(r'id="resume-code">([A-Z0-9-]+)<', client.get(saved).content.decode()).group(1)
    response = client.post(saved, {"email": "not-an-address"})
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    client.post(saved, {"email": "petra@example.org"})
    assert len(mailoutbox) == 1
    assert code in mailoutbox[0].body and "/antrag/fortsetzen/?code=" in mailoutbox[0].body
    assert "Ahornweg" not in mailoutbox[0].body  # no personal data in the e-mail


def test_stale_drafts_are_purged_but_not_those_with_a_date_of_application(demo_data):
    user = User.objects.get(username="demo-kunde")
    old_draft = services.start_draft(registry.current("kontakt"), user=user, household=user.household)
    kept = services.start_draft(registry.current("erstantrag"))
    kept.application_date = dt.date.today()
    kept.save()
    Submission.objects.filter(pk__in=[old_draft.pk, kept.pk]).update(
        updated_at=timezone.now() - dt.timedelta(days=40)
    )
    fresh = services.start_draft(registry.current("kontakt"), user=user, household=user.household)
    assert services.purge_stale_drafts(30) == 1
    remaining = set(Submission.objects.values_list("pk", flat=True))
    assert old_draft.pk not in remaining and {kept.pk, fresh.pk} <= remaining


def test_save_later_on_a_repeated_step_keeps_the_valid_answers(demo_data):
    client = Client()
    first = start(client, "erstantrag")
    submit_step(client, first, ERSTANTRAG_STEPS["personal"])
    sid = submission_id_from(first)
    submission = Submission.objects.get(pk=sid)
    submission.data = {**submission.data, "household": {"adults_count": 0, "children_count": 2}}
    submission.save()
    url = reverse("eforms:step", args=[sid, "children"])
    response = client.post(
        url,
        {"p0-first_name": "Mia", "p1-first_name": "Ben", "p1-date_of_birth": "2099-01-01", "save_later": "1"},
    )
    assert "/gespeichert/" in response["Location"]
    page = client.get(url).content.decode()
    assert 'value="Mia"' in page and 'value="Ben"' in page
    assert "children" not in Submission.objects.get(pk=sid).data


def test_demo_data_has_a_partial_first_application_to_follow_up(demo_data, demo_staff_client):
    from jcportal.eforms.demo import seed

    assert seed() == 0  # idempotent
    page = (
        demo_staff_client("demo-sachbearbeitung")
        .get(reverse("backoffice:submission-followups"))
        .content.decode()
    )
    assert "Beispiel" in page and "0176 5550123" in page
    assert (
        "Beispiel"
        not in demo_staff_client("demo-sachbearbeitung2")
        .get(reverse("backoffice:submission-followups"))
        .content.decode()
    )


def test_representative_files_only_with_the_services_scope(demo_data):
    from jcportal.accounts.models import Representation, Role

    household = User.objects.get(username="demo-kunde").household
    representative = User.objects.create_user(
        "betreuer", password="x-Passwort-2026", role=Role.REPRESENTATIVE
    )
    grant = Representation.objects.create(
        representative=representative, household=household, scope_services=False
    )
    client = Client()
    client.force_login(representative)
    assert client.post(reverse("eforms:start", args=["kontakt"])).status_code == 404
    grant.scope_services = True
    grant.save()
    response = client.post(reverse("eforms:start", args=["kontakt"]))
    assert response.status_code == 302
    submission = Submission.objects.get(pk=submission_id_from(response["Location"]))
    assert submission.by_representative and submission.household == household


def test_applicant_who_wants_emails_is_told_about_a_decision(
    demo_data, mailoutbox, django_capture_on_commit_callbacks
):
    user = User.objects.get(username="demo-kunde")
    user.email, user.notify_by_email = "anna@example.org", True
    user.save()
    filed = _file_kontakt(user, "Bitte um Rückmeldung")
    staff = User.objects.get(username="demo-sachbearbeitung")
    with django_capture_on_commit_callbacks(execute=True):
        services.apply_action(filed, "done", staff, "Erledigt, Ihr Antrag ist durch.")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["anna@example.org"]
    assert "Erledigt" not in mailoutbox[0].body and "/portal/dienste/" in mailoutbox[0].body
