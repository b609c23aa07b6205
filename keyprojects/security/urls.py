from django.urls import path

from keyprojects.security import views

urlpatterns = [
    path("log/", views.security_log, name="security_log"),
    path("log/export.xlsx", views.security_log_export, name="security_log_export"),
    path("otp/", views.otp_devices, name="otp_devices"),
    path("otp/<int:pk>/reset/", views.otp_device_reset, name="otp_device_reset"),
    path("otp/enrol/", views.otp_enrol, name="otp_enrol"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
]
