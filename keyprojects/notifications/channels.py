"""How one outbox message leaves the system: e-mail through Django's e-mail backend, and the JSON a
WeCom (企业微信), DingTalk (钉钉) or Feishu (飞书) group robot expects, posted with urllib.

Every sender raises `DeliveryError` when the message did not get through (retry later) and
`PermanentError` when retrying cannot help. Nothing here touches the database.
"""

import base64
import hashlib
import hmac
import http.client
import json
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext as _

# The robots cap a message's size (WeCom: markdown 4,096 bytes; DingTalk and Feishu about 20 KB);
# ours are short notices, so a long body is cut rather than refused.
MAX_BODY_CHARS = 1000
MAX_ANSWER_BYTES = 64 * 1024


class DeliveryError(Exception):
    """The message did not get through; try again later. DOWN says the channel itself failed (no
    connection, no answer), so the run stops trying it and leaves its other messages for later."""

    def __init__(self, message: str, *, down: bool = False):
        super().__init__(message)
        self.down = down


class PermanentError(DeliveryError):
    """The message can never get through as it stands (bad address, robot switched off)."""


def absolute_url(url: str) -> str:
    """A link in the message, made absolute with KP_SITE_URL so it works outside the browser."""
    if not url or url.startswith(("http://", "https://")):
        return url
    base = getattr(settings, "KP_SITE_URL", "").rstrip("/")
    return f"{base}{url}" if base else url


def _short(text: str) -> str:
    text = (text or "").strip()
    return text if len(text) <= MAX_BODY_CHARS else text[: MAX_BODY_CHARS - 1] + "…"


# Neither WeCom nor DingTalk documents a backslash escape, so the characters that make markdown or
# HTML (links, tags, emphasis, code, headings, quotes, tables, entities) become their
# full-width forms: they read the same in Chinese text and no renderer takes them as markup.
MARKDOWN_FULL_WIDTH = str.maketrans(
    {
        "\\": "＼",
        "`": "｀",
        "*": "＊",
        "_": "＿",
        "[": "［",
        "]": "］",
        "<": "＜",
        ">": "＞",
        "#": "＃",
        "|": "｜",
        "~": "～",
        "&": "＆",
    }
)


def markdown_line(text: str) -> str:
    """User text (a title, a name) as one line of inert markdown."""
    return " ".join((text or "").split()).translate(MARKDOWN_FULL_WIDTH)


def markdown_text(text: str) -> str:
    """User text (a body) as inert markdown, line breaks kept."""
    return "\n".join(line.strip().translate(MARKDOWN_FULL_WIDTH) for line in _short(text).splitlines())


def markdown_link(label: str, link: str) -> str:
    """The system's own link, with the characters that could end the markdown link percent-encoded."""
    return f"[{label}]({urllib.parse.quote(link, safe='/:?=&%#@$+,;~')})"


# Payloads, in the formats the platforms document for their custom group robots.


def wecom_payload(*, title: str, body: str, link: str) -> dict:
    """WeCom: {"msgtype": "markdown", "markdown": {"content": ...}}."""
    lines = [f"**{markdown_line(title)}**"]
    if body:
        lines.append(markdown_text(body))
    if link:
        lines.append(markdown_link(_("查看详情"), link))
    return {"msgtype": "markdown", "markdown": {"content": "\n".join(lines)}}


def dingtalk_payload(*, title: str, body: str, link: str) -> dict:
    """DingTalk: {"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}; the title is what the
    chat list shows (plain text), the text is the message."""
    parts = [f"#### {markdown_line(title)}"]
    if body:
        parts.append(markdown_text(body))
    if link:
        parts.append(markdown_link(_("查看详情"), link))
    return {
        "msgtype": "markdown",
        "markdown": {"title": " ".join(title.split()), "text": "\n\n".join(parts)},
    }


def feishu_payload(*, title: str, body: str, link: str) -> dict:
    """Feishu: rich text ("post") with a title and a link when there is one, plain "text" otherwise."""
    if not link:
        text = f"{title}\n{_short(body)}" if body else title
        return {"msg_type": "text", "content": {"text": text}}
    content = [[{"tag": "text", "text": line}] for line in _short(body).splitlines() if line.strip()]
    content.append([{"tag": "a", "text": _("查看详情"), "href": link}])
    return {"msg_type": "post", "content": {"post": {"zh_cn": {"title": title, "content": content}}}}


# Signing ("加签"): both use HMAC-SHA256 over "timestamp\nsecret", base64-encoded; they differ in
# the timestamp's unit, which side is the key, and where the signature goes.


def dingtalk_sign(*, secret: str, timestamp_ms: int) -> str:
    """DingTalk: key = the secret, message = "timestamp_ms\\nsecret"; sent as URL parameters."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), digestmod=hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(*, secret: str, timestamp_s: int) -> str:
    """Feishu: key = "timestamp_s\\nsecret", message empty; sent in the JSON body."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", digestmod=hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def webhook_request(*, channel: str, url: str, secret: str, title: str, body: str, link: str, now: datetime):
    """The URL and JSON body to post to a robot of CHANNEL, signed when it has a SECRET."""
    if channel == "wecom":
        payload = wecom_payload(title=title, body=body, link=link)
    elif channel == "dingtalk":
        payload = dingtalk_payload(title=title, body=body, link=link)
        if secret:
            ms = int(now.timestamp() * 1000)
            query = urllib.parse.urlencode(
                {"timestamp": ms, "sign": dingtalk_sign(secret=secret, timestamp_ms=ms)}
            )
            url = f"{url}{'&' if '?' in url else '?'}{query}"
    elif channel == "feishu":
        payload = feishu_payload(title=title, body=body, link=link)
        if secret:
            seconds = int(now.timestamp())
            payload = {
                "timestamp": str(seconds),
                "sign": feishu_sign(secret=secret, timestamp_s=seconds),
                **payload,
            }
    else:
        raise PermanentError(_("未知的群机器人类型：%(channel)s") % {"channel": channel})
    return url, payload


def _answer_error(answer: bytes) -> str:
    """The platform's own error in a 200 answer ({"errcode": 93000} / {"code": 19021}), or ""."""
    try:
        data = json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return ""  # Not JSON: a proxy or a test robot; the HTTP status already said yes.
    if not isinstance(data, dict):
        return ""
    for code_key, message_key in (("errcode", "errmsg"), ("code", "msg"), ("StatusCode", "StatusMessage")):
        code = data.get(code_key)
        if code not in (None, 0, "0"):
            return f"{code_key}={code} {data.get(message_key, '')}".strip()
    return ""


def webhook_post(*, url: str, payload: dict, timeout: float) -> None:
    """Post PAYLOAD as JSON; raise DeliveryError unless the robot answers 2xx without an error code."""
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise PermanentError(
            _("群机器人地址必须以 http:// 或 https:// 开头：%(scheme)s") % {"scheme": scheme or "—"}
        )
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
            answer = response.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code} {error.reason}", down=True) from error
    except TimeoutError as error:
        raise DeliveryError(_("超时（%(s)s 秒）未应答") % {"s": f"{timeout:g}"}, down=True) from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise DeliveryError(_("超时（%(s)s 秒）未应答") % {"s": f"{timeout:g}"}, down=True) from error
        raise DeliveryError(_("无法连接：%(reason)s") % {"reason": error.reason}, down=True) from error
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryError(_("连接中断：%(error)r") % {"error": error}, down=True) from error
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}", down=True)
    problem = _answer_error(answer)
    if problem:
        raise DeliveryError(_("群机器人返回错误：%(problem)s") % {"problem": problem})


def email_text(*, body: str, link: str) -> str:
    parts = [body.strip()] if body.strip() else []
    if link:
        parts.append(_("查看详情：%(link)s") % {"link": link})
    parts.append(
        "——\n" + _("此邮件由重点项目管理系统自动发送，请勿直接回复。可在系统的“通知设置”中选择接收方式。")
    )
    return "\n\n".join(parts)


class Mailer:
    """One SMTP connection for a whole delivery run, opened on the first e-mail and reopened after a
    failure (Django's backend, so EMAIL_HOST … settings apply)."""

    def __init__(self):
        self.connection = None

    def send(self, *, address: str, subject: str, body: str, link: str) -> None:
        if self.connection is None:
            connection = get_connection(fail_silently=False)
            try:
                connection.open()
            except (smtplib.SMTPException, OSError) as error:
                raise DeliveryError(
                    _("无法连接邮件服务器：%(error)r") % {"error": error}, down=True
                ) from error
            self.connection = connection
        message = EmailMessage(
            subject=" ".join(subject.split()),  # a header cannot hold a line break
            body=email_text(body=body, link=link),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            connection=self.connection,
        )
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _msg in error.recipients.values()]
            if codes and all(500 <= code < 600 for code in codes):
                raise PermanentError(_("收件地址被拒绝：%(r)s") % {"r": error.recipients}) from error
            raise DeliveryError(_("收件地址暂时被拒绝：%(r)s") % {"r": error.recipients}) from error
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise DeliveryError(_("邮件发送失败：%(error)r") % {"error": error}, down=True) from error

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # a broken connection may fail to close; it is dropped anyway
                pass
            self.connection = None
