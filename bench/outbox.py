#!/usr/bin/env python
"""Benchmark: delivering the notification outbox against the hand-written floor doing the same sends.

Run on demand (`.venv/bin/python bench/outbox.py`); it is not part of the test suite. It builds a
throw-away database (a temporary SQLite file, or the PostgreSQL database named by --database-url,
created and dropped; see bench/project_list.py), migrates it, writes N e-mail messages into the outbox
with `notification_send` (as the event services do), and starts a real local SMTP server (aiosmtpd).
Then, resetting the messages to pending before each run, it times:

  outbox_deliver   the job's real path: one claim transaction per message (row lock / IMMEDIATE),
                   send over one SMTP connection, one UPDATE per outcome;
  floor            one SELECT of the due rows, the same e-mails through one smtplib connection, one
                   bulk UPDATE … SET status = 'sent': as fast as sending can go, with none of the
                   guarantees (a crash half-way would send everything again);

each once with the real SMTP server and once with Django's dummy backend (the database work alone).
It checks that every message reached the SMTP server exactly once per run.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import project_list as base  # noqa: E402
from _harness import MIN_REPEAT, Row, emit, paired  # noqa: E402  (the throw-away database and the machine description)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="as bench/project_list.py (the name must contain 'bench')")
    parser.add_argument("--messages", type=int, default=1000, help="e-mails in the outbox (default 1000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case (default 5)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--debug", action="store_true")
    return parser.parse_args()


def fill(n):
    from keyprojects.notifications.models import Kind
    from keyprojects.notifications.services import notification_send
    from keyprojects.orgs.models import Organisation, User

    org = Organisation.objects.create(kind=Organisation.Kind.DISTRICT, name="青秀区")
    users = User.objects.bulk_create(
        [
            User(username=f"u{i}", email=f"u{i}@kp.test", organisation=org, role="district", password="!")
            for i in range(n)
        ]
    )
    notification_send(
        recipients=users,
        kind=Kind.PROBLEM_ESCALATED,
        title="问题提级：征地拆迁超过时限未解决",
        body="南宁市轨道交通5号线二期工程：征地拆迁问题超过时限未解决，已提级至市重点办协调。",
        url="/problems/12/",
        key="bench:1",
    )


def reset():
    from django.utils import timezone

    from keyprojects.notifications.models import OutboxMessage

    OutboxMessage.objects.update(status="pending", attempts=0, next_attempt_at=timezone.now(), sent_at=None)


def floor(n):
    """The same sends with no claims: SELECT everything due, send, one UPDATE."""
    from django.conf import settings
    from django.core.mail import EmailMessage, get_connection
    from django.db import connection
    from django.utils import timezone

    from keyprojects.notifications.channels import absolute_url, email_text

    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, address, subject, body, url FROM notifications_outboxmessage "
            "WHERE status = 'pending' AND next_attempt_at <= %s ORDER BY next_attempt_at, id LIMIT %s",
            [now, n],
        )
        rows = cursor.fetchall()
    mail = get_connection(fail_silently=False)
    mail.open()
    try:
        mail.send_messages(
            [
                EmailMessage(
                    subject=subject,
                    body=email_text(body=body, link=absolute_url(url)),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[address],
                )
                for _id, address, subject, body, url in rows
            ]
        )
    finally:
        mail.close()
    ids = [r[0] for r in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(
                "UPDATE notifications_outboxmessage SET status = 'sent', sent_at = %s, "
                f"attempts = attempts + 1 WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                [now, *chunk],
            )
    return len(ids)


def main():
    args = parse_args()
    url, tmp = base.prepare_database(args)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from keyprojects.notifications.models import OutboxMessage
    from keyprojects.notifications.services import outbox_deliver
    from keyprojects.notifications.tests.servers import SmtpServer

    smtp = SmtpServer()
    smtp.start()
    try:
        if not args.reuse:
            call_command("migrate", verbosity=0)
        if not OutboxMessage.objects.exists():
            fill(args.messages)
        n = OutboxMessage.objects.count()
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        base.describe(connection)
        print(f"messages  {n:,} e-mails in the outbox; {args.repeat} timed runs per case (median, p90)\n")

        def deliver():
            result = outbox_deliver(batch=n)
            assert result["sent"] == n, result
            return n

        results, rows = {}, []
        for backend, label in [
            ("django.core.mail.backends.smtp.EmailBackend", "local SMTP"),
            ("django.core.mail.backends.dummy.EmailBackend", "dummy backend (database work only)"),
        ]:
            settings.EMAIL_BACKEND = backend
            results[(label, "outbox_deliver")], results[(label, "floor")] = [], []
            sides = [("outbox_deliver", deliver), ("floor", lambda: floor(n))]
            for i in range(max(args.repeat, MIN_REPEAT)):  # interleaved, the order alternating
                for name, fn in sides[i % 2 :] + sides[: i % 2]:
                    samples = results[(label, name)]
                    reset()
                    before = len(smtp.messages)
                    start = time.perf_counter()
                    sent = fn()
                    samples.append(time.perf_counter() - start)
                    assert sent == n
                    if "smtp" in backend:
                        arrived = [m["to"][0] for m in smtp.messages[before:]]
                        assert len(arrived) == len(set(arrived)) == n, "each e-mail exactly once"
                    assert not OutboxMessage.objects.exclude(status="sent").exists()
            med = statistics.median(results[(label, "outbox_deliver")])
            base_med = statistics.median(results[(label, "floor")])
            print(label)
            for name in ("outbox_deliver", "floor"):
                s = results[(label, name)]
                median, p90 = base.ms(statistics.median(s)), base.ms(base.p90(s))
                print(
                    f"  {name:<15} median {median:8.1f} ms  p90 {p90:8.1f} ms  "
                    f"({n / statistics.median(s):,.0f} messages/s)"
                )
            print(f"  ratio           {med / base_med:.2f}× the floor\n")
            rows.append(
                Row(
                    f"outbox delivery, {n:,} e-mails, {label}: outbox_deliver / floor",
                    "—",
                    None,
                    paired(results[(label, "outbox_deliver")], results[(label, "floor")]),
                )
            )
        for row in rows:
            emit(row)
    finally:
        smtp.stop()
        base.drop_database(url, tmp, args.keep)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyprojects.settings")
    main()
