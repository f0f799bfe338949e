"""A whitelist parser for arithmetic answers: integers, + - * / and parentheses.

Recursive descent over the grammar

    expr   := term (("+" | "-") term)*
    term   := factor (("*" | "/") factor)*
    factor := NUMBER | "(" expr ")"

evaluated exactly with Fractions. Nothing else is accepted (no names, no unary
minus, no exponent), nesting is bounded, and model text is never handed to `eval`.
"""

from __future__ import annotations

from fractions import Fraction

MAX_CHARS = 200
MAX_DEPTH = 16
MAX_DIGITS = 6


class ExpressionError(ValueError):
    """Text outside the grammar, too deep or too long, or a division by zero."""


class _Parser:
    def __init__(self, text: str):
        self.text = text.replace(" ", "")
        self.pos = 0
        self.leaves: list[int] = []

    def parse(self) -> Fraction:
        if not self.text:
            raise ExpressionError("empty expression")
        if len(self.text) > MAX_CHARS:
            raise ExpressionError(f"expression longer than {MAX_CHARS} characters")
        value = self._expr(0)
        if self.pos != len(self.text):
            raise ExpressionError(f"unexpected {self.text[self.pos]!r} at {self.pos}")
        return value

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _expr(self, depth: int) -> Fraction:
        value = self._term(depth)
        while self._peek() and self._peek() in "+-":
            op = self.text[self.pos]
            self.pos += 1
            rhs = self._term(depth)
            value = value + rhs if op == "+" else value - rhs
        return value

    def _term(self, depth: int) -> Fraction:
        value = self._factor(depth)
        while self._peek() and self._peek() in "*/":
            op = self.text[self.pos]
            self.pos += 1
            rhs = self._factor(depth)
            if op == "*":
                value = value * rhs
            elif rhs == 0:
                raise ExpressionError("division by zero")
            else:
                value = value / rhs
        return value

    def _factor(self, depth: int) -> Fraction:
        c = self._peek()
        if c == "(":
            if depth >= MAX_DEPTH:
                raise ExpressionError(f"nesting deeper than {MAX_DEPTH}")
            self.pos += 1
            value = self._expr(depth + 1)
            if self._peek() != ")":
                raise ExpressionError(f"missing ')' at {self.pos}")
            self.pos += 1
            return value
        start = self.pos
        while self._peek() and self._peek() in "0123456789":
            self.pos += 1
        token = self.text[start:self.pos]
        if not token:
            raise ExpressionError(f"expected a number or '(' at {start}")
        if len(token) > MAX_DIGITS or (len(token) > 1 and token[0] == "0"):
            raise ExpressionError(f"bad number {token!r}")
        self.leaves.append(int(token))
        return Fraction(int(token))


def evaluate(text: str) -> tuple[Fraction, list[int]]:
    """(exact value, the numbers used in order of appearance); ExpressionError when malformed."""
    parser = _Parser(text)
    return parser.parse(), parser.leaves
