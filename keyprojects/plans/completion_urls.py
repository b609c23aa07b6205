from django.urls import path

from keyprojects.plans import completion_views

urlpatterns = [
    path("", completion_views.completion, name="completion"),
    path("table.xlsx", completion_views.completion_table, name="completion_table"),
]
