"""Request plumbing with no domain: the cap on request bodies, and no caching of signed-in pages."""

import io

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

READ_CHUNK = 64 * 1024


def _refusal(request, status):
    # Before LocaleMiddleware: in the site's default language, Chinese.
    with translation.override(settings.LANGUAGE_CODE):
        return _refusal_page(request, status)


def _refusal_page(request, status):
    limit = filesizeformat(settings.KP_MAX_REQUEST_BYTES)
    if status == 411:
        message = _("请求缺少内容长度（Content-Length），无法受理。")
    else:
        message = _("提交的内容过大（上限 %(limit)s），未被接收。请减少或压缩附件后分批上传。")
        message %= {"limit": limit}
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    html = render_to_string("413.html", {"status": status, "message": message})
    return HttpResponse(html, status=status)


def _read_chunked(request, cap):
    """A chunked body (no Content-Length), read up to CAP + 1 bytes in memory: None when it is larger.
    Only servers that de-chunk (gunicorn, mod_wsgi: wsgi.input_terminated) can be read to the end."""
    stream = request.META["wsgi.input"]
    parts, size = [], 0
    while size <= cap:
        data = stream.read(min(READ_CHUNK, cap + 1 - size))
        if not data:
            break
        parts.append(data)
        size += len(data)
    if size > cap:
        return None
    return b"".join(parts)


def request_size_limit(get_response):
    """Answer 413 to a body larger than KP_MAX_REQUEST_BYTES before anything reads it, so a huge upload
    never reaches Django's upload handlers and their temporary files. Placed first in MIDDLEWARE."""

    def middleware(request):
        cap = settings.KP_MAX_REQUEST_BYTES
        meta = request.META
        length = meta.get("CONTENT_LENGTH")
        if length:
            try:
                if int(length) > cap:
                    return _refusal(request, 413)
            except ValueError:
                pass  # Django reads such a body as empty
        elif "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower():
            if not meta.get("wsgi.input_terminated"):
                return _refusal(request, 411)
            body = _read_chunked(request, cap)
            if body is None:
                return _refusal(request, 413)
            # Django reads a body by its Content-Length: hand it the one just read.
            meta["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))
        return get_response(request)

    return middleware


def no_store_when_signed_in(get_response):
    """Cache-Control: no-store on every response to a signed-in user: no page with the office's data
    stays in a shared proxy or in the browser's cache after signing out. Static files never get here
    (WhiteNoise answers them earlier in MIDDLEWARE)."""

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True)
        return response

    return middleware
