from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "keyprojects.projects"
    label = "projects"
    verbose_name = _("项目库")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from keyprojects.lib.cache import bump_on
        from keyprojects.orgs.models import Organisation, User
        from keyprojects.projects.models import Project, Sector
        from keyprojects.projects.selectors import FILTER_TOPIC

        # Cache invalidation, not business logic: whoever writes (services, admin, imports), the
        # list's cached filter choices and owner names must not outlive what they list.
        bump = bump_on(FILTER_TOPIC)
        for model in (Organisation, Sector, User, Project):
            for signal in (post_save, post_delete):
                signal.connect(
                    bump, sender=model, weak=False, dispatch_uid=f"project-filters-{model.__name__}"
                )
