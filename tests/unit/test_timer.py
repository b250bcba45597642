from datetime import UTC, datetime, timedelta

from core.timer import OVER_COLOUR, UNDER_COLOUR, format_elapsed, read_timer

START = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


def test_timer_is_blue_up_to_the_ideal_time_and_red_one_second_after() -> None:
    at_limit = read_timer(START, START + timedelta(seconds=300), limit_seconds=300)
    past_limit = read_timer(START, START + timedelta(seconds=301), limit_seconds=300)
    assert (at_limit.over_limit, at_limit.colour) == (False, UNDER_COLOUR)
    assert (past_limit.over_limit, past_limit.colour) == (True, OVER_COLOUR)


def test_elapsed_is_mm_ss_below_an_hour_and_hh_mm_ss_from_an_hour() -> None:
    assert format_elapsed(0) == "00:00"
    assert format_elapsed(65) == "01:05"
    assert format_elapsed(3599) == "59:59"
    assert format_elapsed(3600) == "01:00:00"
    assert format_elapsed(3725) == "01:02:05"


def test_elapsed_comes_from_the_stored_start_not_from_ticks() -> None:
    reading = read_timer(START, START + timedelta(minutes=7, seconds=3), limit_seconds=600)
    assert reading.text == "07:03"


def test_a_start_in_the_future_reads_zero_instead_of_negative() -> None:
    assert read_timer(START, START - timedelta(seconds=5), 60).text == "00:00"
