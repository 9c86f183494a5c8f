"""Build the town list and the rename record shipped in src/parcelguard/domain/pii/data/.

Inputs: a git checkout of modood/Administrative-divisions-of-China (WTFPL; the National Bureau of
Statistics' statistical division codes, history since 2015) and the shipped divisions.csv (the current
county-level table). Outputs towns.csv (the towns and sub-districts of each county) and renames.csv (codes
that existed in an earlier year and are gone now, with the division that carries on their name).

Run: python scripts/refresh_divisions.py PATH/TO/Administrative-divisions-of-China
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src/parcelguard/domain/pii/data"
# (commit, year of the data) for every published version of the county and prefecture lists.
VERSIONS = (
    ("a7a85c0", "2015", "json"),
    ("d5a8cf3", "2016", "json"),
    ("c893e3b", "2017", "csv"),
    ("31aaa3c", "2018", "csv"),
    ("2824502", "2019", "csv"),
    ("78b6f36", "2020", "csv"),
    ("0b7fd75", "2021", "csv"),
    ("dc3a1d7", "2023", "csv"),
)
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_SUFFIXES = ("自治县", "自治旗", "新区", "林区", "特区", "市", "区", "县", "旗")


def _show(repo: Path, commit: str, path: str) -> str | None:
    done = subprocess.run(  # noqa: S603 - fixed git arguments
        ["git", "-C", str(repo), "show", f"{commit}:{path}"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout if done.returncode == 0 else None


def _rows(repo: Path, commit: str, kind: str) -> dict[str, str]:
    rows: dict[str, str] = {}
    for name in ("cities", "areas"):
        text = _show(repo, commit, f"dist/{name}.{kind}")
        if text is None:
            continue
        if kind == "json":
            items = [(d["code"], d["name"]) for d in json.loads(text)]
        else:
            items = [(r["code"], r["name"]) for r in csv.DictReader(io.StringIO(text))]
        for code, label in items:
            code = code.ljust(6, "0")[:6]
            if label not in _PLACEHOLDERS:
                rows[code] = label
    return rows


def _stem(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _successor(code: str, name: str, current: dict[str, str]) -> str:
    """The current division that carries on ``name``: the same stem in the same prefecture (祁阳县 ->
    祁阳市); a former prefecture, or a county of a municipality, may also live on elsewhere in its province
    (莱芜市 -> 济南市莱芜区, 北京市密云县 -> 密云区)."""
    stem = _stem(name)
    # Municipalities' counties moved from the 县 code block (1102) to the district block (1101).
    wide = code.endswith("00") or code[:2] in ("11", "12", "31", "50")
    scopes = (code[:4], code[:2]) if wide else (code[:4],)
    for scope in scopes:
        found = [
            c
            for c, n in current.items()
            if c.startswith(scope) and c != code and not c.endswith("00") and _stem(n) == stem
        ]
        if len(found) == 1:
            return found[0]
    return ""


def _statistical_only(code: str) -> bool:
    """Development zones and the like get codes 71-79 in the statistical lists; they are not divisions."""
    return not code.endswith("00") and code[4] == "7"


def main(repo: Path) -> None:
    current: dict[str, str] = {}
    with (DATA / "divisions.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            current[row["adcode"]] = row["name"]
    last_seen: dict[tuple[str, str], str] = {}
    for commit, year, kind in VERSIONS:
        for code, label in _rows(repo, commit, kind).items():
            if current.get(code) != label and not _statistical_only(code):
                last_seen[(code, label)] = year
    with (DATA / "renames.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["old_code", "old_name", "last_seen", "new_code"])
        for (code, label), year in sorted(last_seen.items()):
            same = code in current and _stem(current[code]) == _stem(label)
            out.writerow([code, label, year, code if same else _successor(code, label, current)])
    streets = _show(repo, "dc3a1d7", "dist/streets.csv") or ""
    towns: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(streets)):
        if row["areaCode"] in current or not _statistical_only(row["areaCode"]):
            towns.setdefault(row["areaCode"], []).append(row["name"])
    with (DATA / "towns.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("adcode,towns\n")
        for county in sorted(towns):
            handle.write(f"{county},{' '.join(dict.fromkeys(towns[county]))}\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
