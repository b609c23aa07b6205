"""Dispatch meetings, leader links and service visits (mounted with the problems under /problems/)."""

from django.urls import path

from keyprojects.coordination import leader_views, meeting_views

urlpatterns = [
    path("meetings/", meeting_views.meeting_list, name="meeting_list"),
    path("meetings/new/", meeting_views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meeting_views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/held/", meeting_views.meeting_held, name="meeting_held"),
    path("meetings/<int:pk>/minutes.docx", meeting_views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/gather/", meeting_views.agenda_gather, name="agenda_gather"),
    path("meetings/<int:pk>/agenda/add/", meeting_views.agenda_add, name="agenda_add"),
    path("meetings/agenda/<int:pk>/decide/", meeting_views.agenda_decide, name="agenda_decide"),
    path("meetings/agenda/<int:pk>/remove/", meeting_views.agenda_remove, name="agenda_remove"),
    path("leaders/", leader_views.leader_list, name="leader_list"),
    path("leaders/mine/", leader_views.leader_mine, name="leader_mine"),
    path("leaders/over-100m/", leader_views.leader_over_yi, name="leader_over_yi"),
    path("leaders/links/new/", leader_views.leader_link_create, name="leader_link_create"),
    path("leaders/links/<int:pk>/delete/", leader_views.leader_link_delete, name="leader_link_delete"),
    path("visits/", leader_views.visit_list, name="visit_list"),
    path("visits/new/", leader_views.visit_create, name="visit_create"),
    path("visits/<int:pk>/", leader_views.visit_detail, name="visit_detail"),
]
