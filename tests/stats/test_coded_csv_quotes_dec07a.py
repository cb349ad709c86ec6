"""``summary --coded`` on a CSV that ``textmine code`` wrote (its «- …» comments guarded as «'- …»): the quotes are
the comments as answered, without the «'»."""

import json

import numpy as np
import pandas as pd
import yaml
from typer.testing import CliRunner

from textmine.cli import app
from textmine.io import read_table, write_table

COMMENT = "- Heimetenesta gjer ein fantastisk jobb"


def test_summary_quotes_from_a_guarded_coded_csv_have_no_quote_mark(tmp_path):
    spec = {"name": "heim", "id": "lopenr", "wave": "aar", "min_cell": 5,
            "indicators": [{"id": "fornoyd", "column": "q1", "scale": [1, 5]}],
            "free_text": [{"column": "ft", "label": "Kommentar"}]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    n = 40
    ft = ["-" if i % 4 == 3 else f"{COMMENT} nr {i}" for i in range(n)]
    df = pd.DataFrame({"lopenr": [f"2025-{i:04d}" for i in range(1, n + 1)], "aar": 2025, "q1": np.arange(n) % 5 + 1,
                       "ft": ft})
    write_table(df, tmp_path / "w.csv")
    hit = np.array([int(t != "-") for t in ft])
    coded = df.assign(theme_heim=hit, score_heim=hit * 0.9, themes=np.where(hit == 1, "heim", ""), confidence=0.9,
                      needs_review=0, type="ros")
    write_table(coded, tmp_path / "coded.csv")
    assert f"'{COMMENT}" in (tmp_path / "coded.csv").read_text(encoding="utf-8")
    r = CliRunner().invoke(app, ["summary", str(tmp_path / "w.csv"), "--survey", str(tmp_path / "s.yaml"),
                                 "--out", str(tmp_path / "out"), "--quiet", "--embedder", "fallback",
                                 "--coded", f"ft={tmp_path / 'coded.csv'}"])
    assert r.exit_code == 0, r.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    quotes = summary["tables"]["quotes"]
    assert quotes and all(q["text"].startswith(COMMENT) for q in quotes), quotes
    assert "'-" not in (tmp_path / "out" / "summary.json").read_text(encoding="utf-8")
    # quotes.csv is guarded again for spreadsheets, and reads back as the comment
    assert read_table(tmp_path / "out" / "quotes.csv", text_cols=["text"])["text"].str.startswith(COMMENT).all()
    themes = pd.read_csv(tmp_path / "out" / "themes.csv")
    commenters = themes[(themes.theme == "heim") & (themes.denominator == "kommentatorer") & (themes.segment == "Totalt")]
    assert commenters["n"].tolist() == [30]  # the lone «-» answers are non-answers
