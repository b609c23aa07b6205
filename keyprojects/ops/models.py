from django.db import models
from django.utils.translation import gettext_lazy as _


class Backup(models.Model):
    """One run of `manage.py backup`: where its archive went and what it holds, or why it failed.

    Written after the archive is complete, so an archive never contains its own record."""

    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), db_index=True)
    ok = models.BooleanField(_("成功"), default=False)
    # The full path on the machine that wrote it (HOST): the page says where to look.
    path = models.CharField(_("备份文件"), max_length=500, blank=True)
    host = models.CharField(_("服务器"), max_length=100, blank=True)
    size = models.BigIntegerField(_("大小（字节）"), default=0)
    vendor = models.CharField(_("数据库"), max_length=20, blank=True)
    tables = models.PositiveIntegerField(_("数据表"), default=0)
    rows = models.BigIntegerField(_("记录数"), default=0)
    files = models.PositiveIntegerField(_("上传文件"), default=0)
    generations = models.PositiveSmallIntegerField(_("保留份数"), default=0)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        ordering = ["-finished_at", "-id"]
        verbose_name = _("备份")
        verbose_name_plural = _("备份")

    def __str__(self):
        return self.path or str(self.finished_at)

    @property
    def file_name(self) -> str:
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def directory(self) -> str:
        return self.path[: len(self.path) - len(self.file_name)].rstrip("/\\")


class Heartbeat(models.Model):
    """A background process's last sign of life (the scheduler loop, a worker): /readyz checks its age."""

    name = models.CharField(_("进程"), max_length=50, unique=True)
    beat_at = models.DateTimeField(_("最近心跳"))
    host = models.CharField(_("服务器"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("心跳")
        verbose_name_plural = _("心跳")

    def __str__(self):
        return self.name


class JobRun(models.Model):
    """The latest run of one scheduled job, updated in place (one row per job, however often it runs),
    and its lease: the scheduler loop that moves next_run_at on (a conditional UPDATE) runs the job."""

    name = models.CharField(_("任务"), max_length=100, unique=True)
    started_at = models.DateTimeField(_("最近开始"), null=True, blank=True)
    finished_at = models.DateTimeField(_("最近结束"), null=True, blank=True)
    ok = models.BooleanField(_("最近一次成功"), default=True)
    error = models.TextField(_("最近错误"), blank=True)
    runs = models.PositiveIntegerField(_("运行次数"), default=0)
    failures = models.PositiveIntegerField(_("失败次数"), default=0)
    failed_at = models.DateTimeField(_("最近失败"), null=True, blank=True)
    next_run_at = models.DateTimeField(_("下次运行"), null=True, blank=True)
    claimed_by = models.CharField(_("最近领取的服务器"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("定时任务运行")
        verbose_name_plural = _("定时任务运行")

    def __str__(self):
        return self.name

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
