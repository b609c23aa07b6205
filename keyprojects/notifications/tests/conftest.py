import pytest

from keyprojects.notifications.tests.servers import RobotServer, SmtpServer


@pytest.fixture
def smtp(settings):
    """A real SMTP server, and Django's SMTP backend pointed at it."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "重点项目管理系统 <noreply@kp.test>"
    settings.KP_SITE_URL = "https://kp.example.gov.cn"
    yield server
    server.stop()


@pytest.fixture
def robot(settings):
    """A group robot that answers at once; tests script failures on `robot.script`."""
    settings.KP_WEBHOOK_TIMEOUT = 0.5
    settings.KP_SITE_URL = "https://kp.example.gov.cn"
    server = RobotServer(hang=1.5).start()
    yield server
    server.stop()
