"""Back office: the clearing inbox and the clearing actions on an inbox item (views_clearing)."""

from django.urls import path

from . import views_clearing as views

urlpatterns = [
    path("clearing/", views.clearing_inbox, name="clearing"),
    path(
        "postfach/<int:item_id>/clearing/haushalt/",
        views.item_assign_household,
        name="item-clearing-assign",
    ),
    path(
        "postfach/<int:item_id>/clearing/neuer-haushalt/",
        views.item_register_household,
        name="item-clearing-register",
    ),
]
