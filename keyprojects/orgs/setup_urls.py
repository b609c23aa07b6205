from django.urls import path

from keyprojects.orgs import setup_views

urlpatterns = [
    path("", setup_views.office_setup, name="office_setup"),
]
