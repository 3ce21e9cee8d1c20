import XCTest
@testable import Config

/// `_base_` resolution and mmcv 1.7.2's merge rules (SEMANTICS.md §1.3–1.6).
final class MergeTests: XCTestCase {
    let base = """
        model = dict(backbone=dict(type='ResNet', depth=50, norm_eval=False), head=dict(n=400))
        lr_config = dict(policy='step', step=[40, 80])
        total_epochs = 100
        """

    func testWorkedExampleFromSemantics() throws {
        let files = Files([
            "/c/base.py": base,
            "/c/child.py": """
                _base_ = './base.py'
                model = dict(backbone=dict(depth=18), head=dict(_delete_=True, type='H'))
                """,
        ])
        XCTAssertEqual(JSONText.render(try files.load("/c/child.py").root, indent: nil),
                       #"{"model": {"backbone": {"type": "ResNet", "depth": 18, "norm_eval": false}, "head": {"type": "H"}}, "lr_config": {"policy": "step", "step": [40, 80]}, "total_epochs": 100}"#)
    }

    func testListsReplaceWholeAndKeyOrderFollowsBases() throws {
        let files = Files([
            "/c/a.py": "x = 1\ny = dict(k=[1, 2, 3])\n",
            "/c/b.py": "z = 3\n",
            "/c/sub/child.py": """
                _base_ = ['../a.py', '../b.py']
                new = 'n'
                y = dict(k=[9])
                x = 2
                """,
        ])
        XCTAssertEqual(JSONText.render(try files.load("/c/sub/child.py").root, indent: nil),
                       #"{"x": 2, "y": {"k": [9]}, "z": 3, "new": "n"}"#)
    }

    func testBasesOfBasesAreRelativeToTheNamingFile() throws {
        let files = Files([
            "/c/_base_/models/m.py": "model = dict(a=1)\n",
            "/c/_base_/default.py": "_base_ = 'models/m.py'\nlog_level = 'INFO'\n",
            "/c/rec/tsm/x.py": "_base_ = '../../_base_/default.py'\nmodel = dict(b=2)\n",
        ])
        XCTAssertEqual(JSONText.render(try files.load("/c/rec/tsm/x.py").root, indent: nil),
                       #"{"model": {"a": 1, "b": 2}, "log_level": "INFO"}"#)
    }

    func testOriginsRecordBaseOrFile() throws {
        let files = Files(["/c/base.py": base, "/c/child.py": "_base_ = './base.py'\nmodel = dict(backbone=dict(depth=18))\n"])
        let c = try files.load("/c/child.py")
        XCTAssertEqual(c[dotted: "model.backbone.depth"]?.origin.source, .file)
        XCTAssertEqual(c[dotted: "model.backbone.type"]?.origin.source, .base)
        XCTAssertEqual(c[dotted: "model.backbone.type"]?.origin.location?.file, "/c/base.py")
        XCTAssertEqual(c[dotted: "total_epochs"]?.origin.shortDescription, "base.py:3")
    }

    func testDeleteKeyOnANewKeyIsStripped() throws {
        // mmcv keeps `_delete_` when the key is new to the base (trap 2); Reel removes it (docs/differences.md).
        let files = Files(["/c/base.py": "a = 1\n", "/c/child.py": "_base_ = 'base.py'\nb = dict(_delete_=True, x=dict(_delete_=True, y=1))\n"])
        XCTAssertEqual(JSONText.render(try files.load("/c/child.py").root, indent: nil), #"{"a": 1, "b": {"x": {"y": 1}}}"#)
    }

    func testDictOverNonDictNeedsDelete() {
        let files = Files(["/c/base.py": "opt = None\n", "/c/child.py": "_base_ = 'base.py'\nopt = dict(x=1)\n"])
        XCTAssertThrowsError(try files.load("/c/child.py")) { e in
            XCTAssertEqual("\(e)", """
                /c/child.py:2:1: error: 'opt' is a dict here but None in the base config; add _delete_=True to \
                this dict to replace the base value
                    opt = dict(x=1)
                    ^
                """)
        }
        let ok = Files(["/c/base.py": "opt = None\n", "/c/child.py": "_base_ = 'base.py'\nopt = dict(_delete_=True, x=1)\n"])
        XCTAssertEqual(JSONText.render(try! ok.load("/c/child.py").root, indent: nil), #"{"opt": {"x": 1}}"#)
    }

    func testSiblingBasesMayNotShareAKey() {
        let files = Files(["/c/a.py": "x = 1\n", "/c/b.py": "x = 1\n", "/c/c.py": "_base_ = ['a.py', 'b.py']\n"])
        XCTAssertThrowsError(try files.load("/c/c.py")) { e in
            XCTAssertEqual("\(e)", """
                /c/c.py:1:19: error: key 'x' is defined in two bases: a.py and b.py (mmcv refuses duplicate keys \
                among sibling bases)
                    _base_ = ['a.py', 'b.py']
                                      ^
                """)
        }
    }

    func testMissingBaseAndCycles() {
        let missing = Files(["/c/c.py": "x = 1\n_base_ = './nope.py'\n"])
        XCTAssertThrowsError(try missing.load("/c/c.py")) { e in
            XCTAssertEqual("\(e)", """
                /c/c.py:2:10: error: no such config file: /c/nope.py
                    _base_ = './nope.py'
                             ^
                """)
        }
        let cycle = Files(["/c/a.py": "_base_ = 'b.py'\n", "/c/b.py": "_base_ = ['a.py']\n"])
        XCTAssertThrowsError(try cycle.load("/c/a.py")) { e in
            XCTAssertEqual("\(e)", """
                /c/b.py:1:11: error: circular _base_: a.py → b.py → a.py
                    _base_ = ['a.py']
                              ^
                """)
        }
        XCTAssertThrowsError(try Files(["/c/a.py": "_base_ = 'a.py'\n"]).load("/c/a.py"))
    }

    func testAbsoluteBasePathsStayAbsoluteAsInOsPathJoin() throws {
        let files = Files([
            "/elsewhere/base.py": "x = 1\n",
            "/c/d/up.py": "y = 2\n",
            "/c/abs.py": "_base_ = '/elsewhere/base.py'\nz = 3\n",
            "/c/d/placeholder.py": "_base_ = ['{{ fileDirname }}/up.py', '{{ fileDirname }}/../../elsewhere/base.py']\n",
        ])
        XCTAssertEqual(JSONText.render(try files.load("/c/abs.py").root, indent: nil), #"{"x": 1, "z": 3}"#)
        XCTAssertEqual(JSONText.render(try files.load("/c/d/placeholder.py").root, indent: nil), #"{"y": 2, "x": 1}"#)
        XCTAssertEqual(ConfigLoader.basePath("/a/../b.py", inDirectory: "/c"), "/b.py")
        XCTAssertEqual(ConfigLoader.basePath("../b.py", inDirectory: "/c/d"), "/c/b.py")
        XCTAssertThrowsError(try Files(["/c/p.py": "_base_ = '/etc/passwd'\n"]).load("/c/p.py")) { e in
            XCTAssertEqual((e as? ConfigError)?.message, "only Python (.py) configs are supported: /etc/passwd")
        }
        XCTAssertThrowsError(try Files(["/c/p.py": "_base_ = '/nope/x.py'\n"]).load("/c/p.py")) { e in
            XCTAssertEqual((e as? ConfigError)?.message, "no such config file: /nope/x.py")
        }
    }

    func testBaseChainsAndFanOutAreBounded() {
        var chain: [String: String] = [:]
        for k in 0..<150 { chain["/c/f\(k).py"] = "_base_ = 'f\(k + 1).py'\nk\(k) = \(k)\n" }
        chain["/c/f150.py"] = "end = 1\n"
        XCTAssertThrowsError(try Files(chain).load("/c/f0.py")) { e in
            XCTAssertEqual((e as? ConfigError)?.message,
                           "this _base_ chain (a base of a base of …) exceeds Reel's limit of 100 files")
            XCTAssertEqual((e as? ConfigError)?.location.file, "/c/f100.py")
        }
        // Each level names the next one twice through two files: 2**20 reads without the limit.
        var diamond: [String: String] = [:]
        for k in 0..<20 {
            diamond["/c/a\(k).py"] = "_base_ = ['a\(k + 1).py', 'b\(k + 1).py']\n"
            diamond["/c/b\(k).py"] = "_base_ = ['a\(k + 1).py', 'b\(k + 1).py']\n"
        }
        diamond["/c/a20.py"] = "\n"; diamond["/c/b20.py"] = "\n"
        XCTAssertThrowsError(try Files(diamond).load("/c/a0.py")) { e in
            XCTAssertEqual((e as? ConfigError)?.message,
                           "loading this config reads its bases too many times: it exceeds Reel's limit of 10,000 files")
        }
    }

    func testBaseReferences() throws {
        let files = Files([
            "/c/base.py": base,
            "/c/child.py": """
                _base_ = './base.py'
                c = {{_base_.total_epochs}}
                d = dict(x={{ _base_.model.head.n }}, y={{_base_.lr_config.step}})
                """,
        ])
        let c = try files.load("/c/child.py")
        XCTAssertEqual(JSONText.render(ConfigValue(.list([c.root["c"]!, c.root["d"]!])), indent: nil),
                       #"[100, {"x": 400, "y": [40, 80]}]"#)
        let bad = Files(["/c/base.py": base, "/c/child.py": "_base_ = './base.py'\nc = {{_base_.model.nope}}\n"])
        XCTAssertThrowsError(try bad.load("/c/child.py")) { e in
            XCTAssertTrue("\(e)".hasPrefix("/c/child.py:2:5: error: the base config has no key 'nope' under '_base_.model'"), "\(e)")
        }
    }

    func testChildCannotSeeBaseVariables() {
        let files = Files(["/c/base.py": "img_norm_cfg = dict(mean=[1])\n",
                           "/c/child.py": "_base_ = 'base.py'\nx = dict(**img_norm_cfg)\n"])
        XCTAssertThrowsError(try files.load("/c/child.py")) { e in
            XCTAssertTrue((e as? ConfigError)?.message.contains("variables of a base file are not visible") ?? false, "\(e)")
        }
    }

    func testDeprecationIsRemovedWithAWarning() throws {
        let c = try load("_deprecation_ = dict(expected='x')\na = 1\n")
        XCTAssertEqual(JSONText.render(c.root, indent: nil), #"{"a": 1}"#)
        XCTAssertEqual(c.warnings.count, 1)
        XCTAssertEqual(c.warnings.first?.severity, .warning)
    }
}
