"""reportlab's TrueType subsetting, the same bytes in a quarter of the time.

Every PDF label embeds a subset of the CJK font holding the glyphs it prints (about 160 characters, 450
glyphs once the components of composite glyphs are counted). reportlab builds that subset from scratch for
every document: it copies the whole 3.5 MB ``glyf`` table, reads each glyph's header through its file-reader
methods, and packs the metrics glyph by glyph, about 0.45 ms of a 3 ms label (issue 9). `FastSubsetter` does
exactly what ``TTFontFile.makeSubset`` does (same tables, same glyph order, same bytes) but keeps, per font,
each glyph's data, component references and metrics once read, and copies the unchanged tables once.

A glyph shorter than its 10-byte header (no real font has one) makes it hand the subset to reportlab's own
method, whose handling of such a glyph this module does not copy.

The subset's font dictionary lists each character's width, and reportlab formats every one of them through
its generic object formatter (a number to text, then through a Python codec: about 330 calls a label). The
face's ``getCharWidth``, which reportlab calls only to fill that list, therefore hands over each width
already formatted, exactly as the formatter would write it (bytes pass through it unchanged).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc, ttfonts

_COPIED_TABLES = ("name", "OS/2", "cvt ", "fpgm", "prep")
_MORE_COMPONENTS = 1 << 5
_ARGS_ARE_WORDS = 1 << 0
_HAS_SCALE = 1 << 3
_HAS_XY_SCALE = 1 << 6
_HAS_2X2 = 1 << 7
_USHORT = struct.Struct(">H")
_FLAGS_AND_GLYPH = struct.Struct(">HH")

_Glyph = tuple[bytes, tuple[tuple[int, int], ...], bytes, int, int]
"""(glyf data, (offset of a component's glyph index in data, that index)..., padding to 4 bytes, advance
width, left side bearing)."""


class _ShortGlyph(Exception):
    """A glyph too short for its header: reportlab's method decides."""


def _components(data: bytes) -> tuple[tuple[int, int], ...]:
    """Where a composite glyph names its component glyphs: ``(offset of the index, glyph index)``."""
    found = []
    pos = 10
    flags = _MORE_COMPONENTS
    while flags & _MORE_COMPONENTS:
        flags, index = _FLAGS_AND_GLYPH.unpack_from(data, pos)
        found.append((pos + 2, index))
        pos += 8 if flags & _ARGS_ARE_WORDS else 6
        if flags & _HAS_SCALE:
            pos += 2
        elif flags & _HAS_XY_SCALE:
            pos += 4
        elif flags & _HAS_2X2:
            pos += 8
    return tuple(found)


def _set_ushort(table: bytes, offset: int, value: int) -> bytes:
    return table[:offset] + _USHORT.pack(value) + table[offset + 2 :]


class FastSubsetter:
    """``makeSubset`` for one reportlab font face (``TTFont.face``), byte for byte the same."""

    def __init__(self, face: Any) -> None:
        self._face = face
        start, length = face.get_table_pos("glyf")
        self._glyf = memoryview(face._ttf_data)[start : start + length]
        self._copied: list[tuple[str, bytes]] = []
        for tag in _COPIED_TABLES:
            if tag in face.table:  # cvt, fpgm and prep are optional: reportlab skips them when absent
                self._copied.append((tag, face.get_table(tag)))
        self._post = b"\x00\x03\x00\x00" + face.get_table("post")[4:16] + b"\x00" * 16
        self._hhea = face.get_table("hhea")
        self._maxp = face.get_table("maxp")
        self._head = face.get_table("head")
        self._glyphs: dict[int, _Glyph] = {}
        self._widths: dict[int, bytes] = {}

    def install(self) -> None:
        """Make the face subset, and list its widths, with this object from now on."""
        self._face.makeSubset = self.make_subset
        self._face.getCharWidth = self.formatted_width

    def formatted_width(self, code: int) -> bytes:
        """The width of character ``code`` as reportlab writes a number into a PDF (``pdfdoc.format``)."""
        width = self._widths.get(code)
        if width is None:
            number = self._face.charWidths.get(code, self._face.defaultWidth)
            width = self._widths[code] = pdfdoc.pdfdocEnc(fp_str(number))
        return width

    def _glyph(self, index: int) -> _Glyph:
        positions = self._face.glyphPos
        start, end = positions[index], positions[index + 1]
        length = end - start
        if 0 < length <= 2:
            raise _ShortGlyph
        data = bytes(self._glyf[start:end])
        components = _components(data) if length and data[0] & 0x80 else ()  # numberOfContours < 0
        advance, bearing = self._face.hmetrics[index]
        glyph = (data, components, b"\0" * (-length % 4), int(advance), int(bearing))
        self._glyphs[index] = glyph
        return glyph

    def make_subset(self, subset: Sequence[int]) -> bytes:
        """The TrueType file of ``subset`` (Unicode code points, in the subset's code order)."""
        try:
            return self._make(subset)
        except _ShortGlyph:
            result: bytes = ttfonts.TTFontFile.makeSubset(self._face, subset)
            return result

    def _make(self, subset: Sequence[int]) -> bytes:
        char_to_glyph = self._face.charToGlyph
        glyph_map = [0]  # new glyph index -> font's glyph index; 0 is the missing glyph
        new_index = {0: 0}
        codes = []
        for code in subset:
            original = char_to_glyph.get(code, 0)
            index = new_index.get(original)
            if index is None:
                index = new_index[original] = len(glyph_map)
                glyph_map.append(original)
            codes.append(index)
        known = self._glyphs
        glyphs = []
        for original in glyph_map:  # grows while it is read: components join at the end, as in reportlab
            glyph = known.get(original) or self._glyph(original)
            glyphs.append(glyph)
            for _, component in glyph[1]:
                if component not in new_index:
                    new_index[component] = len(glyph_map)
                    glyph_map.append(component)

        output = ttfonts.TTFontMaker()
        for tag, table in self._copied:
            output.add(tag, table)
        output.add("post", self._post)

        metrics: list[int] = []
        for glyph in glyphs:
            metrics += glyph[3:5]
        # a run of equal advance widths at the end is written once (numberOfHMetrics), as reportlab does
        n = len(metrics) - 2
        while n and metrics[n] == metrics[n - 2]:
            n -= 2
        n += 2
        hmtx = metrics[:n] + metrics[n + 1 :: 2]
        output.add("hmtx", struct.pack(f">{len(hmtx)}H", *hmtx))
        output.add("hhea", _set_ushort(self._hhea, 34, n >> 1))
        output.add("maxp", _set_ushort(self._maxp, 4, len(glyph_map)))
        cmap = (0, 1, 1, 0, 0, 12, 6, 10 + len(codes) * 2, 0, 0, len(codes), *codes)
        output.add("cmap", struct.pack(f">{len(cmap)}H", *cmap))

        offsets = []
        pieces: list[bytes] = []
        pos = 0
        for data, components, padding, _, _ in glyphs:
            offsets.append(pos)
            if components:
                patched = bytearray(data)
                for offset, component in components:
                    _USHORT.pack_into(patched, offset, new_index[component])
                data = bytes(patched)
            pieces += (data, padding)
            pos += len(data) + len(padding)
        offsets.append(pos)
        output.add("glyf", b"".join(pieces))
        if (pos + 1) >> 1 > 0xFFFF:
            location_format = 1
            loca = struct.pack(f">{len(offsets)}L", *offsets)
        else:
            location_format = 0
            loca = struct.pack(f">{len(offsets)}H", *(offset >> 1 for offset in offsets))
        output.add("loca", loca)
        output.add("head", _set_ushort(self._head, 50, location_format))
        stream: bytes = output.makeStream()
        return stream
