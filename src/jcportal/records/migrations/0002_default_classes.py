"""The documented default retention classes (docs/operations/records.md), the state archive settings and
the "Records management" group with the records permission. Administrators change them in the admin."""

from django.db import migrations

CLASSES = [
    # code, name, scope, match, years, days, start event, from year end, offer to archive, legal source
    (
        "leistungsakte",
        "Leistungsakte SGB II (E-Akte der Bedarfsgemeinschaft)",
        "case_file",
        "",
        10,
        0,
        "left_benefits",
        True,
        True,
        "10 Jahre nach Ende des Leistungsbezugs: § 40 Abs. 1 SGB II i. V. m. § 45 Abs. 3 Satz 3 SGB X "
        "(Rücknahme rechtswidriger Bescheide bis zu 10 Jahre) und VV ZBR BHO. Vor der Vernichtung dem "
        "zuständigen Archiv anzubieten (Weisung des BMAS, Landesarchivgesetz). Manche Träger bewahren "
        "13 Jahre auf (BA-Regionaldirektion 2012): hier anpassen. Verlängert durch Sperren (Rücknahme, "
        "Erbenhaftung § 35 SGB II, laufende Einziehung).",
    ),
    (
        "kontoauszuege",
        "Kontoauszüge",
        "document_type",
        "kontoauszug",
        10,
        0,
        "left_benefits",
        True,
        True,
        "Zur Akte genommene Kontoauszüge dürfen aufbewahrt werden, soweit sie leistungserheblich sind "
        "(BSG, Urteil vom 14.05.2020, B 14 AS 7/19 R); dann gilt die Frist der Leistungsakte.",
    ),
    (
        "au-bescheinigungen",
        "Arbeitsunfähigkeitsbescheinigungen (Gesundheitsdaten)",
        "document_type",
        "au_bescheinigung",
        10,
        0,
        "left_benefits",
        True,
        True,
        "Gesundheitsdaten (Art. 9 DSGVO); Teil der Leistungsakte, soweit leistungserheblich (Meldepflicht "
        "§ 56 SGB II). Eine kürzere gesetzliche Frist ist nicht belegt: mit der/dem Datenschutzbeauftragten "
        "festlegen.",
    ),
    (
        "arbeitskopie-portal",
        "Arbeitskopie im Portal (im DMS abgelegt)",
        "working_copy",
        "",
        0,
        90,
        "acknowledged",
        False,
        False,
        "Das Schriftgut liegt in der E-Akte/im DMS; die Kopie im Portal ist danach nicht mehr erforderlich "
        "(§ 84 Abs. 2 SGB X, Art. 5 Abs. 1 lit. e und Art. 17 DSGVO). 90 Tage nach der Empfangsbestätigung "
        "des DMS; vgl. BA: Papieroriginale werden 8 Wochen nach dem Scannen vernichtet.",
    ),
    (
        "abgelehnte-uploads",
        "Nicht angenommene Uploads (abgelehnt, Schadsoftware)",
        "rejected_upload",
        "",
        0,
        90,
        "received",
        False,
        False,
        "Kein Teil der Akte; zu löschen, sobald nicht mehr erforderlich (§ 84 Abs. 2 SGB X). 90 Tage: "
        "Voreinstellung von jcportal, damit Rückfragen möglich bleiben.",
    ),
    (
        "ohne-akte",
        "Dokumente ohne Zuordnung zu einer Bedarfsgemeinschaft",
        "unassigned",
        "",
        2,
        0,
        "received",
        True,
        False,
        "Clearing und nicht umgewandelte Voranmeldungen: zu löschen, sobald nicht mehr erforderlich "
        "(§ 84 Abs. 2 SGB X). Keine gesetzliche Frist; Voreinstellung von jcportal.",
    ),
    (
        "kontaktanliegen",
        "Nachrichten, Rückruf- und Terminwünsche (Online-Dienst)",
        "online_service",
        "kontakt",
        2,
        0,
        "received",
        True,
        False,
        "Keine gesetzliche Frist; erledigte Anliegen sind nicht mehr erforderlich (§ 84 Abs. 2 SGB X). "
        "Voreinstellung von jcportal.",
    ),
    (
        "protokolldaten",
        "Zugriffsprotokoll (versiegelte Monate)",
        "audit_log",
        "",
        2,
        0,
        "received",
        True,
        False,
        "Protokolle der Zugriffe auf Sozialdaten dienen der Datenschutzkontrolle und der Auskunft nach "
        "Art. 15 DSGVO (§ 78a SGB X, Art. 32 DSGVO). Keine gesetzliche Frist für das SGB II: Voreinstellung "
        "von jcportal, mit der/dem Datenschutzbeauftragten festlegen.",
    ),
]

GROUP = "Records management (Schriftgutverwaltung)"


def seed_classes(retention_class, archive_settings):  # type: ignore[no-untyped-def]
    """The default classes and the archive settings, never changing a class that exists (also called by
    ``records.services.ensure_defaults`` with the live models)."""
    for code, name, scope, match, years, days, start, year_end, offer, source in CLASSES:
        retention_class.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "scope": scope,
                "match": match,
                "duration_years": years,
                "duration_days": days,
                "start_event": start,
                "from_year_end": year_end,
                "offer_to_archive": offer,
                "legal_source": source,
            },
        )
    archive_settings.objects.get_or_create(pk=1)


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    seed_classes(apps.get_model("records", "RetentionClass"), apps.get_model("records", "ArchiveSettings"))

    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("records")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    permission = apps.get_model("auth", "Permission").objects.get(
        codename="manage_records", content_type__app_label="records"
    )
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
