r"""Rust `regex` syntax on Python `re`: Chroma evaluates `$regex` with the Rust crate.

Chroma validates and runs patterns with the Rust regex crate. `translate_regex` parses that
syntax, raises the crate's errors for what it rejects (look-around, backreferences, `\Z`, ...),
and emits an equivalent Python pattern. Differences it resolves: `$` means end of text, `\z`,
`(?<name>`, flags in the middle of a pattern (scoped to the rest of the group), `\x{...}`,
`\p{...}` general categories, POSIX `[[:alpha:]]`, nested classes and `&&`/`--`/`~~` set
operations, stacked repetitions (`a**`), `\<`/`\>`/`\b{start}` boundaries, whitespace in counted
repetitions and in verbose classes. Case-insensitivity and multi-line/dot-all are applied per
atom, so the emitted pattern carries no global flags. Errors carry regex-syntax's messages and
caret layout. Known gaps: Unicode scripts and most binary properties (`\p{Greek}`) are rejected;
`\b` uses Python's word definition and `\w` approximates Alphabetic by letters and marks; the
(?-u) and (?R) flags are accepted but ignored; (?U) only swaps greediness, which cannot change
whether a text matches.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass, replace

from huedb.errors import InvalidArgumentError

_MAX_NESTING = 250
_MAX_CODE_POINT = 0x10FFFF
_Ranges = list[tuple[int, int]]


class _RegexError(Exception):
    def __init__(self, message: str, *spans: tuple[int, int]) -> None:
        super().__init__(message)
        self.message = message
        self.spans = spans


class _EmptyClassError(Exception):
    """A class that matches nothing, which Chroma refuses as "Byte pattern is not allowed"."""


@functools.lru_cache(maxsize=256)
def compile_regex(pattern: str) -> re.Pattern[str]:
    """Compiles a Rust-syntax pattern to Python `re`, with a small cache.

    Raises:
        InvalidArgumentError: "Regex syntax errror: regex parse error: ..." when the Rust crate
            would reject the pattern (the triple "r" is Chroma's).
    """
    translated = translate_regex(pattern)
    try:
        return re.compile(translated)
    except (re.error, RecursionError, OverflowError) as exc:
        raise InvalidArgumentError(f"Regex syntax errror: {exc}") from None


def translate_regex(pattern: str) -> str:
    """The Python `re` pattern equivalent to a Rust `regex` pattern.

    Raises:
        InvalidArgumentError: the pattern is not valid Rust regex syntax.
    """
    try:
        return _RustRegex(pattern).translate()
    except _RegexError as exc:
        raise InvalidArgumentError(
            "Regex syntax errror: " + _rust_error_text(pattern, exc.message, exc.spans)
        ) from None
    except _EmptyClassError:
        raise InvalidArgumentError("Byte pattern is not allowed") from None


def _rust_error_text(pattern: str, message: str, spans: tuple[tuple[int, int], ...]) -> str:
    """regex-syntax's error layout: the pattern, carets under the spans, then the message."""
    lines = pattern.split("\n")
    if len(lines) > 1 and not lines[-1]:
        lines.pop()  # Rust lists the pattern with str::lines, which drops a final empty line
    notes: dict[int, str] = {}
    crossing: list[str] = []
    for start, end in spans:
        line = pattern.count("\n", 0, start)
        column = start - (pattern.rfind("\n", 0, start) + 1)
        end_line = pattern.count("\n", 0, end)
        if end_line != line:
            # A span that ends on a later line is described instead of underlined.
            end_column = end - (pattern.rfind("\n", 0, end) + 1)
            crossing.append(
                f"on line {line + 1} (column {column + 1}) "
                f"through line {end_line + 1} (column {end_column})"
            )
            continue
        note = notes.get(line, "").ljust(column)
        notes[line] = note + "^" * max(1, end - start)
    out = ["regex parse error:"]
    if "\n" not in pattern:
        out.append("    " + pattern)
        out.extend("    " + note for note in notes.values())
    else:
        width = len(str(len(lines)))
        divider = "~" * 79
        out.append(divider)
        for i, text in enumerate(lines):
            out.append(f"{i + 1:>{width}}: {text}")
            if i in notes:
                out.append(" " * (width + 2) + notes[i])
        out.append(divider)
        out.extend(crossing)
    out.append("error: " + message)
    return "\n".join(out)


@dataclass
class _Flags:
    i: bool = False  # case-insensitive
    m: bool = False  # ^ and $ match at line breaks
    s: bool = False  # . matches \n
    x: bool = False  # verbose: whitespace and # comments ignored


@dataclass
class _Item:
    text: str
    quantifiable: bool = True


class _RustRegex:
    """A recursive-descent reader of Rust regex syntax that writes Python `re` syntax."""

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.pos = 0
        self.depth = 0
        self.names: dict[str, tuple[int, int]] = {}
        # Rust parses the whole pattern before it resolves Unicode property names, so a syntax
        # error anywhere wins over an unknown property.
        self.deferred: _RegexError | None = None
        # Chroma rejects classes that match nothing only after translating the whole pattern.
        self.empty_class = False

    def translate(self) -> str:
        translated = self.sequence(_Flags(), None)
        if self.deferred is not None:
            raise self.deferred
        if self.empty_class:
            raise _EmptyClassError
        return translated

    def peek(self, ahead: int = 0) -> str:
        at = self.pos + ahead
        return self.p[at] if at < len(self.p) else ""

    def at_end(self) -> bool:
        return self.pos >= len(self.p)

    def nest(self, at: int) -> None:
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise _RegexError(
                f"exceed the maximum number of nested parentheses/brackets ({_MAX_NESTING})",
                (at, at + 1),
            )

    def sequence(self, flags: _Flags, open_at: int | None) -> str:
        """An alternation up to the `)` closing the group opened at `open_at` (or the end)."""
        branches: list[str] = []
        items: list[_Item] = []
        while True:
            if self.at_end():
                if open_at is not None:
                    raise _RegexError("unclosed group", (open_at, open_at + 1))
                break
            c = self.p[self.pos]
            if flags.x and c.isspace():
                self.pos += 1
            elif flags.x and c == "#":
                end = self.p.find("\n", self.pos)
                self.pos = len(self.p) if end < 0 else end + 1
            elif c == ")":
                if open_at is None:
                    raise _RegexError("unopened group", (self.pos, self.pos + 1))
                self.pos += 1
                break
            elif c == "|":
                branches.append("".join(item.text for item in items))
                items = []
                self.pos += 1
            elif c in "*+?{":
                if not items or not items[-1].quantifiable:
                    raise _RegexError(
                        "repetition operator missing expression", (self.pos, self.pos + 1)
                    )
                item = items[-1]
                # Always group the operand: Python rejects repeating an assertion or a
                # repetition, which Rust allows (`^*`, `a**`).
                item.text = "(?:" + item.text + ")" + self.quantifier(flags)
            else:
                text = self.atom(flags)
                items.append(_Item("", quantifiable=False) if text is None else _Item(text))
        branches.append("".join(item.text for item in items))
        return "|".join(branches)

    def quantifier(self, flags: _Flags) -> str:
        c = self.p[self.pos]
        start = self.pos
        self.pos += 1
        if c != "{":
            text = c
        else:
            low = self.decimal(start)
            high: int | None = low
            if self.peek() == ",":
                self.pos += 1
                self.skip_space()
                high = None if self.peek() == "}" else self.decimal(start)
            if self.at_end():
                raise _RegexError("unclosed counted repetition", (start, len(self.p)))
            if self.peek() != "}":
                raise _RegexError("unclosed counted repetition", (start, self.pos))
            self.pos += 1
            if high is not None and low > high:
                raise _RegexError(
                    "invalid repetition count range, the start must be <= the end",
                    (start, self.pos),
                )
            upper = "" if high is None else str(high)
            text = f"{{{low}}}" if high == low else f"{{{low},{upper}}}"
            if flags.x:
                # Rust skips verbose-mode space between a counted repetition and its lazy `?`.
                self.skip_space()
        if self.peek() == "?":
            self.pos += 1
            text += "?"
        return text

    def skip_space(self) -> None:
        while not self.at_end() and self.p[self.pos].isspace():
            self.pos += 1

    def decimal(self, start: int) -> int:
        self.skip_space()
        if self.at_end():
            raise _RegexError("unclosed counted repetition", (start, len(self.p)))
        begin = self.pos
        while self.peek() in tuple("0123456789"):
            self.pos += 1
        if begin == self.pos:
            raise _RegexError(
                "repetition quantifier expects a valid decimal", (self.pos, self.pos + 1)
            )
        value = int(self.p[begin : self.pos])
        if value > 0xFFFFFFFF:
            raise _RegexError("decimal literal invalid", (begin, self.pos))
        self.skip_space()
        return value

    def atom(self, flags: _Flags) -> str | None:
        """One atom as Python text, or None for a flag directive such as `(?i)`."""
        c = self.p[self.pos]
        if c == "(":
            return self.group(flags)
        if c == "[":
            return _case(flags, self.class_text(*self.bracket_class(flags)))
        if c == "\\":
            return self.escape(flags)
        self.pos += 1
        if c == ".":
            return "(?s:.)" if flags.s else "."
        if c == "^":
            return "(?m:^)" if flags.m else r"\A"
        if c == "$":
            # Without (?m), Rust's `$` is the end of the text; Python's also matches before a
            # final newline.
            return "(?m:$)" if flags.m else r"\Z"
        return _case(flags, _literal(ord(c)))

    def group(self, flags: _Flags) -> str | None:
        open_at = self.pos
        self.nest(open_at)
        self.pos += 1
        inner = replace(flags)
        if self.peek() == "?":
            self.pos += 1
            c = self.peek()
            if c == "":
                raise _RegexError("unclosed group", (open_at, open_at + 1))
            if c in "=!" or (c == "<" and self.peek(1) in ("=", "!")):
                raise _RegexError(
                    "look-around, including look-ahead and look-behind, is not supported",
                    (open_at, self.pos + (1 if c != "<" else 2)),
                )
            if c == "<" or (c == "P" and self.peek(1) == "<"):
                self.pos += 1 if c == "<" else 2
                self.group_name()
            else:
                directive = self.group_flags(inner, open_at)
                if directive:
                    # Rust flags set mid-group last until the group ends, across `|` too, so
                    # they update the enclosing sequence's flags in place.
                    flags.i, flags.m, flags.s, flags.x = inner.i, inner.m, inner.s, inner.x
                    self.depth -= 1
                    return None
        body = self.sequence(inner, open_at)
        self.depth -= 1
        # Captures do not matter for a yes/no match, so every group becomes non-capturing.
        return "(?:" + body + ")"

    def group_name(self) -> None:
        start = self.pos
        while True:
            if self.at_end():
                raise _RegexError("unclosed capture group name", (len(self.p), len(self.p)))
            ch = self.p[self.pos]
            if ch == ">":
                break
            first = self.pos == start
            if not (ch == "_" or ch.isalpha() or (not first and (ch.isalnum() or ch in ".[]"))):
                raise _RegexError("invalid capture group character", (self.pos, self.pos + 1))
            self.pos += 1
        end = self.pos
        name = self.p[start:end]
        if not name:
            raise _RegexError("empty capture group name", (start, start + 1))
        if name in self.names:
            raise _RegexError("duplicate capture group name", self.names[name], (start, end))
        self.names[name] = (start, end)
        self.pos = end + 1

    def group_flags(self, flags: _Flags, open_at: int) -> bool:
        """Reads `(?flags)` or `(?flags:` into `flags`; True for the directive form."""
        first = self.pos
        negate_at: int | None = None
        dangling = False
        seen: dict[str, int] = {}
        while True:
            if self.at_end():
                raise _RegexError("expected flag but got end of regex", (len(self.p), len(self.p)))
            c = self.p[self.pos]
            if c in ":)":
                if dangling and negate_at is not None:
                    raise _RegexError("dangling flag negation operator", (negate_at, negate_at + 1))
                if c == ")" and self.pos == first:
                    raise _RegexError("repetition operator missing expression", (first - 1, first))
                self.pos += 1
                return c == ")"
            if c == "-":
                if negate_at is not None:
                    raise _RegexError(
                        "flag negation operator repeated",
                        (negate_at, negate_at + 1),
                        (self.pos, self.pos + 1),
                    )
                negate_at = self.pos
                dangling = True
            elif c in "imsxuUR":
                if c in seen:
                    raise _RegexError(
                        "duplicate flag", (seen[c], seen[c] + 1), (self.pos, self.pos + 1)
                    )
                seen[c] = self.pos
                dangling = False
                if c in "imsx":
                    setattr(flags, c, negate_at is None)
            else:
                raise _RegexError("unrecognized flag", (self.pos, self.pos + 1))
            self.pos += 1

    def escape(self, flags: _Flags) -> str:
        start = self.pos
        self.pos += 1
        if self.at_end():
            raise _RegexError(
                "incomplete escape sequence, reached end of pattern prematurely", (start, start + 1)
            )
        c = self.p[self.pos]
        self.pos += 1
        if c in "dDsSwWpP":
            return _case(flags, self.class_text(*self.class_escape(c, start)))
        assertions = {
            "z": r"\Z",
            "A": r"\A",
            # Python's \B never matches in an empty text; Rust's does.
            "B": r"(?:\B|\A\Z)",
            "<": r"\b(?=\w)",
            ">": r"\b(?<=\w)",
        }
        if c in assertions:
            return assertions[c]
        if c == "b":
            return self.word_boundary(start)
        return _case(flags, _literal(self.escaped_literal(c, start)))

    def word_boundary(self, start: int) -> str:
        # `\b{start}` and friends; a `{` followed by anything but letters and `-` is a counted
        # repetition of `\b`, as in Rust.
        if self.peek() != "{":
            return r"\b"
        brace = self.pos
        if brace + 1 >= len(self.p):
            raise _RegexError(
                "found either the beginning of a special word boundary or a bounded repetition "
                "on a \\b with an opening brace, but no closing brace",
                (start, len(self.p)),
            )
        name = _BOUNDARY_NAME.match(self.p, brace + 1)
        if name is None:
            return r"\b"
        if name.end() >= len(self.p) or self.p[name.end()] != "}":
            raise _RegexError(
                "special word boundary assertion is either unclosed or contains an invalid "
                "character",
                (brace, name.end()),
            )
        self.pos = name.end() + 1
        kinds = {
            "start": r"\b(?=\w)",
            "end": r"\b(?<=\w)",
            "start-half": r"(?<!\w)",
            "end-half": r"(?!\w)",
        }
        if name.group() not in kinds:
            raise _RegexError(
                "unrecognized special word boundary assertion, valid choices are: start, end, "
                "start-half or end-half",
                name.span(),
            )
        return kinds[name.group()]

    def class_escape(self, c: str, start: int) -> tuple[_Ranges, bool]:
        """The code points of `\\d \\s \\w \\p{..}`, and whether the escape negates them."""
        negate = c in "DSWP"
        if c in "dD":
            ranges = _category_ranges("Nd")
        elif c in "sS":
            ranges = _WHITE_SPACE
        elif c in "wW":
            ranges = _word_ranges()
        else:
            ranges, negate_property = self.unicode_property(start)
            negate ^= negate_property
        return ranges, negate

    def unicode_property(self, start: int) -> tuple[_Ranges, bool]:
        if self.at_end():
            raise _RegexError(
                "incomplete escape sequence, reached end of pattern prematurely",
                (len(self.p), len(self.p)),
            )
        if self.peek() == "{":
            end = self.p.find("}", self.pos)
            if end < 0:
                raise _RegexError(
                    "incomplete escape sequence, reached end of pattern prematurely",
                    (len(self.p), len(self.p)),
                )
            name = self.p[self.pos + 1 : end]
            self.pos = end + 1
        else:
            name = self.p[self.pos]
            if name == "\\":
                raise _RegexError("invalid Unicode character class", (self.pos, self.pos + 1))
            self.pos += 1
        negate = False
        for separator in ("!=", "=", ":"):
            if separator in name:
                prop, _, name = name.partition(separator)
                negate = separator == "!="
                if _loose(prop) not in ("gc", "generalcategory"):
                    name = "\0"  # only general categories are supported
                break
        ranges = _property_ranges(_loose(name))
        if ranges is None:
            message = "Unicode property not found"
            if len(name) > 2 and name.replace("_", "").isalpha():
                # Most likely a script or binary property that Rust knows and Python cannot list.
                message += (
                    " (huedb supports general categories such as L, Lu and Nd, and Any, ASCII, "
                    "Assigned and White_Space)"
                )
            if self.deferred is None:
                self.deferred = _RegexError(message, (start, self.pos))
            return [(0, _MAX_CODE_POINT)], negate
        return ranges, negate

    def escaped_literal(self, c: str, start: int) -> int:
        simple = {"n": 10, "t": 9, "r": 13, "f": 12, "v": 11, "a": 7}
        if c in simple:
            return simple[c]
        if c in "xuU":
            return self.hex_literal(c)
        if "0" <= c <= "9":
            raise _RegexError("backreferences are not supported", (start, self.pos))
        if c.isascii() and not c.isalnum() and c not in "<>":
            return ord(c)
        raise _RegexError("unrecognized escape sequence", (start, self.pos))

    def hex_literal(self, c: str) -> int:
        if self.peek() == "{":
            brace = self.pos
            first = end = brace + 1
            while end >= len(self.p) or self.p[end] != "}":
                if end >= len(self.p):
                    raise _RegexError(
                        "incomplete escape sequence, reached end of pattern prematurely",
                        (brace, len(self.p)),
                    )
                if self.p[end] not in "0123456789abcdefABCDEF":
                    raise _RegexError("invalid hexadecimal digit", (end, end + 1))
                end += 1
            self.pos = end + 1
            if first == end:
                raise _RegexError("hexadecimal literal empty", (brace, self.pos))
        else:
            first = self.pos
            end = first + {"x": 2, "u": 4, "U": 8}[c]
            self.pos = min(end, len(self.p))
        for at in range(first, end):
            if at >= len(self.p):
                raise _RegexError(
                    "incomplete escape sequence, reached end of pattern prematurely", (at, at)
                )
            if self.p[at] not in "0123456789abcdefABCDEF":
                raise _RegexError("invalid hexadecimal digit", (at, at + 1))
        value = int(self.p[first:end], 16)
        if value > _MAX_CODE_POINT or 0xD800 <= value <= 0xDFFF:
            raise _RegexError("hexadecimal literal is not a Unicode scalar value", (first, end))
        return value

    def class_text(self, ranges: _Ranges, negate: bool) -> str:
        text = _class_text(ranges, negate)
        if text is None:
            self.empty_class = True
            return "(?!)"
        return text

    def bracket_class(self, flags: _Flags) -> tuple[_Ranges, bool]:
        """A `[...]` class as code point ranges, and whether it is negated.

        The outermost negation is left to Python (`[^...]`) because under (?i) Rust negates after
        case folding, which is what Python's `[^...]` does too.
        """
        open_at = self.pos
        self.nest(open_at)
        # The opening: `[`, `^`, leading `-`s (literal) and a first `]` (literal). The spans of
        # the "unclosed" errors below are regex-syntax's, which differ by where the text ends.
        self.pos += 1
        self.skip_class_space(flags)
        if self.at_end():
            raise _RegexError("unclosed character class", (open_at, self.pos))
        negate = self.peek() == "^"
        if negate:
            self.pos += 1
            self.skip_class_space(flags)
            if self.at_end():
                raise _RegexError("unclosed character class", (open_at, self.pos))
        current: _Ranges = []
        while self.peek() == "-":
            current.append((ord("-"), ord("-")))
            self.pos += 1
            self.skip_class_space(flags)
            if self.at_end():
                raise _RegexError("unclosed character class", (open_at, open_at))
        if not current and self.peek() == "]":
            current.append((ord("]"), ord("]")))
            self.pos += 1
            self.skip_class_space(flags)
            if self.at_end():
                raise _RegexError("unclosed character class", (open_at, self.pos))
        opening = (open_at, self.pos)
        result: _Ranges | None = None
        operator = ""
        while True:
            if self.at_end():
                raise _RegexError("unclosed character class", opening)
            c = self.p[self.pos]
            if flags.x and c.isspace():
                self.pos += 1
                continue
            if c == "]":
                self.pos += 1
                break
            two = self.p[self.pos : self.pos + 2]
            if two in ("&&", "--", "~~"):
                result = _apply_set_operator(operator, result, current, flags.i)
                operator, current = two, []
                self.pos += 2
                continue
            current.extend(self.class_item(flags, opening))
        self.depth -= 1
        return _apply_set_operator(operator, result, current, flags.i), negate

    def class_item(self, flags: _Flags, opening: tuple[int, int]) -> _Ranges:
        c = self.p[self.pos]
        if c == "[":
            posix = _POSIX_CLASS.match(self.p, self.pos)
            if posix is not None and posix.group(2) in _POSIX_RANGES:
                self.pos = posix.end()
                ranges = _POSIX_RANGES[posix.group(2)]
                return _negate(ranges, flags.i) if posix.group(1) else ranges
            # Rust reads any other `[` inside a class as a nested class.
            ranges, negate = self.bracket_class(flags)
            return _negate(ranges, flags.i) if negate else ranges
        # The order of checks follows regex-syntax's parse_set_class_range, so that the same
        # error wins when a class has several problems.
        start = self.pos
        low = self.class_primitive(flags)
        low_end = self.pos
        self.skip_class_space(flags)
        if self.at_end():
            raise _RegexError("unclosed character class", opening)
        if self.peek() != "-" or self.peek_class(flags) in ("]", "-"):
            if isinstance(low, _ClassAssertion):
                raise _RegexError(
                    "invalid escape sequence found in character class", (start, low_end)
                )
            return [(low, low)] if isinstance(low, int) else low
        self.pos += 1
        self.skip_class_space(flags)
        if self.at_end():
            raise _RegexError("unclosed character class", opening)
        high_start = self.pos
        high = self.class_primitive(flags)
        if not isinstance(low, int):
            raise _RegexError("invalid range boundary, must be a literal", (start, low_end))
        if not isinstance(high, int):
            raise _RegexError("invalid range boundary, must be a literal", (high_start, self.pos))
        if low > high:
            raise _RegexError(
                "invalid character class range, the start must be <= the end", (start, self.pos)
            )
        return [(low, high)]

    def skip_class_space(self, flags: _Flags) -> None:
        while flags.x and not self.at_end() and self.p[self.pos].isspace():
            self.pos += 1

    def peek_class(self, flags: _Flags) -> str:
        """The character after the current one, skipping verbose-mode space."""
        at = self.pos + 1
        while flags.x and at < len(self.p) and self.p[at].isspace():
            at += 1
        return self.p[at] if at < len(self.p) else ""

    def class_primitive(self, flags: _Flags) -> int | _Ranges | _ClassAssertion:
        """One code point, the ranges of a class escape such as `\\d`, or a misplaced assertion."""
        c = self.p[self.pos]
        if c != "\\":
            self.pos += 1
            return ord(c)
        start = self.pos
        self.pos += 1
        if self.at_end():
            raise _RegexError(
                "incomplete escape sequence, reached end of pattern prematurely", (start, start + 1)
            )
        e = self.p[self.pos]
        self.pos += 1
        if e in "dDsSwWpP":
            ranges, negate = self.class_escape(e, start)
            return _negate(ranges, flags.i) if negate else ranges
        if e in "bBAz<>":
            return _ClassAssertion()
        return self.escaped_literal(e, start)


@dataclass
class _ClassAssertion:
    """An assertion escape (`\\b`, `\\z`, ...) met inside a class, which Rust rejects."""


def _case(flags: _Flags, text: str) -> str:
    return "(?i:" + text + ")" if flags.i else text


def _literal(code_point: int) -> str:
    """A code point as a Python pattern literal, safe inside and outside classes."""
    ch = chr(code_point)
    if ch.isascii() and ch.isalnum():
        return ch
    if code_point > 0x7F and ch.isprintable():
        return ch
    if code_point <= 0xFF:
        return f"\\x{code_point:02x}"
    if code_point <= 0xFFFF:
        return f"\\u{code_point:04x}"
    return f"\\U{code_point:08x}"


def _class_text(ranges: _Ranges, negate: bool) -> str | None:
    """A Python class for the ranges, or None if it can match nothing."""
    ranges = _normalize(ranges)
    if negate and not ranges:
        return "[" + _literal(0) + "-" + _literal(_MAX_CODE_POINT) + "]"
    if not ranges or (negate and ranges == [(0, _MAX_CODE_POINT)]):
        return None
    parts = [_literal(lo) if lo == hi else _literal(lo) + "-" + _literal(hi) for lo, hi in ranges]
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


def _normalize(ranges: _Ranges) -> _Ranges:
    out: _Ranges = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _complement(ranges: _Ranges) -> _Ranges:
    out: _Ranges = []
    nxt = 0
    for lo, hi in _normalize(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= _MAX_CODE_POINT:
        out.append((nxt, _MAX_CODE_POINT))
    return out


def _intersect(a: _Ranges, b: _Ranges) -> _Ranges:
    return _complement(_complement(a) + _complement(b))


def _negate(ranges: _Ranges, case_insensitive: bool) -> _Ranges:
    # Rust case-folds a class before negating it; Python would fold the complement instead.
    return _complement(_casefold(ranges) if case_insensitive else ranges)


def _apply_set_operator(
    operator: str, left: _Ranges | None, right: _Ranges, case_insensitive: bool
) -> _Ranges:
    if left is None:
        return _normalize(right)
    if case_insensitive:
        # Rust folds each operand before the set operation, so `(?i)[\w--b]` excludes `B` too.
        left, right = _casefold(left), _casefold(right)
    if operator == "&&":
        return _intersect(left, right)
    if operator == "--":
        return _intersect(left, _complement(right))
    # "~~": symmetric difference
    return _normalize(_intersect(left, _complement(right)) + _intersect(right, _complement(left)))


_POSIX_CLASS = re.compile(r"\[:(\^?)([a-z]+):\]")
_BOUNDARY_NAME = re.compile(r"[-A-Za-z]+")
_POSIX_RANGES: dict[str, _Ranges] = {
    "alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    "alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "ascii": [(0x00, 0x7F)],
    "blank": [(0x09, 0x09), (0x20, 0x20)],
    "cntrl": [(0x00, 0x1F), (0x7F, 0x7F)],
    "digit": [(0x30, 0x39)],
    "graph": [(0x21, 0x7E)],
    "lower": [(0x61, 0x7A)],
    "print": [(0x20, 0x7E)],
    "punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "space": [(0x09, 0x0D), (0x20, 0x20)],
    "upper": [(0x41, 0x5A)],
    "word": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
    "xdigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
}
# Unicode White_Space, Rust's `\s`.
_WHITE_SPACE: _Ranges = [
    (0x09, 0x0D), (0x20, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0x1680, 0x1680),
    (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000),
]  # fmt: skip
_GENERAL_CATEGORIES = {
    "C": "Other", "Cc": "Control cntrl", "Cf": "Format", "Cn": "Unassigned",
    "Co": "Private_Use", "Cs": "Surrogate", "L": "Letter", "LC": "Cased_Letter",
    "Ll": "Lowercase_Letter", "Lm": "Modifier_Letter", "Lo": "Other_Letter",
    "Lt": "Titlecase_Letter", "Lu": "Uppercase_Letter", "M": "Mark Combining_Mark",
    "Mc": "Spacing_Mark", "Me": "Enclosing_Mark", "Mn": "Nonspacing_Mark", "N": "Number",
    "Nd": "Decimal_Number digit", "Nl": "Letter_Number", "No": "Other_Number",
    "P": "Punctuation punct", "Pc": "Connector_Punctuation", "Pd": "Dash_Punctuation",
    "Pe": "Close_Punctuation", "Pf": "Final_Punctuation", "Pi": "Initial_Punctuation",
    "Po": "Other_Punctuation", "Ps": "Open_Punctuation", "S": "Symbol",
    "Sc": "Currency_Symbol", "Sk": "Modifier_Symbol", "Sm": "Math_Symbol",
    "So": "Other_Symbol", "Z": "Separator", "Zl": "Line_Separator",
    "Zp": "Paragraph_Separator", "Zs": "Space_Separator",
}  # fmt: skip


def _loose(name: str) -> str:
    """Unicode's loose matching of property names: no case, spaces, `_` or `-`."""
    return "".join(ch for ch in name.lower() if ch not in " \t\n_-")


@functools.lru_cache(maxsize=1)
def _property_names() -> dict[str, str]:
    names = {"any": "Any", "ascii": "ASCII", "assigned": "Assigned"}
    names.update(dict.fromkeys(("whitespace", "wspace", "space"), "White_Space"))
    for code, aliases in _GENERAL_CATEGORIES.items():
        names[_loose(code)] = code
        for alias in aliases.split():
            names[_loose(alias)] = code
    return names


def _property_ranges(loose_name: str) -> _Ranges | None:
    code = _property_names().get(loose_name)
    if code is None:
        return None
    if code == "Any":
        return [(0, _MAX_CODE_POINT)]
    if code == "ASCII":
        return [(0, 0x7F)]
    if code == "Assigned":
        return _complement(_category_ranges("Cn"))
    if code == "White_Space":
        return _WHITE_SPACE
    return _category_ranges(code)


@functools.cache
def _category_ranges(code: str) -> _Ranges:
    """Code points of a general category (one letter for the union of its subcategories)."""
    if code == "LC":
        return _normalize(_category_ranges("Lu") + _category_ranges("Ll") + _category_ranges("Lt"))
    table = _category_table()
    if len(code) == 2:
        return table.get(code, [])
    return _normalize([r for sub, ranges in table.items() if sub[0] == code for r in ranges])


@functools.lru_cache(maxsize=1)
def _category_table() -> dict[str, _Ranges]:
    # One pass over every code point (about 0.2 s), done once and only if a pattern needs it.
    table: dict[str, _Ranges] = {}
    category = unicodedata.category
    current = category("\0")
    start = 0
    for cp in range(1, _MAX_CODE_POINT + 1):
        cat = category(chr(cp))
        if cat != current:
            table.setdefault(current, []).append((start, cp - 1))
            current, start = cat, cp
    table.setdefault(current, []).append((start, _MAX_CODE_POINT))
    return table


@functools.lru_cache(maxsize=1)
def _word_ranges() -> _Ranges:
    # Rust's `\w`: Alphabetic, marks, decimal digits, connector punctuation and the joiners,
    # approximated with letters and letter numbers for Alphabetic.
    parts = ("L", "M", "Nd", "Nl", "Pc")
    return _normalize([r for code in parts for r in _category_ranges(code)] + [(0x200C, 0x200D)])


def _casefold(ranges: _Ranges) -> _Ranges:
    """The ranges plus every case variant of the code points in them (simple case folding)."""
    keys, orbits = _case_orbits()
    extra: _Ranges = []
    for lo, hi in ranges:
        for index in range(bisect.bisect_left(keys, lo), bisect.bisect_right(keys, hi)):
            extra.extend((cp, cp) for cp in orbits[index])
    return _normalize(ranges + extra)


@functools.lru_cache(maxsize=1)
def _case_orbits() -> tuple[list[int], list[tuple[int, ...]]]:
    """The code points that have case variants, sorted, and the variants of each."""
    orbit: dict[int, frozenset[int]] = {}
    # No code point above U+1E943 has a case mapping.
    for cp in range(0x1F000):
        ch = chr(cp)
        for other in (ch.lower(), ch.upper(), ch.casefold()):
            if len(other) == 1 and other != ch:
                merged = orbit.get(cp, frozenset((cp,))) | orbit.get(
                    ord(other), frozenset((ord(other),))
                )
                for member in merged:
                    orbit[member] = merged
    keys = sorted(orbit)
    return keys, [tuple(sorted(orbit[k])) for k in keys]
