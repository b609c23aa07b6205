"""Global search, mounted at /search/ (keyprojects/urls.py)."""

from django.urls import path

from keyprojects.reports import views

urlpatterns = [
    path("", views.search, name="search"),
    path("quick/", views.search_quick, name="search_quick"),
]
