"""The fonts a label is drawn with: a fallback chain, located once and loaded once per process.

Names hold rare characters (𠮷 U+20BB7 is CJK Extension B; 堃 and 㛃 are in Extension A), and a label that
draws a box or nothing where a name's character should be misdirects the parcel. So every character is drawn
in the first font of a chain that has a glyph for it, and a label holding a character no font has is refused
(`missing_glyphs`, checked by the renderer before anything is drawn) instead of printed wrong.

The chain:

1. Latin (U+0000..U+00FF and the rest of Windows-1252: “ ” — …): Helvetica in PDFs (built into every
   reader) and Bitstream Vera, which reportlab ships in its own package, in PNGs.
2. Droid Sans Fallback, bundled (Apache 2.0, 4 MB): the common CJK characters, Latin excluded.
3. Hanazono Mincho A and B (GlyphWiki, Hanazono Font License or SIL OFL 1.1), from Debian's
   ``fonts-hanazono`` package, which ``scripts/setup`` installs: CJK Extensions A to F and the compatibility
   ideographs, 53 MB, too large to ship inside the Python package.
4. Any further TrueType files the caller names (`FontChain(extra=...)`), e.g. a licensed corporate font.

A font missing from the machine is skipped; the characters only it has are then refused, never boxed.

Parsing a CJK font is the slowest step of a first render, so each toolkit (reportlab, Pillow) gets each
font exactly once, and the fallbacks only when a label first needs one of their characters.
"""

from __future__ import annotations

import mmap
import re
import threading
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property, lru_cache
from pathlib import Path

import reportlab
from PIL import ImageFont
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont, TTFontFile

CJK_FONT_FILE = Path(__file__).with_name("fonts") / "DroidSansFallbackFull.ttf"
_VERA_DIR = Path(reportlab.__file__).with_name("fonts")
LATIN_FONT_FILE = _VERA_DIR / "Vera.ttf"
LATIN_BOLD_FONT_FILE = _VERA_DIR / "VeraBd.ttf"
SYSTEM_FALLBACK_FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"),
    Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),
)
"""Where Debian's fonts-hanazono puts Hanazono Mincho (CJK Extensions A-F)."""

LATIN = -1
"""`FontChain.font_for` answer for characters drawn in the Latin faces."""
_LATIN_END = 0x100  # Basic Latin and Latin-1: what both Helvetica (WinAnsi) and Vera draw
# The rest of Windows-1252 (“ ” ‘ ’ — – … • € ™): Helvetica's WinAnsi encoding and Vera draw them too, and
# the bundled CJK font, a fallback meant to sit behind a Latin font, has none of them.
_WINANSI_EXTRAS = frozenset(bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore"))
_register_lock = threading.Lock()


_reportlab_to_unicode_cmap = ttfonts.makeToUnicodeCMap


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """reportlab's ToUnicode CMap with characters beyond the BMP written as UTF-16BE surrogate pairs.

    reportlab writes U+20BB7 as the five hex digits ``<20BB7>``, which PDF readers take as U+20BB plus
    junk, so copy, search and pdftotext lose a name's Extension B character. The PDF specification
    (ISO 32000-1, 9.10.3) wants UTF-16BE: ``<D842DFB7>``. Everything else is reportlab's own output.
    """
    cmap: str = _reportlab_to_unicode_cmap(fontname, subset)
    for index, code in enumerate(subset):
        if code > 0xFFFF:
            utf16 = chr(code).encode("utf-16-be").hex().upper()
            cmap = cmap.replace(f"<{index:02X}> <{code:04X}>", f"<{index:02X}> <{utf16}>", 1)
    return cmap


ttfonts.makeToUnicodeCMap = _to_unicode_cmap


class CodePointRanges:
    """A set of Unicode code points held as sorted, disjoint, non-adjacent inclusive ranges (two arrays of
    32-bit starts and ends), asked with a binary search.

    Why: a font's character map as a frozenset of ints held about 2 MiB of int objects and set slots for
    the bundled font alone (28,602 code points; Hanazono B 60,419), scattered among what the parse left;
    its 95 ranges (Hanazono A 3,010, B 13) hold a few KiB. Membership (``in``) answers as the set did.
    """

    __slots__ = ("_ends", "_starts")

    def __init__(self, codes: Iterable[int] = ()) -> None:
        """``codes``: the code points, in any order, repeats allowed."""
        self._starts = array("I")
        self._ends = array("I")
        for code in sorted(codes):
            self._add(code, code)

    def _add(self, start: int, end: int) -> None:
        """Append ``start..end``, which starts at or after the last range's start."""
        if self._ends and start <= self._ends[-1] + 1:
            self._ends[-1] = max(self._ends[-1], end)
        else:
            self._starts.append(start)
            self._ends.append(end)

    def __or__(self, other: CodePointRanges) -> CodePointRanges:
        """The union of both sets."""
        union = CodePointRanges()
        for start, end in sorted((*self.ranges(), *other.ranges())):
            union._add(start, end)
        return union

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, int):
            return False
        index = bisect_right(self._starts, code) - 1
        return index >= 0 and code <= self._ends[index]

    def __iter__(self) -> Iterator[int]:
        """Every code point, ascending."""
        for start, end in self.ranges():
            yield from range(start, end + 1)

    def __len__(self) -> int:
        return sum(end - start + 1 for start, end in self.ranges())

    def ranges(self) -> Iterator[tuple[int, int]]:
        """The ``(first, last)`` code points of each range, ascending."""
        return zip(self._starts, self._ends, strict=True)


class _MappedFontFile:
    """A TrueType file as reportlab's parser reads it (``file.read()``, then slices of what it returned),
    given the file mapped into memory instead of read into a bytes object: the parse then touches only
    the pages of the tables it reads (the character map and the metrics, under 1 MiB of Hanazono's 30 MB),
    and the glyph check's peak is 13 MiB for the bundled font instead of 16, 23 for the three fonts
    instead of 57 (issue 9)."""

    def __init__(self, data: mmap.mmap, path: Path) -> None:
        self._data = data
        self.name = str(path)

    def read(self) -> mmap.mmap:
        return self._data


def _read_characters(path: Path) -> CodePointRanges:
    """The code points ``path``'s character map maps to a glyph, as reportlab reads them (its TTFontFile,
    with a TTFont's defaults: the same subtable, 0x20 and 0xA0 each standing for the other)."""
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        parsed = TTFontFile(_MappedFontFile(data, path))
        characters = CodePointRanges(parsed.charToGlyph)
        del parsed  # its reads are copies; nothing of it may hold the map when the map is closed
    return characters


class _ChainFont:
    """One TrueType file of the chain; its character map and reportlab font are parsed on first use, each
    on its own: the glyph check that issuance runs needs only the characters, a PDF the whole font."""

    def __init__(self, path: Path, pdf_name: str) -> None:
        self.path = path
        self.pdf_name = pdf_name

    @cached_property
    def reportlab_font(self) -> TTFont:
        with _register_lock:
            return TTFont(self.pdf_name, str(self.path))

    @cached_property
    def characters(self) -> CodePointRanges:
        """The code points the font maps to a glyph (its cmap's keys, as reportlab reads them).

        A TTFont keeps the whole file in memory (4 MB for the bundled font, 53 MB for Hanazono) beside its
        per-glyph metrics, 15 to 60 MiB a font, for as long as the process runs; a process that never draws
        a PDF (the CLI's issuance, an API worker answering ZPL) needs only the code points. So the mapped
        file is parsed by reportlab's own parser (`_read_characters`), the ranges kept and the parse dropped
        at once; a TTFont already built is asked instead."""
        built: TTFont | None = self.__dict__.get("reportlab_font")
        if built is not None:
            return CodePointRanges(built.face.charToGlyph)
        return _read_characters(self.path)


class FontChain:
    """The ordered CJK fonts (bundled first, then the system fallbacks that exist, then ``extra``)."""

    def __init__(self, extra: Sequence[Path] = ()) -> None:
        paths = [CJK_FONT_FILE, *(p for p in SYSTEM_FALLBACK_FONTS if p.is_file()), *extra]
        self._fonts = tuple(_ChainFont(path, f"ParcelGuardCJK{i}") for i, path in enumerate(paths))
        self.font_for = lru_cache(maxsize=16384)(self._font_for)
        self._drawable: set[str] = set()  # characters known to have a glyph; grows, never shrinks

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(font.path for font in self._fonts)

    def _font_for(self, ch: str) -> int | None:
        """`LATIN`, the index of the first chain font with a glyph for ``ch``, or None when none has one."""
        cp = ord(ch)
        if cp < _LATIN_END or ch in _WINANSI_EXTRAS:
            return LATIN
        for index, font in enumerate(self._fonts):
            if cp in font.characters:
                return index
        return None

    @cached_property
    def _beyond_first_fonts(self) -> re.Pattern[str]:
        """Matches a character neither the Latin faces nor the bundled font draw: one C-speed scan clears
        the usual label, and only what it finds is looked up font by font."""
        latin = CodePointRanges([*range(_LATIN_END), *map(ord, _WINANSI_EXTRAS)])
        ranges = latin | self._fonts[0].characters
        body = "".join(
            re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges.ranges()
        )
        return re.compile(f"[^{body}]")

    def missing_glyphs(self, text: str) -> list[str]:
        """The distinct characters of ``text`` that no font of the chain can draw, in order of appearance."""
        if self._beyond_first_fonts.search(text) is None:
            return []
        unknown = set(text) - self._drawable
        if not unknown:
            return []
        missing: list[str] = []
        for ch in dict.fromkeys(text):
            if ch in unknown:
                if self.font_for(ch) is None:
                    missing.append(ch)
                else:
                    self._drawable.add(ch)
        return missing

    def runs(self, text: str) -> list[tuple[int, str]]:
        """Split ``text`` into ``(font, run)`` pieces, each drawn in one font (`LATIN` or a chain index).

        A character no font has stays in the run before it (callers refuse such text before drawing).
        """
        runs: list[tuple[int, str]] = []
        start = 0
        current = self.font_for(text[0]) if text else None
        for i in range(1, len(text) + 1):
            font = self.font_for(text[i]) if i < len(text) else None
            if i == len(text) or (font is not None and font != current):
                runs.append((current if current is not None else 0, text[start:i]))
                start, current = i, font
        return runs

    def pdf_font(self, index: int) -> str:
        """Register chain font ``index`` with reportlab (embedded and subset, so every reader shows the same
        glyphs and the text stays extractable) and return its reportlab name."""
        font = self._fonts[index]
        if font.pdf_name not in pdfmetrics.getRegisteredFontNames():
            ttfont = font.reportlab_font
            with _register_lock:
                if font.pdf_name not in pdfmetrics.getRegisteredFontNames():
                    pdfmetrics.registerFont(ttfont)
        return font.pdf_name

    def pil_font(self, index: int, size_px: int) -> ImageFont.FreeTypeFont:
        """Chain font ``index`` at one pixel size."""
        return _pil_font(self._fonts[index].path, size_px)


@lru_cache(maxsize=128)
def _pil_font(path: Path, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size_px)


@lru_cache(maxsize=64)
def pil_latin_font(size_px: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(LATIN_BOLD_FONT_FILE if bold else LATIN_FONT_FILE), size_px)


@lru_cache(maxsize=1)
def default_chain() -> FontChain:
    """The chain every renderer uses unless given another: bundled font plus installed fallbacks."""
    return FontChain()
