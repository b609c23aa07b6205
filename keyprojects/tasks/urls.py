from django.urls import path

from keyprojects.tasks import views

urlpatterns = [
    path("", views.task_list, name="task_list"),
    path("export.xlsx", views.task_export, name="task_export"),
    path("mine/", views.task_mine, name="task_mine"),
    path("mine/export.xlsx", views.task_mine_export, name="task_mine_export"),
    path("project/<int:pk>/", views.task_project, name="task_project"),
    path("project/<int:pk>/export.xlsx", views.task_project_export, name="task_project_export"),
    path("project/<int:pk>/timeline/", views.task_timeline, name="task_timeline"),
    path("project/<int:pk>/new/", views.task_create, name="task_create"),
    path("project/<int:pk>/generate/", views.task_generate, name="task_generate"),
    path("<int:pk>/", views.task_detail, name="task_detail"),
    path("<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("<int:pk>/done/", views.task_done, name="task_done"),
    path("<int:pk>/status/", views.task_status, name="task_status"),
    path("<int:pk>/evidence/", views.task_evidence_add, name="task_evidence_add"),
    path("evidence/<int:pk>/", views.task_evidence_download, name="task_evidence_download"),
    path("templates/", views.task_template_list, name="task_template_list"),
    path("templates/new/", views.task_template_create, name="task_template_create"),
    path("templates/<int:pk>/", views.task_template_edit, name="task_template_edit"),
    path("templates/<int:pk>/delete/", views.task_template_delete, name="task_template_delete"),
]
