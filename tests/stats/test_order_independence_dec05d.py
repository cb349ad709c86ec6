"""Row order must not change what is published: the same comments (same seed) give the same quotes and
attributions, and the same respondents give bit-identical summary tables, however the rows are sorted."""

import numpy as np
import pandas as pd
import pytest

from textmine import stats as st
from textmine.quotes import select_quotes

_TOPICS = ["telefonen", "saksbehandlingen", "refusjonen", "kontaktpersonen", "nettsiden", "brevene", "regelverket",
           "veiledningen"]
_VERDICTS = ["tar alt for lang tid", "fungerer godt for oss", "er vanskelig å forstå", "burde vært enklere",
             "har blitt mye bedre i år", "gir oss lite hjelp"]
_TAILS = ["når vi trenger svar fra NAV.", "i en travel hverdag.", "for en liten bedrift som vår.",
          "når saken haster.", "sammenlignet med i fjor."]


def _comments() -> pd.DataFrame:
    """240 distinct comments plus near-duplicate wordings («NAV» / «nav») from other respondents."""
    texts = [f"Vi synes {t} {v} {tail}" for t in _TOPICS for v in _VERDICTS for tail in _TAILS]
    dups = [t.replace("NAV", "nav") for t in texts if "NAV" in t]
    ids = [f"R{i:04d}" for i in range(len(texts) + len(dups))]
    return pd.DataFrame({"respondent_id": ids, "question": "ft", "text_clean": texts + dups,
                         "is_non_answer": 0, "health_flag": 0, "theme_x": 1})


def _picked(frame: pd.DataFrame, **kw) -> list[tuple[str, str, str]]:
    quotes = select_quotes(frame, theme="x", k=6, embedder="fallback", seed=0,
                           attribute=lambda row: f"Respondent {row['respondent_id']}", **kw)
    return [(q.respondent_id, q.text, q.attribution) for q in quotes]


@pytest.mark.parametrize("max_candidates", [10, 40])
def test_quotes_and_attributions_do_not_depend_on_row_order(max_candidates):
    df = _comments()
    assert len(df) > 3 * max_candidates  # both subsamples (before and after de-duplication) bind
    first = _picked(df, max_candidates=max_candidates)
    assert len(first) == 6
    for seed in (1, 2, 3, 4):
        shuffled = df.sample(frac=1, random_state=seed).reset_index(drop=True)
        assert _picked(shuffled, max_candidates=max_candidates) == first, f"permutation {seed}"
    reverse = df.iloc[::-1].reset_index(drop=True)
    assert _picked(reverse, max_candidates=max_candidates) == first


def test_repeated_wording_credited_to_the_same_respondent_in_any_order():
    # the same wording from two respondents: whichever row comes first, the quote is credited to the same one
    text = "Vi synes telefonen tar alt for lang tid når vi trenger svar fra NAV."
    df = pd.DataFrame({"respondent_id": ["B2", "A1", "C3", "D4"], "question": "ft",
                       "text_clean": [text, text.replace("NAV", "nav"), "Brevene er vanskelige å forstå for oss alle.",
                                      "Veiledningen på nettsiden fungerer godt for oss i år."],
                       "is_non_answer": 0, "health_flag": 0, "theme_x": 1})
    a = _picked(df)
    b = _picked(df.iloc[::-1].reset_index(drop=True))
    assert a == b
    credited = [rid for rid, t, _ in a if "trenger svar" in t]
    assert credited == ["A1"]  # the canonical copy: smallest respondent id among the same normalised text


def test_quotes_with_precomputed_vectors_do_not_depend_on_row_order():
    df = _comments()
    rng = np.random.default_rng(5)
    vecs = rng.normal(size=(len(df), 8))
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    first = _picked(df, vectors=vecs, max_candidates=15)
    perm = rng.permutation(len(df))
    assert _picked(df.iloc[perm].reset_index(drop=True), vectors=vecs[perm], max_candidates=15) == first


# ------------------------------------------------------------------ statistics: sums independent of order
def _order_sensitive(n: int = 2000, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights of very different magnitudes (float sums of them depend on order), 0/1 answers, scale answers."""
    rng = np.random.default_rng(seed)
    w = rng.gamma(0.3, 3.0, n) * 10.0 ** rng.integers(-3, 4, n)
    return w, (rng.random(n) < 0.4).astype(float), rng.integers(1, 7, n).astype(float)


def _permutations(n: int, count: int = 6):
    rng = np.random.default_rng(11)
    return [rng.permutation(n) for _ in range(count)]


def test_weighted_estimates_bit_identical_under_permutation():
    w, y, x = _order_sensitive()
    base = (st.kish_n(w), st.weighted_share(y, w), st.proportion(y, w), st.weighted_mean(x, w))
    for p in _permutations(len(w)):
        got = (st.kish_n(w[p]), st.weighted_share(y[p], w[p]), st.proportion(y[p], w[p]), st.weighted_mean(x[p], w[p]))
        assert got == base  # exact equality, field by field of the estimates


def test_weighted_crosstab_bit_identical_under_permutation():
    w, y, x = _order_sensitive()
    df = pd.DataFrame({"a": y, "b": x, "w": w})
    base = st.crosstab(df, "a", "b", weight="w", decimals=None)
    for p in _permutations(len(df)):
        assert st.crosstab(df.iloc[p], "a", "b", weight="w", decimals=None) == base


def _shuffled(frames: dict, coded: dict, seed: int) -> tuple[dict, dict]:
    return ({w: f.sample(frac=1, random_state=seed).reset_index(drop=True) for w, f in frames.items()},
            {w: c.sample(frac=1, random_state=seed + 100).reset_index(drop=True) for w, c in coded.items()})


def _reweighted(frames: dict, survey) -> dict:
    """The sample waves with weights of very different magnitudes, so that summing them in another order changes
    the last digits (a realistic raking result has this spread too)."""
    out = {}
    for w, f in frames.items():
        rng = np.random.default_rng(int(w))
        out[w] = f.assign(**{survey.weight_column: rng.gamma(0.3, 3.0, len(f)) * 10.0 ** rng.integers(-3, 4, len(f))})
    return out


def test_summary_tables_bit_identical_when_rows_are_shuffled(sample_data, sample_survey):
    from textmine.summary import build_summary

    assert sample_survey.weight_column  # the sample survey is weighted: the sums at stake are weighted
    frames, coded, _, _ = sample_data
    frames = _reweighted(frames, sample_survey)
    kw = dict(embedder="fallback", drivers=True)
    base = build_summary(frames, sample_survey, coded, **kw)
    for seed in (1, 2):
        sf, sc = _shuffled(frames, coded, seed)
        other = build_summary(sf, sample_survey, sc, **kw)
        assert list(other.tables) == list(base.tables)
        for name, table in base.tables.items():
            pd.testing.assert_frame_equal(other.tables[name], table, check_exact=True, obj=f"table {name} (seed {seed})")
        # (the warnings name rows of the file read, so they differ between the two row orders, as they should)


def test_zero_weight_warning_still_names_the_file_row(make_tiny_definition):
    # the rows enter the statistics sorted by id; the warning must still point at the row of the file read
    from textmine.summary import build_summary

    n = 12
    df = pd.DataFrame({"rid": [f"r{i:02d}" for i in range(n, 0, -1)], "wave": 2023, "sektor": list("PPPPPPOOOOOO"),
                       "fylke": ["Oslo", "Vestland"] * 6, "w": [1.0] * 4 + [0.0] + [1.0] * 7,
                       "q1": [1, 2, 3, 4, 5, 6] * 2, "q2": [6, 5, 4, 3, 2, 1] * 2})
    s = build_summary({2023: df}, make_tiny_definition(free_text=[]), quotes=False)
    msg = [m for m in s.warnings if "weight 0" in m]
    assert len(msg) == 1 and "first at row 6" in msg[0], s.warnings  # 5th data row, header = row 1
