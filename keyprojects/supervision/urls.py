from django.urls import path

from keyprojects.supervision import views

urlpatterns = [
    path("letters/", views.letter_list, name="letter_list"),
    path("letters/new/", views.letter_create, name="letter_create"),
    path("letters/bulk/", views.letter_bulk, name="letter_bulk"),
    path("letters/<int:pk>/", views.letter_detail, name="letter_detail"),
    path("letters/<int:pk>/reply/", views.letter_reply, name="letter_reply"),
    path("letters/<int:pk>/sign-off/", views.letter_sign_off, name="letter_sign_off"),
    path("letters/<int:pk>/return/", views.letter_return, name="letter_return"),
    path("letters/<int:pk>/letter.docx", views.letter_document, name="letter_document"),
    path("letters/evidence/<int:pk>/", views.letter_evidence, name="letter_evidence"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/findings/", views.finding_create, name="finding_create"),
    path("inspections/photos/<int:pk>/", views.finding_photo, name="finding_photo"),
    path("rectifications/", views.rectification_list, name="rectification_list"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/submit/", views.rectification_submit, name="rectification_submit"),
    path("rectifications/<int:pk>/decide/", views.rectification_decide, name="rectification_decide"),
    path("rectifications/evidence/<int:pk>/", views.rectification_evidence, name="rectification_evidence"),
    path("tours/", views.tour_list, name="tour_list"),
    path("tours/new/", views.tour_create, name="tour_create"),
    path("tours/<int:pk>/", views.tour_detail, name="tour_detail"),
    path("tours/<int:pk>/criteria/", views.tour_criteria, name="tour_criteria"),
    path("tours/<int:pk>/projects/<int:project_pk>/", views.tour_score, name="tour_score"),
    path("tours/<int:pk>/close/", views.tour_close, name="tour_close"),
]
