import XCTest
@testable import Config

/// Every construct of the config language, evaluated to JSON (the order and types mmcv would produce).
final class ParserTests: XCTestCase {
    func testAssignmentsAndScalars() throws {
        XCTAssertEqual(try json("a = 1\nb = -2\nc = 1.5\nd = True\ne = None\nf = 'x'\n"),
                       #"{"a": 1, "b": -2, "c": 1.5, "d": true, "e": null, "f": "x"}"#)
    }

    func testFloatLiteralForms() throws {
        XCTAssertEqual(try json("a = 1.\nb = .2\nc = 1e-4\nd = 5e-4\ne = 1e-06\nf = 333.\ng = 1_000.5\nh = 1E3\n"),
                       #"{"a": 1.0, "b": 0.2, "c": 0.0001, "d": 0.0005, "e": 1e-06, "f": 333.0, "g": 1000.5, "h": 1000.0}"#)
    }

    func testIntegerForms() throws {
        XCTAssertEqual(try json("a = 0x10\nb = 0o17\nc = 0b101\nd = 1_000\ne = 0\n"),
                       #"{"a": 16, "b": 15, "c": 5, "d": 1000, "e": 0}"#)
    }

    func testStringQuotesEscapesAndConcatenation() throws {
        let text = #"""
        a = 'single'
        b = "double"
        c = '''tri
        ple'''
        d = ("implicit " 'concat'
             "enation")
        e = 'esc\t\n\\\'q'
        f = r'raw\n'
        g = u'unicode é'
        """#
        XCTAssertEqual(try json(text),
                       #"{"a": "single", "b": "double", "c": "tri\nple", "d": "implicit concatenation", "e": "esc\t\n\\'q", "f": "raw\\n", "g": "unicode é"}"#)
    }

    func testDictCallsDisplaysAndUnpacking() throws {
        let text = """
        img_norm_cfg = dict(mean=[1, 2], std=[3, 4], to_bgr=False)
        step = dict(type='Normalize', **img_norm_cfg)
        m = {2: 4, 4: 2}
        n = {'a': 1, **m}
        e = dict()
        """
        XCTAssertEqual(try json(text),
                       #"{"img_norm_cfg": {"mean": [1, 2], "std": [3, 4], "to_bgr": false}, "step": {"type": "Normalize", "mean": [1, 2], "std": [3, 4], "to_bgr": false}, "m": {"2": 4, "4": 2}, "n": {"a": 1, "2": 4, "4": 2}, "e": {}}"#)
    }

    func testListsTuplesNestedAndTrailingCommas() throws {
        XCTAssertEqual(try json("a = [1, 2,]\nb = (1,)\nc = ()\nd = ((1, 1), (0, 1),)\ne = (3)\nf = 1, 2\n"),
                       #"{"a": [1, 2], "b": [1], "c": [], "d": [[1, 1], [0, 1]], "e": 3, "f": [1, 2]}"#)
        let c = try load("b = (1,)\nl = [1]\n")
        XCTAssertEqual(c.root["b"]?.typeName, "tuple")
        XCTAssertEqual(c.root["l"]?.typeName, "list")
    }

    func testArithmetic() throws {
        let text = """
        a = 16343 // 32
        b = 7 // -2
        c = -7 % 3
        d = 2 ** 10
        e = 1 / 4
        f = 'a' + 'b'
        g = [1] + [2]
        h = [0] * 3
        i = 3 * 0.5
        j = 2 ** -1
        k = True + 1
        """
        XCTAssertEqual(try json(text),
                       #"{"a": 510, "b": -4, "c": 2, "d": 1024, "e": 0.25, "f": "ab", "g": [1, 2], "h": [0, 0, 0], "i": 1.5, "j": 0.5, "k": 2}"#)
    }

    func testFloatOverflowAndRoundingFollowPython() throws {
        // Python raises OverflowError for ** only; other float operations overflow to inf.
        assertErrorAt("x = 10.0**10**10\n", "1:5", "float overflow: the result of ** is out of range")
        assertErrorAt("x = 2.0 ** 10000\n", "1:5", "float overflow")
        assertErrorAt("x = 0.5 ** -10000\n", "1:5", "float overflow")
        assertErrorAt("x = (-2.0) ** 10001\n", "1:5", "float overflow")
        XCTAssertEqual(try json("a = 1e308 * 10\nb = 10.0 ** -10000\nc = float('inf') ** 2\n"),
                       #"{"a": "Infinity", "b": 0.0, "c": "Infinity"}"#)
        // round() with ndigits far outside a float's range, and on ints in exact arithmetic (this used to trap).
        XCTAssertEqual(try json("a = round(1.5, 400)\nb = round(5, -400)\nc = round(1e300, -400)\nd = round(15, -1)\n"
                                + "e = round(25, -1)\nf = round(-15, -1)\ng = round(9223372036854775807, -18)\n"),
                       #"{"a": 1.5, "b": 0, "c": 0.0, "d": 20, "e": 20, "f": -20, "g": 9000000000000000000}"#)
        assertErrorAt("x = round(9223372036854775807, -1)\n", "1:5", "integer overflow")
        assertErrorAt("x = round(-9223372036854775807, -19)\n", "1:5", "integer overflow")
    }

    func testVariablesAreCopiesNotAliases() throws {
        // mmcv's loaded config holds independent copies (SEMANTICS.md §1.7).
        let text = """
        p = [dict(type='A')]
        data = dict(train=dict(pipeline=p), val=dict(pipeline=p))
        data['test'] = data['val']
        data['test']['x'] = 1
        """
        XCTAssertEqual(try json(text),
                       #"{"p": [{"type": "A"}], "data": {"train": {"pipeline": [{"type": "A"}]}, "val": {"pipeline": [{"type": "A"}]}, "test": {"pipeline": [{"type": "A"}], "x": 1}}}"#)
    }

    func testBuiltinsComprehensionsAndConditionals() throws {
        let text = """
        custom_classes = [3, 5, 9]
        num_classes = len(custom_classes) + 1
        gpu_ids = range(0, 1)
        w = int(2.9)
        r = {i: 1 + int(i >= 2) for i in range(4)}
        sq = [x * x for x in range(5) if x % 2 == 0]
        t = 'yes' if num_classes > 3 else 'no'
        lo = min(3, 1, 2)
        s = str(1.5) + str(None)
        """
        XCTAssertEqual(try json(text),
                       #"{"custom_classes": [3, 5, 9], "num_classes": 4, "gpu_ids": [0], "w": 2, "r": {"0": 1, "1": 1, "2": 2, "3": 2}, "sq": [0, 4, 16], "t": "yes", "lo": 1, "s": "1.5None"}"#)
    }

    func testFStrings() throws {
        let text = """
        anno_root = 'data/ava/annotations'
        n = 3
        a = f'{anno_root}/ava_train_v2.2.csv'
        b = f'{n + 1:03d}-{{literal}}-{anno_root!r}'
        """
        XCTAssertEqual(try json(text),
                       #"{"anno_root": "data/ava/annotations", "n": 3, "a": "data/ava/annotations/ava_train_v2.2.csv", "b": "004-{literal}-'data/ava/annotations'"}"#)
    }

    func testCommentsContinuationAndDunderNames() throws {
        let text = """
        # leading comment
        __doc = 'hidden'
        a = [1,  # one
             # 2,
             3]
        b = 1 + \\
            2
        \"\"\"docstring\"\"\"
        """
        XCTAssertEqual(try json(text), #"{"a": [1, 3], "b": 3}"#)
    }

    func testNamesKeepDefinitionOrderOnReassignment() throws {
        XCTAssertEqual(try json("a = 1\nb = 2\na = 3\n"), #"{"a": 3, "b": 2}"#)
    }

    func testPredefinedPlaceholders() throws {
        let c = try Files(["/w/cfgs/tsm_x.py": "work_dir = './work_dirs/{{ fileBasenameNoExtension }}'\n"
                           + "d = '{{fileDirname}}'\ne = '{{ fileExtname }}'\nf = '{{ fileBasename }}'\n"])
            .load("/w/cfgs/tsm_x.py")
        XCTAssertEqual(JSONText.render(c.root, indent: nil),
                       #"{"work_dir": "./work_dirs/tsm_x", "d": "/w/cfgs", "e": ".py", "f": "tsm_x.py"}"#)
    }

    func testOriginsPointAtTheDefiningText() throws {
        let c = try load("lr = 0.01\noptimizer = dict(type='SGD', lr=lr)\n")
        let v = try XCTUnwrap(c[dotted: "optimizer.lr"])
        XCTAssertEqual(v.origin.location?.line, 1)
        XCTAssertEqual(v.origin.location?.column, 6)
        XCTAssertEqual(v.origin.source, .file)
        let key = try XCTUnwrap(c.root["optimizer"]?.dict?.entry("lr"))
        XCTAssertEqual(key.keyOrigin.location?.line, 2)
        XCTAssertEqual(key.keyOrigin.location?.column, 30)
    }
}
