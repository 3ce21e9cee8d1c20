import XCTest
@testable import Config

/// Everything outside the subset is a located error; nothing is executed.
final class ParserErrorTests: XCTestCase {
    func testCallIsRefusedWithItsLocation() {
        assertConfigError("a = 1\nx = foo(1)\n", """
            /cfg/t.py:2:5: error: calls are not allowed in a config (only dict(...)): 'foo' is not evaluated; \
            supported: abs, bool, dict, float, int, len, list, max, min, range, round, str, sum, tuple
                x = foo(1)
                    ^
            """)
    }

    func testImportIsRefused() {
        assertConfigError("import os\n", """
            /cfg/t.py:1:1: error: imports are not allowed in a config (nothing in a config is executed)
                import os
                ^
            """)
        assertErrorAt("a = 1\nfrom os import path\n", "2:1", "imports are not allowed")
    }

    func testStatementsOutsideTheSubset() {
        assertErrorAt("def f():\n    pass\n", "1:1", "function definitions are not allowed")
        assertErrorAt("if True:\n    a = 1\n", "1:1", "'if' statements are not allowed")
        assertErrorAt("for i in range(3):\n    a = i\n", "1:1", "'for' loops are not allowed")
        assertErrorAt("f = lambda x: x\n", "1:5", "lambdas are not allowed")
        assertErrorAt("class A:\n    pass\n", "1:1", "class definitions are not allowed")
        assertErrorAt("a = 1\na += 1\n", "2:3", "augmented assignment")
        assertErrorAt("a, b = 1, 2, 3\n", "1:1", "too many values to unpack (expected 2)")
        assertErrorAt("x = os.path.join('a')\n", "1:5", "attribute access ('.path')")
        assertErrorAt("x = dict(a=1).a\n", "1:5", "attribute access")
        assertErrorAt("x = {1, 2}\n", "1:6", "sets are not supported")
        assertErrorAt("x = (i for i in range(3))\n", "1:8", "generator expressions")
        assertErrorAt("x = b'abc'\n", "1:5", "bytes literals")
        assertErrorAt("x = [1, 2][0:1, 0]\n", "1:12", "a slice can only stand alone in a subscript")
    }

    func testLexicalErrors() {
        assertErrorAt("x = 'abc\n", "1:5", "unterminated string literal")
        assertErrorAt("x = [1, 2\n", "1:5", "'[' was never closed")
        assertErrorAt("x = [1, 2)\n", "1:10", "closing ')' does not match '['")
        assertErrorAt("x = 1)\n", "1:6", "unmatched ')'")
        assertErrorAt("  x = 1\n", "1:1", "unexpected indent")
        assertErrorAt("x = 1 $ 2\n", "1:7", "unexpected character '$'")
        assertErrorAt("x = 012\n", "1:5", "leading zeros")
        assertErrorAt("x = 1j\n", "1:5", "complex numbers")
        assertErrorAt("x = '{{ fileDirname }}'\ny = {{ fileDirname }}\n", "2:5", "placeholder '{{ fileDirname }}' must be inside a string")
    }

    func testEvaluationErrors() {
        assertErrorAt("x = y\n", "1:5", "name 'y' is not defined")
        assertErrorAt("x = 1 / 0\n", "1:5", "division by zero")
        assertErrorAt("x = 'a' + 1\n", "1:5", "unsupported operand type(s) for +: 'str' and 'int'")
        assertErrorAt("x = dict(a=1, **dict(a=2))\n", "1:17", "dict() got multiple values for keyword argument 'a'")
        assertErrorAt("x = dict(a=1, a=2)\n", "1:15", "keyword argument repeated: 'a'")
        assertErrorAt("x = [1][3]\n", "1:9", "list index out of range")
        assertErrorAt("x = {1.5: 2}\n", "1:6", "dict keys must be strings or integers")
        assertErrorAt("x = 9223372036854775807 + 1\n", "1:5", "integer overflow")
        assertErrorAt("x = len\n", "1:5", "'len' is a function")
        assertErrorAt("x = {{_base_.a}}\n", "1:5", "'{{_base_.…}}' needs a _base_")
        assertErrorAt("filename = 'x'\n", "1:1", "'filename' is reserved")
    }

    func testNulBytesAreRefusedAsPythonRefusesThem() {
        assertErrorAt("x = 'a\u{0}b'\n", "1:7", "source code cannot contain null bytes")
        assertErrorAt("x = 1\n# \u{0}\n", "2:3", "source code cannot contain null bytes")
    }

    func testControlCharactersInTheSourceAreEscapedInErrors() {
        // An ESC sequence in the file must not reach the terminal; the caret stays under the bad character.
        assertConfigError("x = '\u{1b}[2J' + foo(1)\n", """
            /cfg/t.py:1:14: error: calls are not allowed in a config (only dict(...)): 'foo' is not evaluated; \
            supported: abs, bool, dict, float, int, len, list, max, min, range, round, str, sum, tuple
                x = '\\x1b[2J' + foo(1)
                                ^
            """)
        assertConfigError("x = 1 \u{7}\n", """
            /cfg/t.py:1:7: error: unexpected character '\\x07'
                x = 1 \\x07
                      ^
            """)
        // A very long line is shown as a window around the caret.
        let long = ConfigError(message: "m", location: SourceLocation(file: "f", line: 1, column: 1001, bytes: 0..<0),
                               sourceLine: String(repeating: "a", count: 1000) + "X" + String(repeating: "b", count: 1000))
        let lines = long.description.split(separator: "\n")
        XCTAssertEqual(lines[1], "    …" + String(repeating: "a", count: 80) + "X" + String(repeating: "b", count: 79) + "…")
        XCTAssertEqual(lines[2], "     " + String(repeating: " ", count: 80) + "^")
    }

    func testCaretUnderTheRightCharacterWithUnicodeAndTabs() {
        assertConfigError("x = ('é', foo(1))\n", """
            /cfg/t.py:1:11: error: calls are not allowed in a config (only dict(...)): 'foo' is not evaluated; \
            supported: abs, bool, dict, float, int, len, list, max, min, range, round, str, sum, tuple
                x = ('é', foo(1))
                          ^
            """)
    }
}
