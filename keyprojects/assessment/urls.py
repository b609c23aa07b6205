from django.urls import path

from keyprojects.assessment import views

urlpatterns = [
    path("schemes/", views.scheme_list, name="scheme_list"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("scores/", views.score_overview, name="score_overview"),
    path("scores/compute/", views.assessment_compute, name="assessment_compute"),
    path("scores/compute/status/", views.assessment_compute_status, name="assessment_compute_status"),
    path("scores/<int:pk>/", views.score_detail, name="score_detail"),
    path("scores/<int:pk>/records/<slug:code>/", views.score_records, name="score_records"),
    path("lists/", views.ranking_list_index, name="ranking_list_index"),
    path("lists/draft/<int:run_pk>/", views.ranking_list_draft, name="ranking_list_draft"),
    path("lists/<int:pk>/", views.ranking_list_detail, name="ranking_list_detail"),
    path("lists/<int:pk>/add/", views.ranking_entry_add, name="ranking_entry_add"),
    path("lists/<int:pk>/review/", views.ranking_list_review, name="ranking_list_review"),
    path("lists/<int:pk>/publish/", views.ranking_list_publish, name="ranking_list_publish"),
    path("lists/<int:pk>/correct/", views.ranking_list_correct, name="ranking_list_correct"),
    path("lists/<int:pk>/notice.docx", views.ranking_list_notice, name="ranking_list_notice"),
    path("entries/<int:pk>/remove/", views.ranking_entry_remove, name="ranking_entry_remove"),
    path("entries/<int:pk>/exempt/", views.ranking_entry_exempt, name="ranking_entry_exempt"),
    path("entries/<int:pk>/exemption/", views.ranking_exemption_file, name="ranking_exemption_file"),
    path("notices/", views.notice_list, name="notice_list"),
    path("briefings/<int:year>/<int:month>.docx", views.briefing_download, name="briefing_download"),
]
