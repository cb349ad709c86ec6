"""An uploaded file name that holds only a surname ("Nordmann_svar.csv", "hansen-kommentarer.xlsx") is personal
data: the stored name is ``upload.<suffix>``. Surnames that are also ordinary words or places ("strand_2024.csv",
"berg_kommune.csv") and ordinary names ("svar_2024.csv") are kept."""

from __future__ import annotations

import pytest
from conftest import create_survey, hdr, sample_frame, to_csv_bytes, upload

from service import library


@pytest.mark.parametrize(
    "filename, stored",
    [
        ("Nordmann_svar.csv", "upload.csv"),
        ("hansen-kommentarer.xlsx", "upload.xlsx"),
        ("svar_johansen_2024.csv", "upload.csv"),
        ("OLSEN.csv", "upload.csv"),
        ("NordmannSvar.csv", "upload.csv"),  # camel case
        ("Svar fra Larsen.xlsx", "upload.xlsx"),
        ("eksport_Ødegård.parquet", "upload.parquet"),
        ("kommentarer_pedersen.sav", "upload.sav"),
    ],
)
def test_a_stem_with_a_surname_is_not_kept(filename, stored):
    assert library.safe_filename(filename) == stored


@pytest.mark.parametrize(
    "filename",
    [
        "svar_2024.csv",
        "NAV_arbeidsgiver_bolge3.csv",
        "kommentarer.xlsx",
        "strand_2024.csv",  # a surname that is also a word (beach)
        "berg_kommune.csv",
        "Haugen.csv",
        "lie_vik_dal.csv",
        "Bakken_2023.xlsx",
        "sandnes_2024.csv",  # a surname that is also a town
        "NAV Vestby.csv",
        "arbeidsgiver_2022.csv",
        "wave_20240115.csv",
    ],
)
def test_a_stem_without_an_unambiguous_surname_is_kept(filename):
    assert library.safe_filename(filename) == filename


def test_stem_surnames_names_the_tokens():
    assert library.stem_surnames("svar_Hansen-og-StrandNordmann2024") == ["hansen", "nordmann"]
    assert library.stem_surnames("berg_kommune_strand") == []


@pytest.mark.parametrize("filename", ["Nordmann_svar.csv", "hansen-kommentarer.csv"])
def test_uploaded_surname_file_name_is_stored_neutral(client, keys, filename):
    sid = create_survey(client, keys["analyst"])
    r = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(10)), filename)
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == "upload.csv"
    surname = filename.split("_")[0].split("-")[0]
    listed = client.get(f"/surveys/{sid}/waves", headers=hdr(keys["reader"])).text
    assert surname.lower() not in listed.lower()


def test_uploaded_ordinary_file_name_is_kept(client, keys):
    sid = create_survey(client, keys["analyst"])
    r = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(10)), "strand_2024.csv")
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == "strand_2024.csv"
