from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keyprojects.orgs.models import Organisation


class DistrictBoundary(models.Model):
    """A district's outline for the project map (一张图), uploaded by the office as GeoJSON.

    Kept as a FeatureCollection whose features are named after the district (ECharts' registerMap
    matches regions by properties.name), whatever shape the upload came in."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("城区"),
        on_delete=models.CASCADE,
        related_name="boundary",
        limit_choices_to={"kind": Organisation.Kind.DISTRICT},
    )
    geojson = models.JSONField(_("边界（GeoJSON）"))
    vertices = models.PositiveIntegerField(_("顶点数"), default=0)
    original_name = models.CharField(_("文件名"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now=True)

    class Meta:
        ordering = ["organisation__sort", "organisation__name"]
        verbose_name = _("城区边界")
        verbose_name_plural = _("城区边界")

    def __str__(self):
        return str(self.organisation)
