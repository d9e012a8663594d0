"""Build the bundled administrative-unit dataset from the `vietnamadminunits` package data.

Run by a maintainer when the upstream data changes (it is NOT a runtime dependency):

    pip install vietnamadminunits==1.0.4
    python scripts/build_units_dataset.py

Writes src/smartvillage/units/data/units-vn.json.gz: pre-2025 provinces, districts and communes,
2025 provinces and communes (with đặc khu), and the old → new mapping of the 2025 reform, keyed by
official codes. Names keep their diacritics; the type prefix ("Xã", "Phường", ...) is split off
into a type code so that the app can show "Xã An Thanh" and search "An Thanh".
See docs/decisions/001-units-dataset.md for why this source was chosen.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import sys
from importlib import metadata
from pathlib import Path

import vietnamadminunits

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "smartvillage" / "units" / "data" / "units-vn.json.gz"
PKG_DATA = Path(vietnamadminunits.__file__).parent / "data"

# Full-name prefix → type code of smartvillage.units.models.UnitType. Longest prefixes first.
PROVINCE_PREFIXES = [("thành phố", "thanh_pho_tw"), ("tỉnh", "tinh")]
DISTRICT_PREFIXES = [
    ("thành phố", "thanh_pho"),
    ("thị xã", "thi_xa"),
    ("huyện", "huyen"),
    ("quận", "quan"),
]
COMMUNE_PREFIXES = [
    ("thị trấn", "thi_tran"),
    ("phường", "phuong"),
    ("đặc khu", "dac_khu"),
    ("xã", "xa"),
]


def split_name(full: str, prefixes: list[tuple[str, str]]) -> tuple[str, str]:
    """'Thành Phố Bắc Kạn' → ('Bắc Kạn', 'thanh_pho'); the upstream short names carry suffixes."""
    text = " ".join(full.split())
    low = text.lower()
    for prefix, kind in prefixes:
        if low.startswith(prefix + " "):
            return text[len(prefix) + 1 :].strip(), kind
    raise SystemExit(f"unknown type prefix in {full!r}")


def main() -> None:
    version = metadata.version("vietnamadminunits")
    db = sqlite3.connect(PKG_DATA / "dataset.db")
    legacy = db.execute(
        "SELECT provinceCode, province, districtCode, district, wardCode, ward,"
        " provinceKey, districtKey, wardKey FROM admin_units_legacy"
        " ORDER BY provinceCode, districtCode, wardCode"
    ).fetchall()
    current = db.execute(
        "SELECT provinceCode, province, wardCode, ward, provinceKey, wardKey FROM admin_units"
        " ORDER BY provinceCode, wardCode"
    ).fetchall()

    old_provinces: dict[str, list] = {}
    old_districts: dict[str, list] = {}
    old_communes: list[list] = []
    old_by_key: dict[str, str] = {}  # "province_district_ward" key → commune code
    old_province_by_key: dict[str, str] = {}
    old_district_by_key: dict[str, str] = {}
    for p_code, p_name, d_code, d_name, w_code, w_name, p_key, d_key, w_key in legacy:
        if p_code not in old_provinces:
            old_provinces[p_code] = [p_code, *split_name(p_name, PROVINCE_PREFIXES)]
            old_province_by_key[p_key] = p_code
        if d_code not in old_districts:
            old_districts[d_code] = [d_code, p_code, *split_name(d_name, DISTRICT_PREFIXES)]
            old_district_by_key[f"{p_key}_{d_key}"] = d_code
        if w_code:  # island districts (Bạch Long Vĩ, Cồn Cỏ, ...) had no communes
            old_communes.append([w_code, d_code, *split_name(w_name, COMMUNE_PREFIXES)])
            old_by_key[f"{p_key}_{d_key}_{w_key}"] = w_code

    new_provinces: dict[str, list] = {}
    new_communes: list[list] = []
    new_by_key: dict[tuple[str, str], str] = {}
    new_province_by_key: dict[str, str] = {}
    for p_code, p_name, w_code, w_name, p_key, w_key in current:
        if p_code not in new_provinces:
            new_provinces[p_code] = [p_code, *split_name(p_name, PROVINCE_PREFIXES)]
            new_province_by_key[p_key] = p_code
        new_communes.append([w_code, p_code, *split_name(w_name, COMMUNE_PREFIXES)])
        new_by_key[(p_key, w_key)] = w_code

    conv = json.loads((PKG_DATA / "converter_2025.json").read_text(encoding="utf-8"))
    province_links = sorted(
        [old_province_by_key[o], new_province_by_key[n], 1]
        for n, olds in conv["DICT_PROVINCE"].items()
        for o in olds
    )
    commune_links: list[list] = []  # [old code, new code, is_default]
    district_links: list[list] = []  # island districts without communes → their đặc khu
    for new_p, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_w, olds in wards.items():
            new_code = new_by_key[(new_p, new_w)]
            for old in olds:
                if old.endswith("_"):
                    district_links.append([old_district_by_key[old[:-1]], new_code, 1])
                else:
                    commune_links.append([old_by_key[old], new_code, 1])
    for new_p, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, targets in olds.items():
            for target in targets:
                new_code = new_by_key[(new_p, target["newWardKey"])]
                commune_links.append(
                    [old_by_key[old], new_code, int(bool(target["isDefaultNewWard"]))]
                )
    commune_links.sort()
    district_links.sort()

    mapped = {link[0] for link in commune_links}
    unmapped = [c[0] for c in old_communes if c[0] not in mapped]
    if unmapped:
        raise SystemExit(f"pre-2025 communes without a successor: {unmapped[:10]}")

    data = {
        "meta": {
            "source": "vietnamadminunits",
            "source_version": version,
            "source_url": "https://github.com/tranngocminhhieu/vietnamadminunits",
            "licence": "MIT",
            "copyright": "Copyright (c) 2025 Tran Ngoc Minh Hieu",
            "data_version": f"vietnamadminunits-{version}",
            "pre2025_effective": "2025-06-30",
            "reform_effective_date": "2025-07-01",
            "columns": {
                "provinces": ["code", "name", "type"],
                "districts": ["code", "province_code", "name", "type"],
                "communes_pre2025": ["code", "district_code", "name", "type"],
                "communes_2025": ["code", "province_code", "name", "type"],
                "links": ["old_code", "new_code", "is_default"],
            },
        },
        "pre2025": {
            "provinces": list(old_provinces.values()),
            "districts": list(old_districts.values()),
            "communes": old_communes,
        },
        "2025": {"provinces": list(new_provinces.values()), "communes": new_communes},
        "succession": {
            "provinces": province_links,
            "districts": district_links,
            "communes": commune_links,
        },
    }
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # mtime=0 keeps the file byte-identical between builds of the same data.
    OUT.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    print(
        f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size} bytes; pre2025 {len(old_provinces)} provinces, "
        f"{len(old_districts)} districts, {len(old_communes)} communes; 2025 {len(new_provinces)} "
        f"provinces, {len(new_communes)} communes; links {len(province_links)} provinces, "
        f"{len(district_links)} districts, {len(commune_links)} communes",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
