from django.urls import path

from keyprojects.plans import report_views as views

urlpatterns = [
    path("", views.report_todo, name="report_todo"),
    path("review/", views.report_queue, name="report_queue"),
    path("review/approve/", views.report_approve_batch, name="report_approve_batch"),
    path("status/", views.report_status, name="report_status"),
    path("status/export.xlsx", views.report_status_export, name="report_status_export"),
    path("locks/", views.report_locks, name="report_locks"),
    path("entry/<int:entry_id>/", views.report_entry, name="report_entry"),
    path("entry/<int:entry_id>/<int:month>/", views.report_fill, name="report_fill"),
    path("entry/<int:entry_id>/<int:month>/preview/", views.report_preview, name="report_preview"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/approve/", views.report_approve, name="report_approve"),
    path("<int:pk>/return/", views.report_return, name="report_return"),
    path("<int:pk>/adjust/", views.report_adjust, name="report_adjust"),
    path("photos/<int:pk>/", views.report_photo, name="report_photo"),
    path("photos/<int:pk>/delete/", views.report_photo_delete, name="report_photo_delete"),
]
