"""Bit counting for the compiled bitboard kernels (Connect Four, Othello; rules, store and solvers).

LLVM intrinsics, one machine instruction each where the CPU has it (x86 `popcnt`, `tzcnt`),
usable only from Numba-compiled code. Plain Python code uses `int.bit_count()`.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.extending import intrinsic


def _word(x) -> bool:
    return isinstance(x, types.Integer) and x.bitwidth == 64


@intrinsic
def popcount(typingctx, x):
    """Number of set bits of an int64 or uint64 bitboard, as int64 (LLVM ctpop)."""
    if not _word(x):
        return None

    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])

    return types.int64(x), codegen


@intrinsic
def lowest_bit(typingctx, x):
    """Index of the lowest set bit of a non-zero int64 or uint64, as int64 (LLVM cttz)."""
    if not _word(x):
        return None

    def codegen(context, builder, signature, args):
        return builder.cttz(args[0], ir.Constant(ir.IntType(1), 1))

    return types.int64(x), codegen
