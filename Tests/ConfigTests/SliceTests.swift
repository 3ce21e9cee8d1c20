import XCTest
@testable import Config

/// Slices (`a[i:j:k]`) read and assigned. Every expected value was computed by running the same lines in Python 3.11.
final class SliceTests: XCTestCase {
    func testSlicesOnStringsListsAndTuples() throws {
        let text = """
        data_root = 'data/kinetics400/rawframes_train_v1.5'
        s = 'abcdefghij'
        l = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        t = (0, 1, 2, 3, 4)
        r = dict(
            a=data_root[-5:-1], b=s[2:5], c=s[:3], d=s[7:], e=s[::2], f=s[::-1], g=s[-3:], h=s[5:2:-1],
            i=s[-100:100], j=s[100:], k=s[8:2], l=s[::-3], m=s[-2:-100:-2], n=s[True:], o=s[None:None:None],
            p=l[1:8:3], q=l[::-4], r=l[-1:-11:-1], s=t[1:-1], t=t[::-2], u=t[10:0:-1], v='é日本x'[1:3],
            w=l[3:3], x=l[9:-11:-5])
        """
        let r = try load(text).root["r"]!
        XCTAssertEqual(JSONText.render(r, indent: nil), #"{"a": "_v1.", "b": "cde", "c": "abc", "d": "hij", "e": "acegi", "f": "jihgfedcba", "g": "hij", "h": "fed", "i": "abcdefghij", "j": "", "k": "", "l": "jgda", "m": "igeca", "n": "bcdefghij", "o": "abcdefghij", "p": [1, 4, 7], "q": [9, 5, 1], "r": [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], "s": [1, 2, 3], "t": [4, 2, 0], "u": [4, 3, 2, 1], "v": "日本", "w": [], "x": [9, 4]}"#)
        // A tuple's slice is a tuple, a list's a list.
        guard case .tuple = r.value(at: ["s"])?.content, case .list = r.value(at: ["p"])?.content else { return XCTFail("\(r)") }
    }

    func testSlicesInFStringsComprehensionsAndBaseReferences() throws {
        let files = Files([
            "/cfg/base.py": "data_root = 'data/kinetics400/rawframes_train_v1.5'\n",
            "/cfg/t.py": """
            _base_ = ['./base.py']
            version = {{ _base_.data_root }}[-4:]
            tag = f'{version[1:]}_{[1, 2, 3][::-1]}'
            heads = [w[:2] for w in ['abc', 'de', 'f'][1:]]
            """,
        ])
        let root = try files.load("/cfg/t.py").root
        XCTAssertEqual(root["version"], ConfigValue(.string("v1.5")))
        XCTAssertEqual(root["tag"], ConfigValue(.string("1.5_[3, 2, 1]")))
        XCTAssertEqual(JSONText.render(root["heads"]!, indent: nil), #"["de", "f"]"#)
    }

    func testSliceAssignment() throws {
        let text = """
        a = [0, 1, 2, 3, 4, 5]
        a[1:3] = ['x']
        b = [0, 1, 2, 3, 4, 5]
        b[::2] = [7, 8, 9]
        c = [0, 1, 2, 3, 4, 5]
        c[4:1] = (8, 9)
        d = [0, 1, 2, 3, 4, 5]
        d[:] = 'ab'
        e = [0, 1, 2, 3, 4, 5]
        e[-2:] = []
        f = [0, 1, 2, 3, 4, 5]
        f[::-2] = [10, 30, 50]
        g = dict(x=[1, 2, 3])
        g['x'][1:] = [5]
        """
        XCTAssertEqual(try json(text), #"{"a": [0, "x", 3, 4, 5], "b": [7, 1, 8, 3, 9, 5], "c": [0, 1, 2, 3, 8, 9, 4, 5], "d": ["a", "b"], "e": [0, 1, 2, 3], "f": [0, 50, 2, 30, 4, 10], "g": {"x": [1, 5]}}"#)
    }

    func testAssignmentThroughASliceChangesOnlyTheSharedItems() throws {
        // The slice is a new list holding the same items: replacing its item is lost, changing an item's
        // contents is seen in the original.
        let text = """
        a = [[0, 1], [2, 3], [4, 5]]
        a[1:][0][0] = 9
        b = [[0, 1], [2, 3], [4, 5]]
        b[::-1][::2][1][1] = 7
        c = [[0, 1], [2, 3]]
        c[1:][0] = 9
        t = ([0], dict(k=1))
        t[1]['k'] = 2
        t[::-1][1][0] = 5
        """
        XCTAssertEqual(try json(text), #"{"a": [[0, 1], [9, 3], [4, 5]], "b": [[0, 7], [2, 3], [4, 5]], "c": [[0, 1], [2, 3]], "t": [[5], {"k": 2}]}"#)
    }

    func testSliceErrorsAreLocated() {
        assertErrorAt("x = [1, 2][::0]\n", "1:14", "slice step cannot be zero")
        assertErrorAt("x = 'ab'[1:2:0]\n", "1:14", "slice step cannot be zero")
        assertErrorAt("x = [1, 2][1.0:]\n", "1:12", "slice indices must be integers or None, not float")
        assertErrorAt("x = [1, 2][:'a']\n", "1:13", "slice indices must be integers or None, not str")
        assertErrorAt("x = dict(a=1)[0:1]\n", "1:15", "dict keys must be strings or integers in a config, not slice")
        assertErrorAt("x = 5[1:]\n", "1:7", "'int' object is not subscriptable")
        assertErrorAt("t = (1, 2)\nt[0:1] = [3]\n", "2:3", "'tuple' object does not support item assignment")
        assertErrorAt("a = [0, 1, 2, 3, 4, 5]\na[::2] = [1]\n", "2:3",
                      "attempt to assign sequence of size 1 to extended slice of size 3")
        assertErrorAt("a = [0, 1]\na[:] = 5\n", "2:3", "can only assign an iterable to a slice, not int")
        assertErrorAt("x = [1, 2][1:2:3:4]\n", "1:17", "expected ']' to close the subscript")
        assertErrorAt("a = [[0], [1]]\na[1:][5][0] = 1\n", "2:7", "list index out of range")
    }

    func testSlicePositionsMatchPythonsSliceIndices() {
        // [start, stop, step] from Python's slice(...).indices(length), then len(range(start, stop, step)).
        func p(_ l: Int?, _ u: Int?, _ s: Int?, _ n: Int) -> [Int] {
            let x = Evaluator.SlicePositions(lower: l, upper: u, step: s, count: n)
            return [x.start, x.stop, x.step, x.count]
        }
        XCTAssertEqual(p(nil, nil, -1, 5), [4, -1, -1, 5])
        XCTAssertEqual(p(-100, 100, 3, 10), [0, 10, 3, 4])
        XCTAssertEqual(p(100, -100, -7, 10), [9, -1, -7, 2])
        XCTAssertEqual(p(nil, nil, Int.max, 3), [0, 3, Int.max, 1])
        XCTAssertEqual(p(2, nil, nil, 0), [0, 0, 1, 0])
        // The most negative step is clamped to -Int.max, as CPython's PySlice_Unpack clamps it for indexing.
        XCTAssertEqual(p(Int.min, Int.max, Int.min, 3), [-1, 2, -Int.max, 0])
    }
}
