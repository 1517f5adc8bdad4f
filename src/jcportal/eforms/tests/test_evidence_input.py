"""Evidence inputs offer the camera and, next to it, the choice of files the person already has."""

import re

from django import forms

from jcportal.eforms.engine import CameraOrFilesInput, EvidenceField


class EvidenceForm(forms.Form):
    statements = EvidenceField(label="Bank statements", widget=CameraOrFilesInput())


def test_camera_input_and_a_labelled_file_chooser_under_one_name():
    html = str(EvidenceForm()["statements"])
    inputs = re.findall(r"<input[^>]*>", html)
    assert len(inputs) == 2
    camera, chooser = inputs
    assert 'name="statements"' in camera and 'name="statements"' in chooser
    assert 'capture="environment"' in camera and "capture" not in chooser
    assert "multiple" in camera and "multiple" in chooser
    assert 'accept="image/*,application/pdf"' in chooser
    assert "required" not in html  # either input may carry the files
    chooser_id = re.search(r'id="([^"]+)"', chooser).group(1)
    assert f'<label class="label label--secondary" for="{chooser_id}">' in html


def test_files_from_both_inputs_arrive_as_one_list():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils.datastructures import MultiValueDict

    photo = SimpleUploadedFile("seite1.jpg", b"\xff\xd8\xff jpeg")
    pdf = SimpleUploadedFile("kontoauszug.pdf", b"%PDF-1.7")
    form = EvidenceForm({}, MultiValueDict({"statements": [photo, pdf]}))
    assert form.is_valid(), form.errors
    assert [f.name for f in form.cleaned_data["statements"]] == ["seite1.jpg", "kontoauszug.pdf"]
    assert not EvidenceForm({}, MultiValueDict()).is_valid()  # still required on the server
