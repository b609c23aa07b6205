from django.urls import path

from keyprojects.plans import views

urlpatterns = [path("", views.annual_list, name="completion")]
