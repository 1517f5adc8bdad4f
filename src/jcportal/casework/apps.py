from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "jcportal.casework"
    label = "casework"
    verbose_name = _("Case work: releases, tags, notifications, statistics")

    def ready(self) -> None:
        from jcportal.inbox.services import item_listeners

        from . import search, services, tasks  # noqa: F401  (registers the tasks)

        if services.notify_new_item not in item_listeners:
            item_listeners.append(services.notify_new_item)
        from jcportal.eforms.services import action_listeners

        from .followups import on_submission_action

        if on_submission_action not in action_listeners:
            action_listeners.append(on_submission_action)
        post_migrate.connect(search.ensure_search_index, dispatch_uid="casework-search-index")
        # the index is written by the application: the searched columns are encrypted at rest
        post_save.connect(
            search.on_document_saved, sender="documents.Document", dispatch_uid="casework-index"
        )
        post_delete.connect(
            search.on_document_deleted, sender="documents.Document", dispatch_uid="casework-unindex"
        )
