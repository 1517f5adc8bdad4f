from django.urls import path

from . import views_services

urlpatterns = [
    path("dienste/", views_services.services, name="services"),
]
