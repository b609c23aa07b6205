from django.urls import path

from keyprojects.alerts import views

urlpatterns = [
    path("", views.warning_list, name="warning_list"),
    path("export.xlsx", views.warning_export, name="warning_export"),
    path("<int:pk>/", views.warning_detail, name="warning_detail"),
    path("rules/", views.warning_rules, name="warning_rules"),
    path("rules/<int:pk>/", views.warning_rule_edit, name="warning_rule_edit"),
    path("operating/", views.operating_list, name="operating_list"),
    path("operating/<int:pk>/", views.operating_detail, name="operating_detail"),
    path("operating/<int:pk>/target/", views.operating_target, name="operating_target"),
    path("operating/<int:pk>/actual/", views.operating_actual, name="operating_actual"),
]
