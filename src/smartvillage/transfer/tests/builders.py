"""Real files as villages make them: openpyxl-written XLSX, LibreOffice-converted CSV, Kobo exports."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

from openpyxl import Workbook

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"


def title_rows(ws, title: str, ncols: int) -> None:
    """Rows 1-3: a merged title, a merged subtitle and a blank row, as village lists start."""
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.append(["Xã An, huyện Thử, tỉnh Thử (tính đến ngày 01/03/2024)"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)
    ws.append([])


def two_sheet_xlsx(path: Path) -> Path:
    """Households sheet + persons sheet, titles, STT, numbering row, abbreviations, total row."""
    wb = Workbook()
    hs = wb.active
    hs.title = "Hộ gia đình"
    headers = ["STT", "Mã hộ", "Họ và tên chủ hộ", "Địa chỉ", "Cáp quang", "3G/4G", "Ghi chú"]
    title_rows(hs, "DANH SÁCH HỘ GIA ĐÌNH THÔN MỘT", len(headers))
    hs.append(headers)
    hs.append(["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"])
    hs.append([1, "H001", "Nguyễn Văn An", "Xóm Giữa", "x", "Có", None])
    hs.append([2, "H002", "Trần Thị Bình", "Xóm Trên", None, "1", "hộ nghèo"])
    hs.append([3, "H003", "Lê Văn Cường", "Xóm Dưới", "✓", "không", None])
    hs.append(["Tổng cộng", None, "3 hộ"])

    ps = wb.create_sheet("Nhân khẩu")
    headers = [
        "STT",
        "Mã hộ",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Quan hệ với chủ hộ",
        "CCCD",
        "ĐTTM",
        "TKTT",
        "KNS",
        "VNeID",
    ]
    title_rows(ps, "DANH SÁCH NHÂN KHẨU THÔN MỘT", len(headers))
    ps.append(headers)
    rows = [
        [
            "H001",
            "Nguyễn Văn An",
            dt.datetime(1980, 5, 17),
            "Nam",
            "Chủ hộ",
            "001080012345",
            "x",
            "X",
            "có",
            "yes",
        ],
        ["H001", "Phạm Thị Hoa", "03/04/1985", "Nữ", "Vợ", "001185012346", "Có", "1", "✓", None],
        ["H001", "Nguyễn Văn Bảo", "7/9/10", "M", "Con", None, "no", "không", "0", "Không"],
        ["H002", "Trần Thị Bình", 1962, "F", "Chủ hộ", 1162012347, "x", None, None, None],
        ["H002", "Trần Văn Dũng", "1990", "Nam", "Con trai", None, "x", "x", None, None],
        ["H003", "Lê Văn Cường", "1975-02-28", "Nam", "Chủ hộ", None, "x", "x", "x", "x"],
    ]
    for index, row in enumerate(rows, start=1):
        ps.append([index, *row])
    ps.append(["Tổng cộng:", None, "6 người"])
    ps.append([])
    ps.append([None, None, "Người lập biểu"])
    wb.save(path)
    return path


def one_sheet_head_row_xlsx(path: Path, with_code: bool = True) -> Path:
    """One sheet of persons; household columns filled (merged) on the head's row only."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    headers = [
        "TT",
        "Mã hộ",
        "Họ tên",
        "Năm sinh",
        "Giới tính",
        "Quan hệ",
        "Địa chỉ",
        "Internet cáp quang",
        "Đ.thoại thông minh (ĐTTM)",
        "Tài khoản TT (TKTT)",
    ]
    if not with_code:
        headers.remove("Mã hộ")
    title_rows(ws, "DANH SÁCH HỘ GIA ĐÌNH THÔN HAI", len(headers))
    ws.append(headers)
    data = [
        ["K01", "Hoàng Văn Minh", 1970, "Nam", "Chủ hộ", "Xóm Đình", "x", "x", "x"],
        ["K01", "Đỗ Thị Lan", 1972, "Nữ", "Vợ", None, None, "x", None],
        ["K01", "Hoàng Thị Mai", 2001, "Nữ", "Con", None, None, "x", "x"],
        ["K02", "Vũ Văn Nam", 1958, "Nam", "Chủ hộ", "Xóm Chùa", None, None, None],
        ["K02", "Vũ Thị Oanh", 1995, "Nữ", "Con gái", None, None, "x", None],
    ]
    first = ws.max_row + 1
    for index, row in enumerate(data, start=1):
        row = list(row)
        if not with_code:
            row.pop(0)
        ws.append([index, *row])
    if with_code:
        # The code and address cells merged over each household's rows, as people do.
        code_col, addr_col, fibre_col = 2, 7, 8
        for start, end in ((first, first + 2), (first + 3, first + 4)):
            for col in (code_col, addr_col, fibre_col):
                ws.merge_cells(start_row=start, start_column=col, end_row=end, end_column=col)
    wb.save(path)
    return path


def person_code_csv(path: Path, encoding: str = "utf-8-sig") -> Path:
    """Every person row carries the household code; CSV as Excel writes it."""
    lines = [
        "Mã hộ,Họ và tên,Ngày sinh,Giới tính,Quan hệ với chủ hộ,Điện thoại thông minh,Kỹ năng số",
        "C01,Bùi Văn Phúc,12/03/1968,Nam,Chủ hộ,x,",
        "C01,Ngô Thị Quyên,1/2/70,Nữ,Vợ,có,x",
        "C02,Đinh Văn Sơn,1985,Nam,Chủ hộ,1,1",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def soffice_convert(csv_path: Path, outdir: Path) -> Path:
    """LibreOffice's own XLSX from a CSV (UTF-8, comma separated)."""
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{outdir}/lo-profile",
            "--infilter=CSV:44,34,76,1,,1066",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(outdir),
            str(csv_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    out = outdir / (csv_path.stem + ".xlsx")
    assert out.exists(), f"soffice did not write {out}"
    return out


def kobo_export_xlsx(path: Path, group_paths: bool = False) -> Path:
    """A KoboToolbox XLSX export of the shipped XLSForm: main sheet + the repeat sheet.

    `group_paths`: Kobo's "include groups in headers" option ("person/full_name")."""
    wb = Workbook()
    main = wb.active
    main.title = "Khảo sát hộ gia đình"
    main.append(
        [
            "start",
            "end",
            "household_code",
            "head_name",
            "address",
            "fibre_internet",
            "mobile_broadband",
            "_location_latitude",
            "_location_longitude",
            "_id",
            "_uuid",
            "_submission_time",
            "_index",
        ]
    )
    main.append(
        [
            "2024-03-01T08:00:00",
            "2024-03-01T08:10:00",
            "KB01",
            "Phan Văn Tâm",
            "Xóm Mới",
            "yes",
            "no",
            "21.3",
            "105.2",
            101,
            "uuid-1",
            "2024-03-01T08:11:00",
            1,
        ]
    )
    main.append(
        [
            "2024-03-01T09:00:00",
            "2024-03-01T09:10:00",
            "KB02",
            "Mai Thị Uyên",
            "Xóm Mới",
            "no",
            "yes",
            None,
            None,
            102,
            "uuid-2",
            "2024-03-01T09:11:00",
            2,
        ]
    )
    rep = wb.create_sheet("person")
    questions = [
        "full_name",
        "birth_date",
        "sex",
        "relationship",
        "smartphone",
        "epayment_account",
        "digital_skills_trained",
    ]
    if group_paths:
        # The questions sit in the repeat group "person"; Kobo's bookkeeping columns do not.
        questions = [f"person/{q}" for q in questions]
    rep.append([*questions, "_index", "_parent_table_name", "_parent_index", "_submission__id"])
    rep.append(
        [
            "Phan Văn Tâm",
            "1979-11-02",
            "M",
            "head",
            "yes",
            "yes",
            "no",
            1,
            "Khảo sát hộ gia đình",
            1,
            101,
        ]
    )
    rep.append(
        [
            "Lý Thị Vân",
            "1983-06-20",
            "F",
            "spouse",
            "yes",
            "no",
            "no",
            2,
            "Khảo sát hộ gia đình",
            1,
            101,
        ]
    )
    rep.append(
        [
            "Mai Thị Uyên",
            "1990-01-15",
            "F",
            "head",
            "no",
            "no",
            "yes",
            3,
            "Khảo sát hộ gia đình",
            2,
            102,
        ]
    )
    wb.save(path)
    return path


def big_persons_xlsx(path: Path, persons: int, bad_row: int | None = None) -> Path:
    """A one-sheet list with a code per person (4 persons a household); header on row 1."""
    from openpyxl import Workbook as _Workbook

    wb = _Workbook(write_only=True)
    ws = wb.create_sheet("Nhân khẩu")
    ws.append(
        [
            "Mã hộ",
            "Họ và tên",
            "Ngày sinh",
            "Giới tính",
            "Quan hệ với chủ hộ",
            "Địa chỉ",
            "Cáp quang",
            "ĐTTM",
            "TKTT",
            "Kỹ năng số",
            "VNeID",
        ]
    )
    rels = ["Chủ hộ", "Vợ", "Con", "Con"]
    for i in range(persons):
        row_number = i + 2
        household = i // 4
        birth: object = dt.date(1950 + (i % 60), 1 + i % 12, 1 + i % 28)
        if bad_row is not None and row_number == bad_row:
            birth = "31/02/1990"
        ws.append(
            [
                f"H{household:06d}",
                f"Người Số {i}",
                birth,
                "Nam" if i % 2 else "Nữ",
                rels[i % 4],
                f"Xóm {household % 7}" if i % 4 == 0 else None,
                "x" if i % 4 == 0 and household % 3 else None,
                "x" if i % 3 else None,
                "x" if i % 5 else None,
                "x" if i % 2 else None,
                "x" if i % 7 else None,
            ]
        )
    wb.save(path)
    return path


def odk_central_csvs(folder: Path) -> list[Path]:
    """ODK Central's CSV export of the same form: the submissions file and the repeat file."""
    main = folder / "smartvillage_household.csv"
    main.write_text(
        "SubmissionDate,start,end,today,household_code,head_name,address,location-Latitude,location-Longitude,"
        "location-Altitude,location-Accuracy,fibre_internet,mobile_broadband,meta-instanceID,KEY,SubmitterID,"
        "SubmitterName,AttachmentsPresent,AttachmentsExpected,Status,ReviewState,DeviceID,Edits,FormVersion\n"
        "2024-03-02T08:00:00.000Z,2024-03-02T07:50:00.000+07:00,2024-03-02T07:59:00.000+07:00,2024-03-02,OD01,"
        "Kim Văn Xuân,Xóm Bãi,21.1,105.4,10,5,yes,yes,uuid:aaa,uuid:aaa,5,to-cns,0,0,,,,0,2024030501\n",
        encoding="utf-8",
    )
    repeat = folder / "smartvillage_household-person.csv"
    repeat.write_text(
        "full_name,birth_date,sex,relationship,identity_number,smartphone,epayment_account,PARENT_KEY,KEY\n"
        "Kim Văn Xuân,1970-08-09,M,head,001070000009,yes,no,uuid:aaa,uuid:aaa/person[1]\n"
        "Kim Thị Yến,2003-12-24,F,child,,yes,yes,uuid:aaa,uuid:aaa/person[2]\n",
        encoding="utf-8",
    )
    return [main, repeat]


def soffice_convert_to(csv_path: Path, outdir: Path, fmt: str) -> Path:
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{outdir}/lo-profile",
            "--infilter=CSV:44,34,76,1,,1066",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(csv_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    out = outdir / f"{csv_path.stem}.{fmt}"
    assert out.exists(), f"soffice did not write {out}"
    return out
