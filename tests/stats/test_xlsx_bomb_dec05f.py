"""xlsx decompression limits: a workbook whose sheet XML expands to far more than the file (a zip bomb) is refused
before openpyxl opens it; one whose zip declares sizes that lie cannot expand past them; real exports pass."""

from __future__ import annotations

import struct
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pytest

from textmine import io as tio
from textmine.io import TableReadError, read_table


def small_workbook(path: Path) -> Path:
    pd.DataFrame({"respondent_id": [1, 2], "kommentar": ["bra", "dårlig"]}).to_excel(path, index=False)
    return path


def with_sheet(src: Path, dst: Path, sheet_xml: bytes) -> Path:
    """``src`` with its first sheet's XML replaced by ``sheet_xml`` (deflated)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else zin.read(info.filename)
            zout.writestr(info.filename, data)
    return dst


def bomb_sheet(n_bytes: int) -> bytes:
    """Valid sheet XML padded with ``n_bytes`` of blanks: deflate shrinks it about a thousandfold."""
    head = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
            b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    return head + b" " * n_bytes + b"</sheetData></worksheet>"


def declare_sizes(path: Path, name: str, size: int, crc: int | None = None) -> Path:
    """Rewrite the uncompressed size (and CRC-32) the zip declares for ``name`` (local header and central
    directory)."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
    struct.pack_into("<I", raw, info.header_offset + 22, size)  # local file header
    if crc is not None:
        struct.pack_into("<I", raw, info.header_offset + 14, crc)
    central = raw.find(b"PK\x01\x02")
    while central != -1:  # the central directory entry of ``name``
        n = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46: central + 46 + n].decode() == name:
            struct.pack_into("<I", raw, central + 24, size)
            if crc is not None:
                struct.pack_into("<I", raw, central + 16, crc)
            break
        central = raw.find(b"PK\x01\x02", central + 46)
    path.write_bytes(bytes(raw))
    return path


def test_a_sheet_that_expands_a_thousandfold_is_refused_before_openpyxl_opens_it(tmp_path, monkeypatch):
    bomb = with_sheet(small_workbook(tmp_path / "a.xlsx"), tmp_path / "svar_bombe.xlsx", bomb_sheet(40 << 20))
    assert bomb.stat().st_size < 200_000  # 40 MB of sheet XML in a small file

    def never(*a, **k):
        raise AssertionError("openpyxl opened the workbook")

    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(TableReadError) as exc:
        read_table(bomb)
    msg = str(exc.value)
    assert "svar_bombe.xlsx: refused: the workbook would expand to 42.0 MB uncompressed from a" in msg, msg
    assert "100 times the file size" in msg and "zip bomb" in msg


def test_a_declared_size_over_the_absolute_cap_is_refused(tmp_path):
    path = declare_sizes(small_workbook(tmp_path / "stor.xlsx"), "xl/worksheets/sheet1.xml", 3 << 30)
    with pytest.raises(TableReadError, match=r"stor\.xlsx: .*3[,.]2 GB uncompressed.*limit is 1[,.]0 GB"):
        read_table(path)


@pytest.mark.parametrize("crc_too", [False, True], ids=["size", "size-and-crc"])
def test_sizes_that_lie_cannot_expand_past_what_they_declare(tmp_path, crc_too):
    """A zip that declares a small size for a big entry passes the size check, but the reader stops at the declared
    size (zipfile's bounded stream; then the CRC fails, or with a matching CRC the XML ends early): a clear
    TableReadError, quickly, in little memory."""
    sheet = bomb_sheet(200 << 20)
    liar = with_sheet(small_workbook(tmp_path / "a.xlsx"), tmp_path / "løgn.xlsx", sheet)
    declare_sizes(liar, "xl/worksheets/sheet1.xml", 4096, zlib.crc32(sheet[:4096]) if crc_too else None)
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(TableReadError, match=r"løgn\.xlsx: .*(damaged|not a readable)"):
            read_table(liar)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - t0 < 20
    assert peak < 50 << 20  # far below the 200 MB the entry really holds


def test_a_30k_row_survey_export_passes(tmp_path):
    """30,000 rows × 23 columns of the sample survey (≈ 3 MB file, ≈ 35 MB of XML, ratio ≈ 11) is read."""
    from textmine.paths import SAMPLE_DIR

    src = pd.read_csv(SAMPLE_DIR / "arbeidsgiver_2022.csv", dtype=str, keep_default_na=False)
    big = pd.concat([src] * 10, ignore_index=True)
    big["respondent_id"] = [f"R{i:06d}" for i in range(len(big))]
    path = tmp_path / "eksport.xlsx"
    big.to_excel(path, index=False)
    tio._check_xlsx_expansion(path)  # the whole read would take a minute on the shared VM; the check is the point
    with zipfile.ZipFile(path) as z:
        total = sum(i.file_size for i in z.infolist())
    assert total > 16 << 20 and total / path.stat().st_size < tio.XLSX_MAX_RATIO / 4


def test_small_workbooks_read_as_before(tmp_path):
    df = read_table(small_workbook(tmp_path / "liten.xlsx"))
    assert df["kommentar"].tolist() == ["bra", "dårlig"]
