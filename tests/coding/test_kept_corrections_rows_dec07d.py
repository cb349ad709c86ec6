"""``textmine.review.read_kept_corrections`` compares the rows it read with the manifest's ``corrections.rows``: an
old corrections.csv whose text holds an unquoted «\\r» (plain ``to_csv``) read back as more rows than were kept
and was trained on silently; now it fails naming the file."""

from __future__ import annotations

import hashlib

import pytest

from textmine.review import CORRECTIONS_FILE, read_kept_corrections


def _manifest(path, rows):
    data = path.read_bytes()
    return {"corrections": {"file": CORRECTIONS_FILE, "sha256": hashlib.sha256(data).hexdigest(), "rows": rows,
                            "sources": ["a.csv"]}}


def test_an_old_file_that_reads_as_other_rows_than_recorded_fails_naming_it(tmp_path):
    path = tmp_path / CORRECTIONS_FILE
    path.write_bytes(b"id,question,text,themes,type,text_sha256\n1,q,linje en\rlinje to,telefon,,abc\n")
    with pytest.raises(ValueError) as e:
        read_kept_corrections(tmp_path, _manifest(path, 1), shown="modell/corrections.csv")
    msg = str(e.value)
    assert msg.startswith("modell/corrections.csv: ") and "records 1" in msg, msg
    assert "linje" not in msg  # no text of the file in the message


def test_a_file_with_the_recorded_rows_is_read_and_one_without_a_count_too(tmp_path):
    path = tmp_path / CORRECTIONS_FILE
    path.write_bytes(b"id,question,text,themes,type,text_sha256\n1,q,\"linje en\rlinje to\",telefon,,abc\n")
    got, sources = read_kept_corrections(tmp_path, _manifest(path, 1))
    assert got["text"].tolist() == ["linje en\rlinje to"] and sources == ["a.csv"]
    manifest = _manifest(path, 1)
    del manifest["corrections"]["rows"]
    assert len(read_kept_corrections(tmp_path, manifest)[0]) == 1
    with pytest.raises(ValueError, match="records 2"):
        read_kept_corrections(tmp_path, _manifest(path, 2))
