"""Review dec07c of the report's page text: the fieldwork period comes only from an answer-date column (never a
birth date, nor any datetime column by its type), from plausible dates only, and never stops a report (mixed UTC
offsets around a DST change); on a nynorsk page a bokmål label with quotes is marked as Jinja escapes it, and words
nynorsk spells the same («kommentar», «blitt») mark nothing."""

from __future__ import annotations

import jinja2
import pandas as pd

from textmine.report.pagetext import mark_bokmal
from textmine.report.views import fieldwork_period, fieldwork_text
from textmine.report.wording import looks_bokmal


def test_a_birth_date_or_any_other_datetime_column_gives_no_fieldwork():
    births = pd.to_datetime(["1941-03-03", "1980-05-01", "2004-12-24"])
    assert fieldwork_period(pd.DataFrame({"rid": [1, 2, 3], "fodselsdato": births})) is None
    assert fieldwork_period(pd.DataFrame({"sist_sykmeldt": pd.to_datetime(["2022-03-03"] * 3)})) is None
    # (a date column named as one, but holding birth dates: implausible before 2000)
    assert fieldwork_period(pd.DataFrame({"dato": births})) is None


def test_a_bare_year_is_no_date_and_outliers_are_left_out():
    assert fieldwork_period(pd.DataFrame({"dato": [2023, 2023]})) is None
    assert fieldwork_period(pd.DataFrame({"dato": ["2023", "2023"]})) is None
    frame = pd.DataFrame({"date": ["2023-03-01"] * 30 + ["2023-03-09"] * 20 + ["1900-01-01"]})
    assert fieldwork_text(fieldwork_period(frame)) == "1.–9. mars 2023"
    future = pd.Timestamp.today().normalize() + pd.Timedelta(days=400)
    frame = pd.DataFrame({"svardato": ["14.03.2023"] * 40 + [future.strftime("%d.%m.%Y")]})
    assert fieldwork_period(frame)["end"] == "2023-03-14"


def test_mixed_offsets_read_as_written_and_never_raise():
    frame = pd.DataFrame({"submitdate": ["2023-03-20 10:00:00+01:00"] * 3 + ["2023-04-02T23:30:00+02:00"] * 3})
    assert fieldwork_period(frame) == {"start": "2023-03-20", "end": "2023-04-02", "column": "submitdate"}
    aware = pd.DataFrame({"date": pd.to_datetime(["2023-03-01T23:30:00+01:00", "2023-03-05T10:00:00+01:00"])})
    assert fieldwork_period(aware)["start"] == "2023-03-01"  # (its own wall-clock date)
    odd = pd.DataFrame({"dato": [object(), {"a": 1}, [1, 2]]})
    assert fieldwork_period(odd) is None


def _nn_page(labels) -> str:
    env = jinja2.Environment(autoescape=True)
    return env.from_string('<html lang="nn"><body>{% for l in labels %}<p>{{ l }}</p>{% endfor %}'
                           '<p>Kommentar til svara</p></body></html>').render(labels=labels)


def test_labels_with_quotes_are_marked_as_jinja_escapes_them():
    labels = ['Nav\'s tjenester ikke', 'Svar "ikke" gode', 'A & B ikke']
    out = mark_bokmal(_nn_page(labels), labels, "nn")
    assert out.count('<span lang="nb">') == 3
    assert '<span lang="nb">Svar &#34;ikke&#34; gode</span>' in out
    assert '<span lang="nb">Nav&#39;s tjenester ikke</span>' in out


def test_words_nynorsk_shares_mark_nothing():
    for text in ("Kommentar til svara", "Det har blitt betre", "Kommentar"):
        assert not looks_bokmal(text), text
    assert looks_bokmal("Kommentarer til svarene") and looks_bokmal("Det har ikke blitt bedre")
    out = mark_bokmal(_nn_page(["Kommentar"]), ["Kommentar"], "nn")
    assert 'lang="nb"' not in out
