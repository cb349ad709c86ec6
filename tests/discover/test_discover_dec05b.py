"""Review E (2026-12-05) fixes: no names in topic words or examples, no file name in the outputs, --question,
assignments flags, draft ids/examples/themes, draft warning in ``code``, one transliteration, keyword coverage,
English/nynorsk stop words, small-input warning, no empty ``annet`` in the draft."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from textmine.discover.core import DiscoveryResult, Topic, _describe, pick_examples
from textmine.discover.draft import draft_codebook, draft_warning, is_draft_theme, theme_id
from textmine.discover.labels import allowed_terms, make_label, norwegian_stop_words

from ..clitools import run_cli


def _result(topics, assignments, texts, non_answer=None):
    n = len(texts)
    return DiscoveryResult(topics=topics, assignments=np.asarray(assignments), text_clean=list(texts),
                           is_non_answer=np.asarray(non_answer if non_answer is not None else [0] * n, dtype=bool),
                           method="small-wave", n_outliers_reassigned=0, seed=42, params={"n_valid": n})


def _topic(tid, label, keywords, examples, size=3):
    return Topic(id=tid, label=label, keywords=keywords, size=size, share=0.1, examples=examples)


# 1 - names
def test_name_list_words_are_never_topic_words():
    mask = allowed_terms(np.array(["hils kari", "marte", "per olsen", "telefonkø", "hils", "lang ventetid"]))
    assert mask.tolist() == [False, False, False, True, True, True]


def test_keywords_and_examples_of_a_topic_skip_names_and_placeholders():
    texts = ["Hils til kari og marte fra oss", "Hils til marte, takk for hjelpen med telefonkøen",
             "Ring [NAVN] om telefonkøen", "Telefonkøen er altfor lang hver dag", "Lang telefonkø hos NAV i dag"]
    lemmas = ["hils kari marte", "hils marte hjelp telefonkø", "ring telefonkø", "telefonkø lang dag",
              "lang telefonkø dag"]
    emb = np.eye(5, dtype=np.float32) + 0.5
    topics = _describe(np.arange(5), np.zeros(5, dtype=np.int64), emb, texts, lemmas, n_examples=5,
                       n_keywords=10, total=5)
    words = {w for k in topics[0].keywords for w in k.split()}
    assert "telefonkø" in words and not words & {"kari", "marte", "dag"}
    assert topics[0].examples == ["Telefonkøen er altfor lang hver dag", "Lang telefonkø hos NAV i dag"]


# 15 - examples
def test_examples_are_whole_sentences_without_near_duplicates():
    long = "Vi venter lenge på svar. " * 8 + "Og så" + " videre" * 30
    ranked = ["Vi får ikke svar innen rimelig tid, uansett kanal.",
              "Vi får ikke svar innen rimelig tid, uansett kanal!!",
              "Vi får ikke svar innen rimelig tid uansett kanal vi bruker.",
              long, "Chatten svarer aldri på det vi spør om.", "x" * 400]
    out = pick_examples(ranked, 3)
    assert out[:2] == [ranked[0], ranked[4]]  # short ones first, the 2nd and 3rd repeat the 1st
    assert len(out[2]) <= 300 and out[2] == ("Vi venter lenge på svar. " * 8).strip()  # cut after a sentence


def test_an_answer_repeating_a_chosen_example_plus_a_sentence_is_a_near_duplicate():
    ranked = ["Ønsker at NAV stiller tydeligere krav til den sykmeldte om aktivitet.",
              "Hei NAV. Ønsker at NAV stiller tydeligere krav til den sykmeldte om aktivitet. Og en ting til: hjelp "
              "til å kartlegge årsakene til sykefraværet hos oss.", "Vi savner krav om aktivitet."]
    assert pick_examples(ranked, 3) == [ranked[0], ranked[2]]


def test_ordinary_word_name_only_counts_capitalised_inside_a_sentence():
    assert pick_examples(["Per telefon tar det for lang tid.", "Jeg ringte og Per svarte ikke."], 2) == [
        "Per telefon tar det for lang tid."]


# 13/18 - ids
def test_draft_ids_come_from_the_label_words_once_cut_at_a_word():
    assert theme_id("telefon · kø · telefonkø", fallback="t") == "telefon_ko_telefonko"
    assert theme_id("innen rimelig · rimelig tid · kanal", fallback="t") == "innen_rimelig_tid_kanal"
    assert theme_id("svar henvendelse · ønske fast · henvendelse arbeidsgiver", fallback="t") == \
        "svar_henvendelse_onske_fast_arbeidsgiver"
    assert len(theme_id("a" * 30 + " · " + "b" * 30, fallback="t")) == 30


def test_validator_suggestion_and_draft_ids_transliterate_alike():
    from textmine.codebook import CodebookError, Codebook, _suggest_id

    assert _suggest_id("på byråkrati") == "paa_byraakrati" == theme_id("på · byråkrati", fallback="t")
    with pytest.raises(CodebookError, match="'ventetid_paa_telefon'"):
        Codebook.from_dict({"name": "x", "themes": [{"id": "Ventetid på telefon", "label": "V", "description": "d"}]})


# 16 / 4 - draft themes
def test_topics_without_keywords_or_of_non_answer_like_texts_are_no_draft_themes():
    texts = ["kva", "kva", "kva", "Telefonkøen er lang", "Lang kø på telefonen", "Kø i telefonen hele dagen"]
    topics = [_topic(0, "(uten nøkkelord)", [], ["kva"]), _topic(1, "telefon · kø", ["telefon", "kø"],
                                                               ["Telefonkøen er lang"])]
    r = _result(topics, [0, 0, 0, 1, 1, 1], texts)
    cb = draft_codebook(r)
    assert [t["id"] for t in cb["themes"]] == ["telefon_ko"]
    assert not is_draft_theme(_topic(2, "kva", ["kva"], ["kva"]), ["kva", "?", "kva"])


def test_draft_has_no_empty_catch_all_and_a_neutral_name():
    r = _result([_topic(0, "telefon · kø", ["telefon", "kø"], ["Telefonkøen er lang"])], [0, 0, 0],
                ["Telefonkøen er lang", "Lang kø", "Kø"])
    cb = draft_codebook(r)
    assert "annet" not in [t["id"] for t in cb["themes"]] and cb["name"] == "utkast" and "utkast" in cb["version"]


# 17 - code warns about a draft
def test_draft_warning_only_for_draft_versions(tmp_path):
    draft, final = tmp_path / "d.yaml", tmp_path / "f.yaml"
    draft.write_text(yaml.safe_dump({"name": "x", "version": "0.1-utkast", "themes": []}), encoding="utf-8")
    final.write_text(yaml.safe_dump({"name": "x", "version": "1.0", "themes": []}), encoding="utf-8")
    assert "draft codebook" in draft_warning(draft) and "'0.1-utkast'" in draft_warning(draft)
    assert draft_warning(final) is None and draft_warning(tmp_path / "missing.yaml") is None


def test_code_cli_warns_when_coding_with_a_draft(tmp_path):
    from textmine.paths import DEFAULT_CODEBOOK

    raw = yaml.safe_load(DEFAULT_CODEBOOK.read_text(encoding="utf-8"))
    raw["version"] = "0.1-utkast"
    cbp = tmp_path / "cb.yaml"
    cbp.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    src = tmp_path / "in.csv"
    pd.DataFrame({"text": ["Telefonkøen er altfor lang", "Refusjonen kom for sent"]}).to_csv(src, index=False)
    res = run_cli("code", src, "--codebook", cbp, "--text-col", "text", "--out", tmp_path / "o.csv")
    assert res.exit_code == 0, res.output
    assert "is a draft codebook (version '0.1-utkast'" in " ".join(res.output.split())


# 14 - keyword coverage, 6 - stop words
def test_label_words_cover_a_share_of_the_topic_not_one_writers_phrase():
    lemmas = ["travel hverdag byråkrati"] + ["telefon kø lang"] * 3 + [f"telefon svar{i}" for i in range(6)]
    texts = [f"svar nummer {i} om telefon" for i in range(10)]
    topics = _describe(np.arange(10), np.zeros(10, dtype=np.int64), np.ones((10, 2), np.float32), texts, lemmas,
                       n_examples=1, n_keywords=20, total=10)
    # one answer's words are no keywords at all (a keyword needs two answers: dec05d), nor in the label
    assert not {"travel", "hverdag", "byråkrati"} & set(topics[0].keywords)
    shown = set(topics[0].label.split(" · "))
    assert "telefon" in shown and shown <= {"telefon", "kø", "lang", "kø lang", "telefon kø", "telefon kø lang"}


def test_label_skips_keywords_from_the_same_answers_as_a_chosen_one():
    docs = {"byråkrati": frozenset({1, 2, 3}), "leder travel": frozenset({1, 2, 3}), "tid": frozenset({3, 4, 5})}
    assert make_label(["byråkrati", "leder travel", "tid"], doc_sets=docs) == "byråkrati · tid · leder travel"
    assert make_label(["byråkrati", "leder travel", "tid"], 2, doc_sets=docs) == "byråkrati · tid"


def test_english_and_nynorsk_function_words_are_stop_words():
    stop = norwegian_stop_words()
    assert {"very", "never", "not", "they", "with", "this", "that", "just", "gong", "same", "anten", "ante"} <= stop
    assert not {"side", "telefon", "kø", "refusjon"} & stop


# 2, 8, 9, 11 - CLI
def _cli(tmp_path, name, texts, *extra):
    src = tmp_path / name
    pd.DataFrame({"id": range(len(texts)), "text": texts}).to_csv(src, index=False)
    out = tmp_path / "o"
    res = run_cli("discover", src, "--text-col", "text", "--out", out, "--embedder", "lexical", *extra)
    assert res.exit_code == 0, res.output
    return res, out


TEXTS = ["Telefonkøen er altfor lang", "Lang kø på telefonen hver dag", "Saksbehandlingstiden er lang",
         "Vi venter lenge på svar i saken", "Refusjonen av sykepenger tar tid", "Refusjon kommer alltid sent",
         "Har du andre kommentarer til NAV?", "vet ikke", ""]


def test_cli_file_name_never_in_outputs_and_question_echo_is_a_non_answer(tmp_path):
    res, out = _cli(tmp_path, "svar fra Ola Nordmann 91234567.csv", TEXTS, "--question",
                    "Har du andre kommentarer til NAV?")
    for name in ("topics.json", "codebook.yaml", "assignments.csv"):
        body = (out / name).read_text(encoding="utf-8")
        assert "Nordmann" not in body and "91234567" not in body, name
    assert yaml.safe_load((out / "codebook.yaml").read_text(encoding="utf-8"))["name"] == "utkast_text"
    a = pd.read_csv(out / "assignments.csv", dtype=str, keep_default_na=False)
    assert list(a.columns) == ["id", "text", "topic", "topic_label", "is_non_answer", "outlier"]
    assert a["is_non_answer"].tolist() == ["0"] * 6 + ["1", "1", "1"]
    assert (a.loc[a.topic != "-1", "topic_label"] != "").all() and (a.loc[a.topic == "-1", "topic_label"] == "").all()
    assert ((a.outlier == "1") == ((a.topic == "-1") & (a.is_non_answer == "0"))).all()
    assert "bare 6 svar" in " ".join(res.output.split())


def test_cli_question_col_marks_echoes(tmp_path):
    texts = TEXTS[:7]
    src = tmp_path / "in.csv"
    pd.DataFrame({"text": texts, "sporsmal": ["Har du andre kommentarer til NAV?"] * 7}).to_csv(src, index=False)
    res = run_cli("discover", src, "--text-col", "text", "--out", tmp_path / "o", "--embedder", "lexical",
                  "--question-col", "sporsmal")
    assert res.exit_code == 0, res.output
    a = pd.read_csv(tmp_path / "o" / "assignments.csv")
    assert a["is_non_answer"].tolist() == [0] * 6 + [1]
    assert json.loads((tmp_path / "o" / "topics.json").read_text(encoding="utf-8"))["n_non_answers"] == 1


def test_left_out_topics_are_named_with_the_reason():
    from textmine.discover.draft import left_out_lines

    r = _result([_topic(0, "(uten nøkkelord)", [], ["kva"]), _topic(1, "telefon", ["telefon"], ["Lang telefonkø"])],
                [0, 0, 1], ["kva", "kva", "Lang telefonkø"])
    assert left_out_lines(r) == [
        "Tema 0 ((uten nøkkelord), 3 svar) er ikke tatt med i codebook.yaml: ingen nøkkelord."]


def test_cli_guided_outlier_flag_leaves_out_covered_answers(tmp_path, labelled):
    from textmine.paths import DEFAULT_CODEBOOK

    src = labelled.iloc[:120][["respondent_id", "text"]]
    src.to_csv(tmp_path / "in.csv", index=False)
    res = run_cli("discover", tmp_path / "in.csv", "--text-col", "text", "--out", tmp_path / "o", "--embedder",
                  "lexical", "--codebook", DEFAULT_CODEBOOK)
    assert res.exit_code == 0, res.output
    a = pd.read_csv(tmp_path / "o" / "assignments.csv", dtype=str, keep_default_na=False)
    assert list(a.columns) == ["respondent_id", "text", "topic", "topic_label", "is_non_answer", "outlier",
                               "uncovered", "covered"]
    summary = json.loads((tmp_path / "o" / "topics.json").read_text(encoding="utf-8"))
    assert (a.covered == "1").any() and not ((a.covered == "1") & (a.outlier == "1")).any()
    assert int((a.outlier == "1").sum()) == summary["n_outliers"]
    assert int((a.is_non_answer == "1").sum()) == summary["n_non_answers"]


def test_draft_name_is_the_column_unless_it_holds_personal_data():
    from textmine.cli.discover import draft_name

    assert draft_name("kommentar") == "utkast_kommentar" and draft_name("Fritekst på slutten") == \
        "utkast_fritekst_paa_slutten"
    assert draft_name("Svar fra Ola Nordmann 91234567") == "utkast"


def test_stability_lines_note_topics_found_again_with_partly_other_answers():
    from textmine.cli.discover import stability_lines
    from textmine.discover.stability import compare_runs

    ref = np.array([0] * 6 + [1] * 3 + [-1])
    merged = np.array([0] * 9 + [-1])  # topic 0 found again (Jaccard 6/9), topic 1 swallowed
    r = _result([_topic(0, "telefon · kø", ["telefon"], ["x"]), _topic(1, "refusjon", ["refusjon"], ["y"])],
                ref, ["t"] * 10)
    r.stability = compare_runs([ref, merged], [7, 8])
    lines = stability_lines(r)
    assert lines[1].startswith("Advarsel: tema 1 (refusjon)")
    assert lines[2] == ("Merk: tema 0 (telefon · kø) fant vi med 2 av 2 frø, men med delvis andre svar (stabilitet "
                        "0,67); størrelsen og grensene til temaet avhenger av frøet.")
