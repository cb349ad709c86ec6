"""Inter-coder agreement (textmine.agreement, ``textmine agreement``) on a hand-computed case."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.agreement import intercoder_agreement
from textmine.cli import app

THEMES = ("a", "b")
FIRST = pd.DataFrame({"id": ["u1", "u2", "u3", "u4", "u5"],
                      "themes": ["a", "a;b", "", "b", "a"],
                      "type": ["klage", "ønske", "", "ros", "klage"]})
# same comments in another order, u2 loses b, u4 changes type, u9 coded by the second coder only
SECOND = pd.DataFrame({"id": ["u5", "u4", "u3", "u2", "u1", "u9"],
                       "themes": ["a", "b", "", "a", "a", "b"],
                       "type": ["klage", "klage", "", "ønske", "klage", "ros"]})


def test_hand_computed_agreement():
    rep = intercoder_agreement(FIRST, SECOND, THEMES)
    s = rep.summary
    assert (s["n_units"], s["n_only_first"], s["n_only_second"]) == (5, 0, 1)
    assert s["exact_match"] == pytest.approx(0.8)  # u2 differs
    assert s["example_accuracy"] == pytest.approx((4 + 0.5) / 5)  # u2: {a, b} vs {a} earns 1/2
    per = rep.per_theme.set_index("theme")
    assert per.loc["a", "kappa"] == pytest.approx(1.0)
    # b: first 0,1,0,1,0 vs second 0,0,0,1,0 -> po 0.8, pe 0.4*0.2 + 0.6*0.8 = 0.56
    assert per.loc["b", "kappa"] == pytest.approx((0.8 - 0.56) / 0.44)
    assert per.loc["b", "f1"] == pytest.approx(2 / 3)  # second against first: P 1, R 0.5
    assert (per.loc["b", "n_first"], per.loc["b", "n_second"]) == (2, 1)
    assert per.loc["b", "share_diff"] == pytest.approx(-0.2)
    assert s["top10_share_max_diff"] == pytest.approx(0.2)
    assert s["non_answer_agreement"] == 1.0
    # types on the 4 answers typed by both: klage/ønske/ros/klage vs klage/ønske/klage/klage
    assert s["n_typed_both"] == 4
    assert s["type_agreement"] == pytest.approx(0.75)
    pe = 0.5 * 0.75 + 0.25 * 0.25 + 0.25 * 0.0
    assert s["type_kappa"] == pytest.approx((0.75 - pe) / (1 - pe))
    assert rep.disagreements.to_dict("records") == [
        {"id": "u2", "first_themes": "a;b", "second_themes": "a", "first_type": "ønske", "second_type": "ønske"},
        {"id": "u4", "first_themes": "b", "second_themes": "b", "first_type": "ros", "second_type": "klage"}]


def test_agreement_is_symmetric_in_kappa_and_swaps_shares():
    ab = intercoder_agreement(FIRST, SECOND, THEMES)
    ba = intercoder_agreement(SECOND, FIRST, THEMES)
    assert ab.summary["mean_kappa"] == pytest.approx(ba.summary["mean_kappa"])
    assert ab.summary["pooled_alpha"] == pytest.approx(ba.summary["pooled_alpha"])
    assert ba.summary["n_only_first"] == 1
    # u9 is not compared: on the 5 common units the first file (now SECOND) gives b 1/5, the other 2/5
    assert ba.per_theme.set_index("theme").loc["b", "share_first"] == pytest.approx(0.2)
    assert ba.per_theme.set_index("theme").loc["b", "share_diff"] == pytest.approx(0.2)


def test_identical_codings_agree_perfectly():
    rep = intercoder_agreement(FIRST, FIRST.iloc[::-1], THEMES)
    assert rep.summary["exact_match"] == 1.0 and rep.summary["type_agreement"] == 1.0
    assert rep.summary["pooled_alpha"] == pytest.approx(1.0)
    assert rep.disagreements.empty


@pytest.mark.parametrize(("second", "message"), [
    (SECOND.assign(id=["u5", "u4", "u3", "u2", "u5", "u9"]), "second coding: column 'id' has duplicate ids: u5"),
    (SECOND.assign(themes=["a", "b", "", "c", "a", "b"]), "second coding: row 5 (id u2): column 'themes' has unknown theme id(s) c"),
    (SECOND.assign(id=["u5", "", "u3", "u2", "u1", "u9"]), "second coding: row 3: column 'id' is empty"),
    (SECOND.drop(columns="themes"), "second coding: no column 'themes'"),
    (SECOND.assign(id=[f"x{i}" for i in range(6)]), "the two codings share no 'id' values"),
])
def test_bad_input_names_coding_row_and_column(second, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        intercoder_agreement(FIRST, second, THEMES)


def test_missing_type_column_is_skipped():
    rep = intercoder_agreement(FIRST.drop(columns="type"), SECOND, THEMES)
    assert rep.summary["n_typed_both"] == 0 and rep.summary["exact_match"] == pytest.approx(0.8)


def test_cli_agreement_writes_json_and_disagreements(tmp_path, toy_codebook):
    cb = tmp_path / "cb.yaml"
    cb.write_text(toy_codebook.to_yaml(), encoding="utf-8")
    rename = dict(zip(THEMES, toy_codebook.theme_ids[:2]))
    to_toy = lambda col: [";".join(rename[t] for t in v.split(";") if t) for v in col]  # noqa: E731
    first = FIRST.assign(themes=to_toy(FIRST["themes"]), text=["Fødselsnummer 01017012345", "x", "y", "z", "w"])
    second = SECOND.assign(themes=to_toy(SECOND["themes"]))
    f1, f2 = tmp_path / "first.csv", tmp_path / "second.xlsx"
    first.to_csv(f1, index=False)
    second.to_excel(f2, index=False)
    out, dis = tmp_path / "agreement.json", tmp_path / "dis.csv"
    res = CliRunner().invoke(app, ["agreement", str(f1), str(f2), "--codebook", str(cb), "--json", str(out),
                                   "--disagreements", str(dis)])
    assert res.exit_code == 0, res.output
    assert "units compared: 5 (only in first: 0, only in second: 1)" in res.output
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["summary"]["exact_match"] == pytest.approx(0.8)
    rows = pd.read_csv(dis, dtype=str, keep_default_na=False)
    assert rows["id"].tolist() == ["u2", "u4"]
    assert "text" not in rows.columns and "01017012345" not in dis.read_text(encoding="utf-8")


def test_cli_agreement_error_names_the_file(tmp_path, toy_codebook):
    cb = tmp_path / "cb.yaml"
    cb.write_text(toy_codebook.to_yaml(), encoding="utf-8")
    f1, f2 = tmp_path / "first.csv", tmp_path / "second.csv"
    FIRST.assign(themes="nope").to_csv(f1, index=False)
    FIRST.to_csv(f2, index=False)
    res = CliRunner().invoke(app, ["agreement", str(f1), str(f2), "--codebook", str(cb)])
    assert res.exit_code == 2
    assert f"{f1}: row 2 (id u1): column 'themes' has unknown theme id(s) nope" in res.output
