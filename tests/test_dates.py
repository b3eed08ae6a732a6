"""Wave dates printed in the column headers of pollsters' tables (polls._dates)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from polls._dates import HeaderDateError, parse_date_text, sample_note
from polls._dates import parse_header_dates as parse_frame

TODAY = dt.date(2026, 12, 4)


def parse_header_dates(texts, **kwargs):
    """The parsed header as (start, end, precision) tuples of dates."""
    got = parse_frame(texts, **kwargs)
    return [(s.date(), e.date(), p) for s, e, p in got.itertuples(index=False)]


def month(year, number):
    start = dt.date(year, number, 1)
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start, end, "month"


def days_(first, last):
    return dt.date.fromisoformat(first), dt.date.fromisoformat(last), "day"


@pytest.mark.parametrize(("text", "expected"), [
    # Levada and VCIOM: abbreviated Russian months with two-digit years
    ("мар.22", month(2022, 3)), ("фев.22", month(2022, 2)), ("сент.21", month(2021, 9)),
    ("ноя.21", month(2021, 11)), ("мар.22 г.", month(2022, 3)), ("Мар. 22", month(2022, 3)),
    ("дек.99", month(1999, 12)), ("янв.00", month(2000, 1)),
    # full names, year last or first
    ("март 2022", month(2022, 3)), ("2022 март", month(2022, 3)), ("Март 2022 г.", month(2022, 3)),
    ("март 2023.", month(2023, 3)), ("јун 2022.", month(2022, 6)), ("јануар 2023.", month(2023, 1)),
    ("mart 2023", month(2023, 3)), ("2022. mart", month(2022, 3)), ("maj 2022", month(2022, 5)),
    ("decembar 2021.", month(2021, 12)),
    # English, as Excel and the English-language releases print them
    ("Mar-22", month(2022, 3)), ("Mar'22", month(2022, 3)), ("Mar 22", month(2022, 3)),
    ("March 2022", month(2022, 3)), ("Sept 2021", month(2021, 9)),
    # numeric months and Roman numerals
    ("03.2022", month(2022, 3)), ("03.22", month(2022, 3)), ("2022-03", month(2022, 3)),
    ("III.2022", month(2022, 3)), ("III 2022", month(2022, 3)), ("XII.2021", month(2021, 12)),
    ("iii 22", month(2022, 3)),
    # days and fieldwork ranges
    ("2022-03-24", days_("2022-03-24", "2022-03-24")),
    ("24.03.2022", days_("2022-03-24", "2022-03-24")),
    ("24.III.2022", days_("2022-03-24", "2022-03-24")),
    ("24–30 марта 2022", days_("2022-03-24", "2022-03-30")),
    ("24-30 марта 2022 г.", days_("2022-03-24", "2022-03-30")),
    ("13-19. jun 2022", days_("2022-06-13", "2022-06-19")),
    ("13–19. јуна 2022.", days_("2022-06-13", "2022-06-19")),
    ("24-30.03.22", days_("2022-03-24", "2022-03-30")),
    ("28.02-06.03.22", days_("2022-02-28", "2022-03-06")),
    ("28 Feb – 3 Mar 2022", days_("2022-02-28", "2022-03-03")),
])
def test_header_forms(text, expected):
    assert parse_header_dates([text], today=TODAY) == [expected]


def test_two_digit_years_follow_the_date_they_are_judged_against():
    # 27 is next year in 2026, so 2027; in 2020 it would lie years ahead, so 1927 ... which is
    # before any poll: an error
    assert parse_header_dates(["янв.27"], today=TODAY) == [month(2027, 1)]
    with pytest.raises(HeaderDateError, match="neither 2027"):
        parse_header_dates(["янв.27"], today=dt.date(2020, 1, 1))
    # 95 is 1995 whenever 2095 is in the future
    assert parse_header_dates(["дек.95", "янв.96"], today=TODAY) == [
        month(1995, 12), month(1996, 1)]


@pytest.mark.parametrize(("texts", "index", "reason"), [
    (["мар.22", "мар.29"], 1, "two-digit year 29 is neither 2029"),
    (["03/04/2022", "03/05/2022"], 0, "reads both day-first and month-first"),
    (["март 2022", "Smarch 2022"], 1, "not a date"),
    (["2021", "2022"], 0, "a year alone"),
    (["март 2022", "30-24 марта 2022"], 1, "ends before it starts"),
    (["март 2022", ""], 1, "empty date"),
])
def test_header_errors_name_the_cell(texts, index, reason):
    with pytest.raises(HeaderDateError, match=reason) as info:
        parse_header_dates(texts, today=TODAY)
    assert info.value.index == index
    assert info.value.text == texts[index]


def test_slash_dates_follow_the_order_the_header_proves():
    assert parse_header_dates(["13/04/2022", "03/05/2022"], today=TODAY) == [
        days_("2022-04-13", "2022-04-13"), days_("2022-05-03", "2022-05-03")]
    assert parse_header_dates(["04/13/2022", "05/03/2022"], today=TODAY) == [
        days_("2022-04-13", "2022-04-13"), days_("2022-05-03", "2022-05-03")]


@pytest.mark.parametrize(("text", "rest", "n"), [
    ("март 2022 (N=1600)", "март 2022", 1600),
    ("mart 2023, n = 1 012", "mart 2023", 1012),
    ("Mar-22 [N=1,600]", "Mar-22", 1600),
    ("март 2022", "март 2022", None),
])
def test_sample_size_notes_in_headers(text, rest, n):
    assert sample_note(text) == (rest, n)


def test_data_columns_still_refuse_two_digit_years():
    with pytest.raises(ValueError, match="two-digit years"):
        parse_date_text("12.03.22")


def test_long_headers_read_column_wise_agree_with_the_cell_by_cell_reading():
    days = pd.date_range("1999-12-20", periods=40, freq="D")
    texts = ([d.strftime("%d.%m.%Y") for d in days] + [d.strftime("%Y-%m-%d") for d in days]
             + ["2022-03", "2024-02", "мар.22", "13-19. jun 2022", "III.2023"])
    bulk = parse_header_dates(texts, today=TODAY)  # 85 cells: the column-wise path
    one_by_one = [parse_header_dates([t], today=TODAY)[0] for t in texts]
    assert bulk == one_by_one
    assert bulk[-5:] == [month(2022, 3), month(2024, 2), month(2022, 3),
                         days_("2022-06-13", "2022-06-19"), month(2023, 3)]


def test_a_bad_cell_in_a_long_header_is_named():
    texts = [f"2022-{1 + i // 28:02d}-{1 + i % 28:02d}" for i in range(69)] + ["31.02.2022"]
    with pytest.raises(HeaderDateError, match="day 31 does not exist") as info:
        parse_header_dates(texts, today=TODAY)
    assert info.value.index == 69


# Month names as the pollsters print them, written out here (not taken from the module).
RU_FULL = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
           "октябрь", "ноябрь", "декабрь"]
RU_GENITIVE = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
               "сентября", "октября", "ноября", "декабря"]
RU_ABBR = ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]
SR_LATIN = ["januar", "februar", "mart", "april", "maj", "jun", "jul", "avgust", "septembar",
            "oktobar", "novembar", "decembar"]
SR_CYRILLIC = ["јануар", "фебруар", "март", "април", "мај", "јун", "јул", "август", "септембар",
               "октобар", "новембар", "децембар"]
EN_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
MONTH_FORMS = [
    lambda y, m: f"{RU_ABBR[m - 1]}.{y % 100:02d}",
    lambda y, m: f"{RU_FULL[m - 1].capitalize()} {y}",
    lambda y, m: f"{y} {RU_FULL[m - 1]}",
    lambda y, m: f"{SR_LATIN[m - 1]} {y}.",
    lambda y, m: f"{SR_CYRILLIC[m - 1]} {y}.",
    lambda y, m: f"{EN_ABBR[m - 1]}-{y % 100:02d}",
    lambda y, m: f"{ROMAN[m - 1]}.{y}",
    lambda y, m: f"{ROMAN[m - 1]} {y % 100:02d}",
    lambda y, m: f"{m:02d}.{y}",
    lambda y, m: f"{y}-{m:02d}",
]


@settings(max_examples=300, deadline=None)
@given(year=st.integers(1991, 2026), month_number=st.integers(1, 12),
       form=st.integers(0, len(MONTH_FORMS) - 1))
def test_any_month_in_any_printed_form(year, month_number, form):
    text = MONTH_FORMS[form](year, month_number)
    assert parse_header_dates([text], today=TODAY) == [month(year, month_number)], text


@settings(max_examples=200, deadline=None)
@given(start=st.dates(dt.date(1991, 1, 1), dt.date(2026, 11, 1)),
       length=st.integers(0, 20), form=st.integers(0, 2))
def test_any_fieldwork_range_within_a_month(start, length, form):
    end = min(start + dt.timedelta(days=length),
              (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
              - dt.timedelta(days=1))
    left = "" if start == end else f"{start.day}–"
    text = [f"{left}{end.day} {RU_GENITIVE[end.month - 1]} {end.year}",
            f"{left.replace('–', '-')}{end.day}. {SR_LATIN[end.month - 1]} {end.year}",
            ("" if start == end else f"{start.day:02d}-")
            + f"{end.day:02d}.{end.month:02d}.{end.year % 100:02d}"][form]
    assert parse_header_dates([text], today=TODAY) == [(start, end, "day")], text
