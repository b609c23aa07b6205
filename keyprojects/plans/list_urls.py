"""URLs of the annual list, its batches, intake proposals and plan changes (the list itself is
`annual_list`, at the root of plans/)."""

from django.urls import path

from keyprojects.plans import views

urlpatterns = [
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/changes/new/", views.plan_change_create, name="plan_change_create"),
    path("<int:year>/entries/new/", views.entry_create, name="entry_create"),
    path("<int:year>/batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/publish/", views.batch_publish, name="batch_publish"),
    path("proposals/", views.proposal_list, name="proposal_list"),
    path("proposals/new/", views.proposal_create, name="proposal_create"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/submit/", views.proposal_submit, name="proposal_submit"),
    path("proposals/<int:pk>/review/", views.proposal_review, name="proposal_review"),
    path("changes/", views.plan_change_list, name="plan_change_list"),
    path("changes/<int:pk>/decide/", views.plan_change_decide, name="plan_change_decide"),
]
