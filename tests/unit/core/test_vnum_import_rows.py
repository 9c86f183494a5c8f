"""The rows ``vnum import`` reads from its CSV: lines blank once folded (whitespace, zero-width spaces,
BOMs), comments and the header are skipped wherever they stand, and every row keeps its line in the file."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import given
from hypothesis import strategies as st

from parcelguard.cli.vnum import _rows

BLANK_CHARS = " \t\u3000\u00a0\u200b\u200c\u200d\u2060\ufeff"
blank = st.text(BLANK_CHARS, max_size=4)
row = st.tuples(st.from_regex(r"17[01][0-9]{8}", fullmatch=True), st.sampled_from(["", "p1", "SZ-NS"]))
line = st.one_of(
    row.map(lambda r: ("row", r)),
    blank.map(lambda b: ("skip", b)),
    blank.map(lambda b: ("skip", f"{b},{b}")),
    st.just(("skip", "# a comment")),
    st.just(("skip", "number,pool")),
)


@given(st.lists(line, max_size=12))
def test_rows_are_the_number_lines_with_their_line_in_the_file(lines: list[tuple[str, object]]) -> None:
    text = ""
    expected: list[tuple[str, str]] = []
    at: list[int] = []
    for number, (kind, value) in enumerate(lines, start=1):
        if kind == "row":
            assert isinstance(value, tuple)
            text += f"{value[0]},{value[1]}\n" if value[1] else f"{value[0]}\n"
            expected.append(value)
            at.append(number)
        else:
            text += f"{value}\n"
    with TemporaryDirectory() as folder:
        path = Path(folder) / "numbers.csv"
        path.write_text(text, encoding="utf-8")
        assert _rows(path) == (expected, at)
