from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "keyprojects.security"
    label = "security"
    verbose_name = _("安全")

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.db.models.signals import post_save

        from keyprojects.orgs import hooks
        from keyprojects.security import receivers

        # Django's and axes' own signals are the only place these events surface; the receivers only
        # call services.
        user_logged_in.connect(receivers.logged_in, dispatch_uid="security.logged_in")
        user_logged_out.connect(receivers.logged_out, dispatch_uid="security.logged_out")
        user_login_failed.connect(receivers.login_failed, dispatch_uid="security.login_failed")
        user_locked_out.connect(receivers.locked_out, dispatch_uid="security.locked_out")
        # A user disabled anywhere (office pages, bulk import, the admin site) loses every session.
        post_save.connect(receivers.user_saved, sender=get_user_model(), dispatch_uid="security.user_saved")
        hooks.login_unlocked.register(receivers.unlocked)
