from django.urls import path

from keyprojects.dashboard import views

urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("screen/", views.cockpit_screen, name="cockpit_screen"),
    path("map/", views.map_projects, name="map_projects"),
    path("leaders/<int:pk>/", views.leader_page, name="leader_page"),
    path("remind-reports/", views.report_remind, name="report_remind"),
    path("boundaries/", views.boundary_list, name="boundary_list"),
    path("boundaries/<int:org_id>/upload/", views.boundary_upload, name="boundary_upload"),
    path("boundaries/<int:org_id>/delete/", views.boundary_delete, name="boundary_delete"),
]
