"""Load official holidays and 调休 workdays of some years from `chinesecalendar` into the calendar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from wangge.core.holidays import complete_years, holidays_load


class Command(BaseCommand):
    help = "Load the holiday calendar of the given years (default: this year and the next) from chinesecalendar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("years", nargs="*", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        this_year = timezone.localdate().year
        failed: list[int] = []
        for year in options["years"] or [this_year, this_year + 1]:
            added = holidays_load(actor=None, year=year)
            if added is None and complete_years([year]):
                self.stdout.write(f"{year}: not in chinesecalendar, already entered and marked complete")
            elif added is None:
                failed.append(year)
                self.stderr.write(
                    f"{year}: chinesecalendar has no data for this year; paste the State Council's notice on the "
                    "holiday calendar page and mark the year complete (deadlines in that year use plain weekends "
                    "until then)."
                )
            else:
                self.stdout.write(f"{year}: {added} day(s) added")
        if failed:
            # A scheduled job must notice: exit with status 1.
            raise CommandError(f"no holiday data for {', '.join(map(str, failed))}")
