"""One rule for a model folder's name: the coded-file record (``pipeline._model_name``) and the report's model
description (``report.pipeline._describe_coder``) hide the same names, each in its own wording."""

from pathlib import Path

import pytest

from textmine.pipeline import _model_name
from textmine.report.pipeline import _describe_coder


class _Coder:
    kind = "supervised"
    embedder_spec = "e5"


@pytest.mark.parametrize("folder, hidden", [("Ola_Nordmann_15038510190", True), ("kari_hansen", True),
                                            ("modell_2024", False), ("fast", False)])
def test_the_report_and_the_record_hide_the_same_folder_names(tmp_path, folder, hidden):
    record = _model_name(tmp_path / folder)
    text = _describe_coder(_Coder(), tmp_path / folder)
    assert record == ("(navn skjult)" if hidden else folder)
    assert text.endswith(f", modellmappe {record}")
    assert (folder in text) is not hidden


def test_a_relative_model_folder_is_named_as_the_record_names_it(tmp_path, monkeypatch):
    (tmp_path / "Kari_Nordmann").mkdir()
    monkeypatch.chdir(tmp_path / "Kari_Nordmann")  # "." is the folder named after a person
    assert _model_name(Path(".")) == "(navn skjult)"
    assert _describe_coder(_Coder(), Path(".")).endswith("modellmappe (navn skjult)")
