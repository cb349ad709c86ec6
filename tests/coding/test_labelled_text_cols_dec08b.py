"""Labelled files read by ``train``, ``evaluate`` and ``review`` keep their text column as written: in a ';' CSV with
decimal commas, answers «1,2» / «3,5» are not the numbers 1.2 / 3.5. (Ids are read as before: numbers where every id
is one, so «1» in one file still matches «1.0» in another.)"""

import pytest

from ..clitools import run_cli

TEXTS = ["1,2", "3,5"]  # every answer looks like a decimal-comma number
IDS = ["1", "2"]


def _semicolon_csv(path, rows: dict) -> str:
    """``rows`` (column → values) as a ';' CSV with every cell written as it is (no quoting needed)."""
    cols = list(rows)
    lines = [";".join(cols)] + [";".join(str(rows[c][i]) for c in cols) for i in range(len(rows[cols[0]]))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def labelled(tmp_path):
    return _semicolon_csv(tmp_path / "labelled.csv",
                          {"id": IDS, "text": TEXTS, "themes": ["mat", "pris"], "type": ["klage", "ros"]})


class _Stop(ValueError):
    pass


@pytest.fixture()
def fitted(fake_e5, monkeypatch) -> dict:
    """``SupervisedCoder.fit`` records the texts it is given (``["texts"]``) and stops the command there."""
    import textmine.classify as classify

    seen = {}

    def fit(self, texts, *a, **kw):
        seen["texts"] = list(texts)
        raise _Stop("stopped after reading")

    monkeypatch.setattr(classify.SupervisedCoder, "fit", fit)
    return seen


def test_train_fits_on_the_texts_as_written(tmp_path, cb, labelled, fitted):
    res = run_cli("train", labelled, "--codebook", cb, "--out", tmp_path / "model")
    assert fitted["texts"] == TEXTS, res.output


def test_train_with_another_text_column_keeps_it_as_written(tmp_path, cb, fitted):
    path = _semicolon_csv(tmp_path / "l.csv", {"svar": TEXTS, "themes": ["mat", "pris"], "type": ["klage", "ros"]})
    res = run_cli("train", path, "--codebook", cb, "--out", tmp_path / "model", "--text-col", "svar")
    assert fitted["texts"] == TEXTS, res.output


def test_evaluate_predicts_the_texts_as_written(tmp_path, cb, fake_e5, monkeypatch):
    import textmine.classify as classify

    labelled = _semicolon_csv(tmp_path / "l.csv", {"text": TEXTS, "themes": ["mat", "pris"], "type": ["klage", "ros"]})

    seen = []

    class Spy(classify.ZeroShotCoder):
        def predict(self, texts, *a, **kw):
            seen.append(list(texts))
            return super().predict(texts, *a, **kw)

    monkeypatch.setattr(classify, "ZeroShotCoder", Spy)
    res = run_cli("evaluate", labelled, "--codebook", cb, "--json", tmp_path / "e.json")
    assert res.exit_code == 0, res.output
    assert seen == [TEXTS]


def test_review_corrections_train_and_eval_files_keep_their_texts(tmp_path, cb, labelled, fake_e5,
                                                                           monkeypatch):
    import textmine.review as review

    comments = _semicolon_csv(tmp_path / "svar.csv", {"id": IDS, "text": TEXTS})
    corrections = _semicolon_csv(tmp_path / "korr.csv",
                                 {"id": IDS, "text": TEXTS, "themes": ["pris", "mat"], "type": ["ros", "klage"]})
    train = _semicolon_csv(tmp_path / "train.csv", {"text": ["4,5", "6,75"], "themes": ["ko", "mat"],
                                                    "type": ["klage", "klage"]})
    seen = {}

    def apply(coder, corr, *, train=None, eval_set=None, **kw):
        seen.update(corr=corr, train=train, eval=eval_set)
        raise _Stop("stopped after reading")

    monkeypatch.setattr(review, "apply_corrections", apply)
    res = run_cli("review", comments, "--codebook", cb, "--corrections", corrections, "--train", train,
                  "--eval", labelled)
    assert "stopped after reading" in res.output, res.output
    assert seen["corr"]["text"].tolist() == TEXTS
    assert seen["train"]["text"].tolist() == ["4,5", "6,75"]
    assert seen["eval"]["text"].tolist() == TEXTS
    assert "not in" not in res.output  # the corrections' ids are INPUT's


def test_numeric_theme_ids_in_a_semicolon_csv_are_ids_not_numbers(tmp_path, fake_e5, monkeypatch):
    # «1,2» (themes 1 and 2) read as the number 1.2 made `train` crash with an uncaught TypeError
    import textmine.classify as classify
    from textmine.codebook import parse_theme_list

    cb = tmp_path / "cb.yaml"
    cb.write_text("name: tall\nversion: '1'\nthemes:\n"
                  "  - {id: '1', label: Ventetid, description: Lang ventetid på svar, keywords: [vente]}\n"
                  "  - {id: '2', label: Telefon, description: Vanskelig å nå fram på telefon, keywords: [telefon]}\n",
                  encoding="utf-8")
    labelled = _semicolon_csv(tmp_path / "l.csv", {"text": ["Lang kø på telefon", "Venter fortsatt"],
                                                   "themes": ["1,2", "1"], "type": ["klage", "klage"]})
    seen = {}

    def fit(self, texts, labels, *a, **kw):
        seen["labels"] = [parse_theme_list(x) for x in labels]
        raise _Stop("stopped after reading")

    monkeypatch.setattr(classify.SupervisedCoder, "fit", fit)
    res = run_cli("train", labelled, "--codebook", cb, "--out", tmp_path / "model")
    assert seen.get("labels") == [["1", "2"], ["1"]], res.output
