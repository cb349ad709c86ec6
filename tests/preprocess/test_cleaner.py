import numpy as np
import pandas as pd

from textmine.preprocess import OUTPUT_COLUMNS, Cleaner, clean_texts

TEXTS = [
    "Telefonkøen er altfor lang! Saksbehandler Kari Hansen svarte aldri. Tlf 912 34 567",
    None,
    np.nan,
    "vet ikke",
    "Eg har ikkje fått svar frå NAV om sjukmeldinga.",
    "Hun har kreft og er sykmeldt",
    "Telefonkøen er altfor lang! Saksbehandler Kari Hansen svarte aldri. Tlf 912 34 567",
    "",
    42,
]


def test_columns_rows_index(cleaner):
    s = pd.Series(TEXTS, index=[f"r{i}" for i in range(len(TEXTS))])
    out = cleaner.transform(s)
    assert list(out.columns) == list(OUTPUT_COLUMNS)
    assert len(out) == len(TEXTS) and list(out.index) == list(s.index)
    assert out.loc["r0", "text_clean"] == "Telefonkøen er altfor lang! Saksbehandler [NAVN] svarte aldri. Tlf [TELEFON]"
    assert out.loc["r0", "pii_count"] == 2 and out.loc["r0", "pii_navn"] == 1 and out.loc["r0", "pii_telefon"] == 1
    assert out.loc["r0"].equals(out.loc["r6"])  # duplicates get identical rows
    for r in ("r1", "r2", "r7"):
        assert out.loc[r, "text_clean"] == "" and out.loc[r, "is_non_answer"] == 1
        assert out.loc[r, "language"] == "unknown" and out.loc[r, "lemmas"] == ""
    assert out.loc["r3", "is_non_answer"] == 1 and out.loc["r0", "is_non_answer"] == 0
    assert out.loc["r4", "language"] == "nn" and out.loc["r0", "language"] == "nb"
    assert out.loc["r5", "health_flag"] == 1 and out.loc["r0", "health_flag"] == 0
    assert out.loc["r8", "text_clean"] == "42"
    assert "telefonkø" in out.loc["r0", "lemmas"].split()
    assert out["pii_count"].dtype == np.int64


def test_list_input_and_pii_sum(cleaner):
    out = cleaner.transform(["Ring 22 33 44 55 eller mail a@example.no", "Ingen PII"])
    assert list(out.index) == [0, 1]
    pii_cols = [c for c in out.columns if c.startswith("pii_") and c != "pii_count"]
    assert (out[pii_cols].sum(axis=1) == out["pii_count"]).all()
    assert out.loc[0, "pii_count"] == 2


def test_options(resources):
    out = Cleaner(redact=False, detect_language=False, lemmatize=False, resources=resources).transform(
        ["Ring 22 33 44 55"]
    )
    assert out.loc[0, "text_clean"] == "Ring 22 33 44 55" and out.loc[0, "pii_count"] == 0
    assert out.loc[0, "language"] == "unknown" and out.loc[0, "lemmas"] == ""


def test_lemmas_do_not_depend_on_language_detection(resources):
    """Marker words leave these undecided; lingua calls them nynorsk / English. Lemmas (and so the codes a
    coder gives) must be the same whether or not the language is detected (pipeline vs CLI/API/training)."""
    texts = ["Det er nesten umogleg å kome gjennom på telefon", "More use of graded sick leave.",
             "Telefonkøen er altfor lang"]
    detected = Cleaner(resources=resources).transform(texts)
    plain = Cleaner(detect_language=False, resources=resources).transform(texts)
    assert detected["language"].tolist() == ["nn", "en", "nb"]
    assert detected["lemmas"].tolist() == plain["lemmas"].tolist()
    assert all(detected["lemmas"])


def test_question_texts_option(resources):
    q = "Har du andre kommentarer til NAV?"
    out = Cleaner(question_texts=[q], resources=resources).transform(["andre kommentarer til NAV", "NAV er treg"])
    assert out["is_non_answer"].tolist() == [1, 0]


def test_deterministic(resources):
    a = Cleaner(resources=resources).transform(TEXTS)
    b = clean_texts(list(reversed(TEXTS)))
    pd.testing.assert_frame_equal(a, b.iloc[::-1].reset_index(drop=True))


def test_empty_input(cleaner):
    out = cleaner.transform([])
    assert len(out) == 0 and list(out.columns) == list(OUTPUT_COLUMNS)


def test_single_string_rejected(cleaner):
    import pytest

    with pytest.raises(TypeError):
        cleaner.transform("ikke en liste")


def test_worker_processes_give_identical_results(resources):
    texts = [f"Saksbehandler Kari svarte ikke på {n} dager. Ring 912 34 567" for n in range(30)] + TEXTS
    one = Cleaner(n_jobs=1, resources=resources).transform(texts)
    two = Cleaner(n_jobs=2, resources=resources).transform(texts)
    pd.testing.assert_frame_equal(one, two)
