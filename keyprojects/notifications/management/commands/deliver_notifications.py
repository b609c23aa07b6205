import time

from django.core.management.base import BaseCommand

from keyprojects.notifications.services import outbox_deliver


class Command(BaseCommand):
    help = (
        "Send the due messages of the notification outbox (e-mail, WeCom / DingTalk / Feishu robots), "
        "with retries and back-off. Run every minute; safe to run twice or in parallel."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=100, help="messages per round (default 100)")
        parser.add_argument(
            "--seconds",
            type=float,
            default=50,
            help="start no new round after this long (default 50, inside the minute between runs)",
        )

    def handle(self, *args, batch, seconds, **options):
        # Rounds of BATCH until the queue is drained or the time is up: a burst (one event to hundreds
        # of people) goes out in the same minute, and a run never overlaps the next by much.
        start = time.monotonic()
        total = {"sent": 0, "retry": 0, "dead": 0}
        while True:
            counts = outbox_deliver(batch=batch)
            for key, n in counts.items():
                total[key] += n
            if sum(counts.values()) < batch or time.monotonic() - start >= seconds:
                break
        self.stdout.write(f"已发送 {total['sent']} 条，待重试 {total['retry']} 条，放弃 {total['dead']} 条。")
