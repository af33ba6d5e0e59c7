"""QR matrices of stamp URIs, fast enough to print a thousand stamps a second.

`segno.make()` takes about 4 ms for a version-4 code, most of it in pure-Python
loops over every module (placing the bits, masking eight times, scoring each
mask). A PDF of ten thousand labels would spend 40 s there. Stamp URIs are
always in the alphanumeric mode and come in a handful of versions, so
everything that depends only on the version and the error level is computed
once with segno's own functions and cached: the function patterns, the order
in which data bits are placed, the eight mask patterns, the format and version
information. What is left per code runs mostly in C (bytes, big integers,
regular expressions):

- data codewords from the text (mode, count, 11 bits per pair of characters);
- Reed-Solomon error correction as a byte-wise LFSR on a Python integer, with a
  precomputed product table per generator polynomial;
- placement as one gather (`operator.itemgetter`) from the bit string and the
  template;
- each mask as one XOR of big integers; its penalty (ISO/IEC 18004 §7.8.3,
  rules N1–N4, scored exactly as segno scores them) with regular expressions
  over the rows and columns and byte-wise integer arithmetic for 2×2 blocks.

The result is identical to segno's, module for module (the tests compare them
on random stamps of every kind); any text outside the alphanumeric mode goes
to segno itself.
"""

from __future__ import annotations

import operator
import re
from functools import cache
from typing import Any

import segno
from segno import consts
from segno import encoder as segno_encoder

_ALNUM = {ch: i for i, ch in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")}
_ALNUM_RE = re.compile(r"[0-9A-Z $%*+\-./:]*")
_ERRORS = {"L": consts.ERROR_LEVEL_L, "M": consts.ERROR_LEVEL_M, "Q": consts.ERROR_LEVEL_Q, "H": consts.ERROR_LEVEL_H}
_BITS = [bytes((value >> (7 - i)) & 1 for i in range(8)) for value in range(256)]
_FINDER_LIKE = b"\x01\x00\x01\x01\x01\x00\x01"
DARK_RUN = re.compile(rb"\x01+")

Matrix = list[bytes]


class _Plan:
    """Everything about a (version, error level) that does not depend on the content."""

    def __init__(self, version: int, error: int) -> None:
        self.version = version
        self.error = error
        self.width = width = segno_encoder.calc_matrix_size(version)
        self.stride = stride = width + 1  # one separator byte (2) after each row
        self.capacity = consts.SYMBOL_CAPACITY[version][error]  # data bits
        self.count_bits = consts.CHAR_COUNT_INDICATOR_LENGTH[consts.MODE_ALPHANUMERIC][
            segno_encoder.version_range(version)
        ]
        self.blocks = [
            (info.num_blocks, info.num_data, info.num_total - info.num_data) for info in consts.ECC[version][error]
        ]
        self.tables = {ec: _rs_table(ec) for _, _, ec in self.blocks}

        matrix = segno_encoder.make_matrix(width, width)
        segno_encoder.add_finder_patterns(matrix, width, width)
        segno_encoder.add_alignment_patterns(matrix, width, width)
        data_cells = _placement_order(matrix, width)
        self.data_length = len(data_cells)
        template = bytearray([2] * (width * stride))
        for i in range(width):
            for j in range(width):
                value = matrix[i][j]
                template[i * stride + j] = 0 if value == 2 else value
        # Gather: each cell takes its bit (index < data_length) or its template value.
        source = [self.data_length + p for p in range(width * stride)]
        for bit_index, (i, j) in enumerate(data_cells):
            source[i * stride + j] = bit_index
        self.gather = operator.itemgetter(*source)
        self.template = bytes(template)
        # Column-major view with the same separators: N1 and N3 read the columns too.
        self.columns = operator.itemgetter(
            *[(j * stride + i) if j < width else (width * stride - 1) for i in range(width) for j in range(stride)]
        )
        size = width * stride
        self.ones = int.from_bytes(b"\x01" * (2 * size - 4), "big")
        masks = segno_encoder.get_data_mask_functions(False)
        self.masks: list[int] = []
        self.masks_t: list[int] = []
        self.finals: list[int] = []
        for number, function in enumerate(masks):
            pattern = bytearray(width * stride)
            for i, j in data_cells:
                if function(i, j):
                    pattern[i * stride + j] = 1
            self.masks.append(int.from_bytes(pattern, "big"))
            self.masks_t.append(int.from_bytes(bytes(self.columns(bytes(pattern))), "big"))
            # Format and version information and the dark module, added after the
            # choice of mask exactly as segno adds them (to a light template).
            light = tuple(bytearray(width) for _ in range(width))
            segno_encoder.add_format_info(light, version, error, number)
            segno_encoder.add_version_info(light, version)
            extra = bytearray(width * stride)
            for i in range(width):
                for j in range(width):
                    if light[i][j] == 1 and matrix[i][j] in (0, 2):
                        extra[i * stride + j] = 1
            self.finals.append(int.from_bytes(extra, "big"))


def _placement_order(matrix: Any, size: int) -> list[tuple[int, int]]:
    """The cells that take data bits, in placement order (segno.encoder.add_codewords for QR codes)."""
    order = []
    taken = set()
    for right in range(size - 1, 0, -2):
        if right <= 6:
            right -= 1
        for vertical in range(size):
            for z in range(2):
                j = right - z
                upwards = ((right & 2) == 0) ^ (j < 6)
                i = (size - 1 - vertical) if upwards else vertical
                if matrix[i][j] == 2 and (i, j) not in taken:
                    taken.add((i, j))
                    order.append((i, j))
    return order


def _rs_table(ec: int) -> list[int]:
    """coefficient → generator polynomial times it, as an integer of `ec` bytes (for the LFSR)."""
    gen = consts.GEN_POLY[ec]
    log, exp = consts.GALIOS_LOG, consts.GALIOS_EXP
    table = [0]
    for coef in range(1, 256):
        table.append(int.from_bytes(bytes(exp[log[coef] + g] for g in gen), "big"))
    return table


@cache
def _plan(version: int, error: int) -> _Plan:
    return _Plan(version, error)


def _data_bits(text: str, count_bits: int) -> tuple[int, int]:
    value, length = 0b0010, 4  # alphanumeric mode indicator
    value = (value << count_bits) | len(text)
    length += count_bits
    codes = [_ALNUM[ch] for ch in text]
    for k in range(0, len(codes) - 1, 2):
        value = (value << 11) | (codes[k] * 45 + codes[k + 1])
        length += 11
    if len(codes) % 2:
        value = (value << 6) | codes[-1]
        length += 6
    return value, length


def _version_for(text: str, error: int) -> int | None:
    for version in range(1, 41):
        plan_bits = consts.SYMBOL_CAPACITY[version][error]
        count_bits = consts.CHAR_COUNT_INDICATOR_LENGTH[consts.MODE_ALPHANUMERIC][segno_encoder.version_range(version)]
        needed = 4 + count_bits + 11 * (len(text) // 2) + 6 * (len(text) % 2)
        if needed <= plan_bits and len(text) < (1 << count_bits):
            return version
    return None


def _codewords(text: str, plan: _Plan) -> bytes:
    value, length = _data_bits(text, plan.count_bits)
    terminator = min(4, plan.capacity - length)
    value <<= terminator
    length += terminator
    # segno always pads to the next byte boundary with 1 to 8 zero bits... unless
    # the capacity is reached: write_padding_bits adds 8 - length % 8 (8 when aligned).
    pad = 8 - (length % 8)
    value <<= pad
    length += pad
    data = bytearray(value.to_bytes(length // 8, "big"))
    capacity_bytes = plan.capacity // 8
    filler = (0xEC, 0x11)
    k = 0
    while len(data) < capacity_bytes:
        data.append(filler[k % 2])
        k += 1
    return bytes(data[:capacity_bytes])


def _final_message(data: bytes, plan: _Plan) -> bytes:
    data_blocks: list[bytes] = []
    ec_blocks: list[bytes] = []
    position = 0
    for count, size, ec in plan.blocks:
        table = plan.tables[ec]
        shift = 8 * (ec - 1)
        full = (1 << (8 * ec)) - 1
        for _ in range(count):
            block = data[position : position + size]
            position += size
            register = 0
            for byte in block:
                register = ((register << 8) & full) ^ table[byte ^ (register >> shift)]
            data_blocks.append(block)
            ec_blocks.append(register.to_bytes(ec, "big"))
    out = bytearray()
    for blocks in (data_blocks, ec_blocks):
        longest = max(len(b) for b in blocks)
        for k in range(longest):
            out.extend(b[k] for b in blocks if k < len(b))
    return bytes(out)


def _n3(sequence: bytes, stride: int, width: int) -> int:
    """Finder-like patterns in rows (separated by a byte 2), scored as segno scores them."""
    score = 0
    row = -1
    next_allowed = 0
    row_start = 0
    find = sequence.find
    position = find(_FINDER_LIKE)
    while position != -1:
        found, position = position, find(_FINDER_LIKE, position + 1)
        if found // stride != row:
            row = found // stride
            row_start = row * stride
            next_allowed = 0
        idx = found - row_start
        if idx < next_allowed:
            continue
        offset = idx + 7
        seq = sequence[row_start : row_start + width]
        if (
            idx in (0, width - 7)
            or not any(seq[max(idx - 4, 0) : idx])
            or not any(seq[offset : min(offset + 4, width)])
        ):
            score += 40
            next_allowed = offset
        else:
            next_allowed = idx + 4
    return score


def _nonzero(value: int, ones: int) -> int:
    """Byte-wise: 1 where the byte of `value` (0..3) is not zero, else 0."""
    return (value | (value >> 1)) & ones


def _penalty(cells: bytes, columns: bytes, plan: _Plan) -> int:
    """The mask penalty of ISO/IEC 18004 §7.8.3, computed exactly as segno computes it.

    `cells` and `columns` are the rows and the columns, each followed by a
    separator byte (2) that no run or pattern can cross.
    """
    stride, width = plan.stride, plan.width
    both = cells + columns
    length = len(both)
    ones = plan.ones
    # N1: a run of L >= 5 equal modules scores L - 2 = (L - 4 windows of five) + 2 (for its start).
    w = [int.from_bytes(both[j : length - 4 + j], "big") for j in range(5)]
    w0 = w[0]
    uneven = _nonzero((w0 ^ w[1]) | (w0 ^ w[2]) | (w0 ^ w[3]) | (w0 ^ w[4]), ones)
    before = int.from_bytes(b"\x02" + both[: length - 5], "big")
    starts = ~uneven & ones & _nonzero(before ^ w0, ones)
    n1 = (length - 4 - uneven.bit_count()) + 2 * starts.bit_count()
    # N2: 3 for every 2×2 block of one colour.
    size = len(cells)
    a = int.from_bytes(cells[: size - stride - 1], "big")
    b = int.from_bytes(cells[1 : size - stride], "big")
    c = int.from_bytes(cells[stride : size - 1], "big")
    d = int.from_bytes(cells[stride + 1 :], "big")
    n2 = 3 * ((a ^ b) | (a ^ c) | (a ^ d)).to_bytes(size - stride - 1, "big").count(0)
    n3 = _n3(both, stride, width)
    percent = float(cells.count(1)) / (width * width)
    n4 = 10 * int(abs(percent * 100 - 50) / 5)
    return n1 + n2 + n3 + n4


def _fast(text: str, error: int) -> Matrix | None:
    version = _version_for(text, error)
    if version is None:
        return None
    plan = _plan(version, error)
    message = _final_message(_codewords(text, plan), plan)
    bits = b"".join([_BITS[byte] for byte in message])
    bits = bits.ljust(plan.data_length, b"\0")  # remainder bits
    placed_bytes = bytes(plan.gather(bits + plan.template))
    placed = int.from_bytes(placed_bytes, "big")
    placed_t = int.from_bytes(bytes(plan.columns(placed_bytes)), "big")
    size = plan.width * plan.stride
    best_score = None
    best = 0
    best_cells = 0
    for number, (mask, mask_t) in enumerate(zip(plan.masks, plan.masks_t, strict=True)):
        masked = placed ^ mask
        score = _penalty(masked.to_bytes(size, "big"), (placed_t ^ mask_t).to_bytes(size, "big"), plan)
        if best_score is None or score < best_score:
            best_score, best, best_cells = score, number, masked
    final = (best_cells ^ plan.finals[best]).to_bytes(size, "big")
    stride, width = plan.stride, plan.width
    return [final[r * stride : r * stride + width] for r in range(width)]


def matrix(text: str, error: str = "M") -> Matrix:
    """The modules of the QR code for `text` (rows of bytes, 0 light, 1 dark), without quiet zone.

    Always a full QR code (never Micro QR), at exactly the error level asked.
    """
    level = _ERRORS[error.upper()]
    # Digits alone would be in numeric mode (segno's choice too): left to segno.
    if _ALNUM_RE.fullmatch(text) and not text.isdigit():
        rows = _fast(text, level)
        if rows is not None:
            return rows
    return [bytes(row) for row in segno.make(text, error=error, micro=False, boost_error=False).matrix]


def version(text: str, error: str = "M") -> int:
    """The QR version of `text` at `error` (what the size cost of a stamp is measured in)."""
    return int(segno.make(text, error=error, micro=False, boost_error=False).version)
