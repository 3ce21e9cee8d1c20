import XCTest
@testable import Config

/// mmcv DictAction value parsing and merge_from_dict (SEMANTICS.md §1.8, its table verbatim).
final class CfgOptionsTests: XCTestCase {
    func parsed(_ s: String) throws -> String { JSONText.render(try CfgOptions.parseValue(s), indent: nil) }
    func kind(_ s: String) throws -> String { try CfgOptions.parseValue(s).typeName }

    func testSemanticsTable() throws {
        XCTAssertEqual(try parsed("1"), "1")
        XCTAssertEqual(try kind("1"), "int")
        XCTAssertEqual(try parsed("1.0"), "1.0")
        XCTAssertEqual(try kind("1.0"), "float")
        XCTAssertEqual(try parsed("1e-3"), "0.001")
        XCTAssertEqual(try parsed("True"), "true")
        XCTAssertEqual(try parsed("false"), "false")
        XCTAssertEqual(try parsed("None"), "null")
        XCTAssertEqual(try parsed("none"), #""none""#)
        XCTAssertEqual(try parsed("-1"), "-1")
        XCTAssertEqual(try parsed("(-1,256)"), "[-1, 256]")
        XCTAssertEqual(try kind("(-1,256)"), "tuple")
        XCTAssertEqual(try parsed("inf"), #""Infinity""#)   // strict JSON: inf and nan are written as strings
        XCTAssertEqual(try kind("inf"), "float")
        XCTAssertEqual(try parsed("[1,2]"), "[1, 2]")
        XCTAssertEqual(try kind("[1,2]"), "list")
        XCTAssertEqual(try parsed("1,2"), "[1, 2]")
        XCTAssertEqual(try kind("1,2"), "list")
        XCTAssertEqual(try parsed("[(1,2),[a,b],c]"), #"[[1, 2], ["a", "b"], "c"]"#)
        XCTAssertEqual(try CfgOptions.parseValue("[(1,2),[a,b],c]").elements?.map(\.typeName), ["tuple", "list", "str"])
        XCTAssertEqual(try parsed("[]"), "[]")
        XCTAssertEqual(try kind("()"), "tuple")
        XCTAssertEqual(try kind("(1)"), "tuple")
        XCTAssertEqual(try parsed("(1)"), "[1]")
        XCTAssertEqual(try parsed("[1]"), "[1]")
        XCTAssertEqual(try parsed("\"x\""), #""x""#)
        XCTAssertEqual(try parsed("1,,2"), #"[1, "", 2]"#)
        XCTAssertEqual(try parsed("1,2,"), "[1, 2]")
    }

    func testSpacesQuotesAndNumberForms() throws {
        XCTAssertEqual(try parsed("'a b'"), #""ab""#)
        XCTAssertEqual(try parsed("1_000"), "1000")
        XCTAssertEqual(try parsed("0x10"), #""0x10""#)
        XCTAssertEqual(try parsed("1."), "1.0")
        XCTAssertEqual(try parsed(".5"), "0.5")
        XCTAssertEqual(try parsed("nan"), #""NaN""#)
        XCTAssertEqual(try kind("nan"), "float")
        XCTAssertEqual(try parsed("TRUE"), "true")
        XCTAssertEqual(try parsed("1e"), #""1e""#)
        XCTAssertThrowsError(try CfgOptions.parseValue("[(1,2]"))
    }

    let config = """
        model = dict(backbone=dict(depth=50, strides=(1, 2, 2, 2)))
        data = dict(train=dict(pipeline=[dict(type='SampleFrames', clip_len=1), dict(type='Flip')]))
        train_pipeline = [dict(type='SampleFrames', clip_len=1)]
        n = 3
        """

    func testMergeIntoTheConfig() throws {
        let c = try load(config, options: ["model.backbone.depth=18", "data.train.pipeline.0.clip_len=3",
                                           "new.key=[1]", "model.backbone.strides=(1,2,2,1)"])
        XCTAssertEqual(c[dotted: "model.backbone.depth"]?.int, 18)
        XCTAssertEqual(c[dotted: "data.train.pipeline.0.clip_len"]?.int, 3)
        XCTAssertEqual(c[dotted: "train_pipeline.0.clip_len"]?.int, 1, "helper variables are independent copies")
        XCTAssertEqual(JSONText.render(c.root["new"]!, indent: nil), #"{"key": [1]}"#)
        XCTAssertEqual(c[dotted: "model.backbone.strides"]?.typeName, "tuple")
        XCTAssertEqual(c[dotted: "model.backbone.depth"]?.origin.source, .cfgOptions)
    }

    func testRefusedMerges() {
        assertOptionError(["data.train.pipeline.1=5"], """
            --cfg-options:1:1: error: cannot apply 'data.train.pipeline.1': a whole list element cannot be \
            replaced (set one of its keys, e.g. data.train.pipeline.1.type=…); mmcv refuses this too
                data.train.pipeline.1=5
                ^
            """)
        assertOptionError(["a=1", "data.train.pipeline.9.x=1"], """
            --cfg-options:1:5: error: cannot apply 'data.train.pipeline.9.x': index 9 exceeds the length of the list (2)
                a=1 data.train.pipeline.9.x=1
                    ^
            """)
        assertOptionError(["n.x=1"], """
            --cfg-options:1:1: error: cannot apply 'n.x': 'n' is an int, not a dict or list
                n.x=1
                ^
            """)
        assertOptionError(["model"], """
            --cfg-options:1:1: error: expected KEY=VALUE in --cfg-options, got 'model'
                model
                ^
            """)
        assertOptionError(["data.train.pipeline.-1.x=1"], """
            --cfg-options:1:1: error: cannot apply 'data.train.pipeline.-1.x': '-1' is not an index into the list
                data.train.pipeline.-1.x=1
                ^
            """)
    }

    func assertOptionError(_ options: [String], _ expected: String, line: UInt = #line) {
        XCTAssertThrowsError(try load(config, options: options), line: line) { e in
            XCTAssertEqual("\(e)", expected, line: line)
        }
    }

    func testCommasInsideBracketsOfAPlainValueAreAnErrorNotARecursion() throws {
        // mmcv recurses forever on these (the same text is parsed again); Reel used to overflow its stack.
        for value in ["x(1,2)", "f(a,b)g", "x[1,2]", "'x(1,2)'"] {
            XCTAssertThrowsError(try CfgOptions.parseValue(value)) { e in
                XCTAssertTrue((e as? CfgOptionsProblem)?.message.hasPrefix("cannot parse") ?? false, "\(e)")
            }
        }
        XCTAssertThrowsError(try CfgOptions.parseValue("[x(1,2)]"))
        XCTAssertEqual(try parsed("[(1,2),x]"), #"[[1, 2], "x"]"#)
    }

    func testDeepValuesAndKeysInOptionsAreLocatedErrors() throws {
        XCTAssertThrowsError(try load("a = 1\n", options: ["b=x(1,2)"])) { e in
            XCTAssertEqual("\(e)", """
                --cfg-options:1:3: error: cannot parse 'x(1,2)': its commas are all inside brackets, but the value is \
                not a list or tuple (write it as [x(1,2)] or (x(1,2)), or without commas)
                    b=x(1,2)
                      ^
                """)
        }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertThrowsError(try load("a = 1\n", options: ["b=" + deep])) { e in
            XCTAssertEqual((e as? ConfigError)?.message,
                           "the value nests too deeply: it exceeds Reel's limit of 200 levels of brackets")
        }
        let key = Array(repeating: "k", count: 100_000).joined(separator: ".")
        XCTAssertThrowsError(try load("a = 1\n", options: [key + "=1"])) { e in
            XCTAssertEqual((e as? ConfigError)?.message,
                           "the key has 100000 parts; it exceeds Reel's limit of 200 levels")
        }
        let wide = Array(repeating: "1", count: 100_000).joined(separator: ",")
        XCTAssertEqual(try CfgOptions.parseValue(wide).elements?.count, 100_000)
    }
}
