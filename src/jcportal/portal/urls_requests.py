from django.urls import path

from . import views_requests

urlpatterns = [
    path("angeforderte-unterlagen/", views_requests.request_list, name="requests"),
    path("angeforderte-unterlagen/<int:request_id>/", views_requests.request_detail, name="request"),
]
