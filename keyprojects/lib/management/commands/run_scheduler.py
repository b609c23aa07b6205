from django.core.management.base import BaseCommand

from keyprojects.lib.scheduler import run_forever


class Command(BaseCommand):
    help = "Run scheduled jobs in a loop (for the one-command start; production uses cron)."

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=int, default=30, help="seconds between checks")

    def handle(self, *args, tick, **options):
        run_forever(tick_seconds=tick)
