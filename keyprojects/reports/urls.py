from django.urls import path

from keyprojects.reports import views

urlpatterns = [
    path("", views.open_data, name="open_data"),
    path("oc4ids.json", views.oc4ids_download, name="oc4ids_download"),
    path("settings/", views.open_data_settings, name="open_data_settings"),
]
