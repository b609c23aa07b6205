from django.urls import path

from keyprojects.calendars import views

urlpatterns = [
    path("", views.calendar_years, name="calendar_years"),
    path("<int:year>/", views.calendar_year, name="calendar_year"),
]
