from django.urls import path

from keyprojects.coordination import views
from keyprojects.coordination.meeting_urls import urlpatterns as meeting_urlpatterns

urlpatterns = [
    path("", views.problem_list, name="problem_list"),
    path("export.xlsx", views.problem_export, name="problem_export"),
    path("stats/", views.problem_stats, name="problem_stats"),
    path("new/project/<int:project_id>/", views.problem_create, name="problem_create"),
    path("new/report/<int:report_id>/", views.problem_create_from_report, name="problem_create_from_report"),
    path("<int:pk>/", views.problem_detail, name="problem_detail"),
    path("<int:pk>/assign/", views.problem_assign, name="problem_assign"),
    path("<int:pk>/co-unit/", views.problem_co_unit, name="problem_co_unit"),
    path("<int:pk>/progress/", views.problem_progress, name="problem_progress"),
    path("<int:pk>/resolve/", views.problem_resolve, name="problem_resolve"),
    path("<int:pk>/confirm/", views.problem_confirm, name="problem_confirm"),
    path("<int:pk>/reject/", views.problem_reject, name="problem_reject"),
    path("<int:pk>/reopen/", views.problem_reopen, name="problem_reopen"),
    path("<int:pk>/escalate/", views.problem_escalate, name="problem_escalate"),
    path("<int:pk>/deescalate/", views.problem_deescalate, name="problem_deescalate"),
    path("<int:pk>/instruct/", views.instruction_create, name="instruction_create"),
    path("attachments/<int:pk>/", views.problem_attachment, name="problem_attachment"),
    path("instructions/", views.instruction_list, name="instruction_list"),
    path("instructions/<int:pk>/reply/", views.instruction_reply, name="instruction_reply"),
    path("levels/", views.escalation_levels, name="escalation_levels"),
    *meeting_urlpatterns,
]
