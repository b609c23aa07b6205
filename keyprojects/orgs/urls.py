from django.urls import path

from keyprojects.orgs import views

urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("<int:pk>/aliases/", views.organisation_alias_add, name="organisation_alias_add"),
    path("aliases/<int:pk>/delete/", views.organisation_alias_remove, name="organisation_alias_remove"),
]
