import XCTest
@testable import Config

/// Python repr of floats and strings, pretty text that reads back to an equal config, JSON conventions.
final class OutputTests: XCTestCase {
    func testPythonFloatRepr() {
        let cases: [(Double, String)] = [
            (0.01, "0.01"), (1e-4, "0.0001"), (1e-5, "1e-05"), (5e-4, "0.0005"), (1e-6, "1e-06"), (100, "100.0"),
            (0.1, "0.1"), (1.5, "1.5"), (1e15, "1000000000000000.0"), (1e16, "1e+16"), (123456789.125, "123456789.125"),
            (-2.5e-7, "-2.5e-07"), (0, "0.0"), (2.4674e-7, "2.4674e-07"), (1.0 / 3, "0.3333333333333333"),
            (1e300, "1e+300"), (12345678901234567890.0, "1.2345678901234567e+19"), (0.0001234, "0.0001234"),
        ]
        for (v, expected) in cases { XCTAssertEqual(PythonText.float(v), expected, "\(v)") }
    }

    func testPythonStringRepr() {
        XCTAssertEqual(PythonText.string("abc"), "'abc'")
        XCTAssertEqual(PythonText.string("it's"), "\"it's\"")
        XCTAssertEqual(PythonText.string("a'b\"c"), "'a\\'b\"c'")
        XCTAssertEqual(PythonText.string("tab\there\n"), "'tab\\there\\n'")
        XCTAssertEqual(PythonText.string("back\\slash"), "'back\\\\slash'")
    }

    func testPrettyTextLayoutAndRoundTrip() throws {
        let text = """
            model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', depth=50, norm_eval=False, shift_div=8), cls_head=dict(type='TSMHead', num_classes=400, in_channels=2048))
            flip = {2: 4, 'a-b': 2}
            s = (1,)
            x = [1e-05, float('inf'), 'it\\'s', None, True]
            long = 'x' * 100
            """
        let c = try load(text)
        let pretty = PrettyText.render(c.root)
        XCTAssertEqual(pretty, """
            model = dict(
                type='Recognizer2D',
                backbone=dict(type='ResNetTSM', depth=50, norm_eval=False, shift_div=8),
                cls_head=dict(type='TSMHead', num_classes=400, in_channels=2048),
            )
            flip = dict({2: 4, 'a-b': 2})
            s = (1,)
            x = [1e-05, float('inf'), "it's", None, True]
            long = '\(String(repeating: "x", count: 100))'

            """)
        let again = try load(pretty)
        XCTAssertEqual(again.root, c.root)
    }

    func testJSONConventions() throws {
        let c = try load("a = (1, 2)\nb = None\nc = {3: 'x'}\nd = 'q\"\\n'\ne = 1e-05\n")
        XCTAssertEqual(JSONText.render(c.root, indent: nil), #"{"a": [1, 2], "b": null, "c": {"3": "x"}, "d": "q\"\n", "e": 1e-05}"#)
        XCTAssertEqual(JSONText.render(ConfigValue(.dict(ConfigDict())), indent: 2), "{}")
        XCTAssertEqual(JSONText.render(try load("a = [1]\n").root, indent: 2), "{\n  \"a\": [\n    1\n  ]\n}")
    }

    func testJSONIsStrictForNonFiniteFloats() throws {
        let c = try load("a = float('inf')\nb = -float('inf')\nc = float('nan')\n")
        let text = JSONText.render(c.root, indent: nil)
        XCTAssertEqual(text, #"{"a": "Infinity", "b": "-Infinity", "c": "NaN"}"#)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(text.utf8)))   // a strict parser reads it
    }
}
