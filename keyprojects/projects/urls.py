from django.urls import path

from keyprojects.projects import views

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("export.xlsx", views.project_export, name="project_export"),
    path("exports/<uuid:pk>/", views.project_export_status, name="project_export_status"),
    path("exports/<uuid:pk>/download/", views.project_export_download, name="project_export_download"),
    path("new/", views.project_create, name="project_create"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/stage/", views.project_stage, name="project_stage"),
    path("<int:pk>/prelim/<str:kind>/", views.prelim_item_edit, name="prelim_item_edit"),
    path("<int:pk>/factors/new/", views.factor_need_create, name="factor_need_create"),
    path("<int:pk>/factors/<int:need_id>/edit/", views.factor_need_edit, name="factor_need_edit"),
    path("<int:pk>/factors/<int:need_id>/delete/", views.factor_need_delete, name="factor_need_delete"),
]
