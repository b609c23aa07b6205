"""The inbox and channel preferences (every user, their own messages only), and the office's pages for
group robots and the outbox."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.lib.forms import apply_errors
from keyprojects.notifications import selectors, services
from keyprojects.notifications.access import get_notification_for_user
from keyprojects.notifications.forms import ROBOT_CHANNELS, PreferencesForm, WebhookForm
from keyprojects.notifications.models import Channel, OutboxMessage, WebhookEndpoint
from keyprojects.orgs.access import require_office

PAGE_SIZE = 20


def _page(request, items, **keep):
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in keep.items() if v)
    return {
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": query,
    }


def _safe(request, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


# Inbox


@require_GET
@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    items = selectors.inbox_for(request.user, unread_only=unread_only)
    context = {"unread_only": unread_only, **_page(request, items, unread="1" if unread_only else "")}
    return render(request, "notifications/inbox.html", context)


@require_POST
@login_required
def notification_read(request, pk):
    notification = get_notification_for_user(request.user, pk)
    services.notification_mark_read(user=request.user, notification=notification)
    if request.POST.get("open") and _safe(request, notification.url):
        return redirect(notification.url)
    back = request.POST.get("next", "")
    return redirect(back if _safe(request, back) else "inbox")


@require_POST
@login_required
def notification_read_all(request):
    n = services.notifications_mark_all_read(user=request.user)
    if n:
        messages.success(request, _("已将 %(n)s 条消息标为已读。") % {"n": n})
    return redirect("inbox")


@require_http_methods(["GET", "POST"])
@login_required
def notification_preferences(request):
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, rows=selectors.preferences_for(request.user)
    )
    if form.is_bound and form.is_valid():
        services.channel_preferences_save(user=request.user, choices=form.choices())
        messages.success(request, _("通知设置已保存。"))
        return redirect("notification_preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "has_email": bool(request.user.email)},
    )


# Group robots and the outbox (office)


@require_GET
@login_required
def webhook_list(request):
    require_office(request.user)
    endpoints = list(selectors.webhook_list())
    for endpoint in endpoints:
        endpoint.masked = services.masked_url(endpoint.url)
    return render(request, "notifications/webhook_list.html", {"endpoints": endpoints, "tab": "webhooks"})


@require_http_methods(["GET", "POST"])
@login_required
def webhook_create(request):
    require_office(request.user)
    form = WebhookForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint = services.webhook_endpoint_create(
                by=request.user,
                organisation=data["organisation"],
                channel=data["channel"],
                name=data["name"],
                url=data["url"],
                secret=data["secret"],
                is_active=data["is_active"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已添加群机器人“%(name)s”。") % {"name": endpoint.name})
            return redirect("webhook_list")
    return render(
        request, "notifications/webhook_form.html", {"form": form, "endpoint": None, "tab": "webhooks"}
    )


@require_http_methods(["GET", "POST"])
@login_required
def webhook_edit(request, pk):
    require_office(request.user)
    endpoint = get_object_or_404(WebhookEndpoint.objects.select_related("organisation"), pk=pk)
    initial = {
        "organisation": endpoint.organisation,
        "channel": endpoint.channel,
        "name": endpoint.name,
        "url": endpoint.url,
        "is_active": endpoint.is_active,
    }
    form = WebhookForm(request.POST if request.method == "POST" else None, initial=initial, endpoint=endpoint)
    if form.is_bound and form.is_valid():
        try:
            services.webhook_endpoint_update(by=request.user, endpoint=endpoint, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("群机器人“%(name)s”已保存。") % {"name": form.cleaned_data["name"]})
            return redirect("webhook_list")
    return render(
        request, "notifications/webhook_form.html", {"form": form, "endpoint": endpoint, "tab": "webhooks"}
    )


@require_POST
@login_required
def webhook_delete(request, pk):
    require_office(request.user)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    services.webhook_endpoint_delete(by=request.user, endpoint=endpoint)
    messages.success(request, _("已删除群机器人“%(name)s”。") % {"name": endpoint.name})
    return redirect("webhook_list")


@require_POST
@login_required
def webhook_test(request, pk):
    require_office(request.user)
    endpoint = get_object_or_404(WebhookEndpoint.objects.select_related("organisation"), pk=pk)
    services.webhook_test_enqueue(by=request.user, endpoint=endpoint)
    messages.info(
        request,
        _("测试消息已放入发送队列，将在一分钟内发往“%(name)s”；结果见发送队列。") % {"name": endpoint.name},
    )
    return redirect("webhook_list")


@require_GET
@login_required
def outbox_list(request):
    require_office(request.user)
    status = request.GET.get("status", "")
    status = status if status in OutboxMessage.Status.values else ""
    channel = request.GET.get("channel", "")
    channel = channel if channel in Channel.values else ""
    context = {
        "tab": "outbox",
        "status": status,
        "channel": channel,
        "statuses": [("", _("全部")), *OutboxMessage.Status.choices],
        "channels": [("", _("全部渠道")), (Channel.EMAIL.value, Channel.EMAIL.label), *ROBOT_CHANNELS],
        "counts": selectors.outbox_counts(),
        **_page(
            request, selectors.outbox_list(status=status, channel=channel), status=status, channel=channel
        ),
    }
    return render(request, "notifications/outbox_list.html", context)


@require_POST
@login_required
def outbox_retry(request, pk):
    require_office(request.user)
    message = get_object_or_404(OutboxMessage, pk=pk)
    if services.outbox_retry(message=message):
        messages.success(request, _("已重新放入发送队列，将在一分钟内重试。"))
    else:
        messages.warning(request, _("只有发送失败的消息可以重试。"))
    back = request.POST.get("next", "")
    return redirect(back if _safe(request, back) else "outbox_list")
