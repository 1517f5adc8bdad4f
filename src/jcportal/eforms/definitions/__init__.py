"""The built-in online services. Importing this package registers every version of every form."""

from . import erstantrag, kontakt, krankmeldung, ortsabwesenheit, vaem, wba  # noqa: F401
