"""pii_eval's typed recall: a value merged into the placeholder before it (a post code's town into its street's
[ADRESSE]) counts under that placeholder's type (it had no placeholder of its own and counted as mistyped)."""

import pandas as pd

from textmine.preprocess import Cleaner
from textmine.preprocess.pii_eval import evaluate_pii_cases


def test_a_town_merged_into_its_streets_placeholder_is_typed_adresse(tmp_path, resources):
    cases = pd.DataFrame([
        {"id": "T1", "text": "Send brevet til Storgata 5, 0150 Oslo takk.", "pii_type": "adresse", "value": "Oslo",
         "is_pii": "1"},
        {"id": "T2", "text": "Send brevet til Storgata 5, 0150 Oslo takk.", "pii_type": "adresse",
         "value": "Storgata 5", "is_pii": "1"},
        {"id": "T3", "text": "Ring Kari Nordmann på 91234567 i morgen.", "pii_type": "telefon", "value": "91234567",
         "is_pii": "1"},
    ])
    path = tmp_path / "cases.csv"
    cases.to_csv(path, index=False)
    cleaner = Cleaner(detect_language=False, lemmatize=False, resources=resources)
    df = evaluate_pii_cases(path, cleaner=cleaner).set_index("pii_type")
    assert df.loc["adresse", "tp"] == 2 and df.loc["adresse", "typed_recall"] == 1.0
    assert df.loc["telefon", "typed_recall"] == 1.0  # the phone after a masked name: still its own placeholder
