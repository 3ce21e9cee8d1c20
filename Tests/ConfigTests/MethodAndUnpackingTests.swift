import XCTest
@testable import Config

/// Methods and unpacking assignments that configs of mmocr 0.6 and mmpose 0.29 use (found by
/// scripts/mmcv_diffcheck.py). Expected values computed by running the same lines in Python 3.11.
final class MethodAndUnpackingTests: XCTestCase {
    func testUnpackingAssignment() throws {
        // mmocr configs/kie/sdmgr/*.py: `max_scale, min_scale = 1024, 512`.
        let text = """
        max_scale, min_scale = 1024, 512
        (a, [b, c]) = (1, 'xy')
        k1, k2 = dict(p=1, q=2)
        """
        XCTAssertEqual(try json(text), #"{"max_scale": 1024, "min_scale": 512, "a": 1, "b": "x", "c": "y", "k1": "p", "k2": "q"}"#)
        assertErrorAt("a, b = 1, 2, 3\n", "1:1", "too many values to unpack (expected 2)")
        assertErrorAt("a, b, c = [1, 2]\n", "1:1", "not enough values to unpack (expected 3, got 2)")
        assertErrorAt("a, b = 5\n", "1:1", "'int' object is not iterable")
        assertErrorAt("(a, b)[0] = 5\n", "1:1", "cannot assign to this expression")
    }

    func testPureAndChangingMethods() throws {
        // mmocr _base_/recog_datasets: `{key: value for key, value in train1.items()}`; mmpose voxelpose:
        // `test_data_cfg = train_data_cfg.copy()` then `test_data_cfg.update(dict(...))`.
        let text = """
        train1 = dict(type='OCRDataset', img_prefix='x', pipeline=None)
        train2 = {key: value for key, value in train1.items()}
        train2['img_prefix'] = 'y'
        test_data_cfg = train1.copy()
        test_data_cfg.update(dict(frame_range=list(range(3, 6))), type='Other')
        nested = dict(a=dict(b=[1]))
        nested['a'].update(c=2)
        nested['a']['b'].append(dict(d=3))
        nested['a']['b'].extend((4, 5))
        keys = list(train1.keys())
        vals = [v for v in train1.values() if v]
        got = (train1.get('type'), train1.get('missing'), train1.get('missing', 7))
        idx = [3, 4, 3].index(4) + (3, 4, 3).count(3)
        """
        XCTAssertEqual(try json(text), #"{"train1": {"type": "OCRDataset", "img_prefix": "x", "pipeline": null}, "train2": {"type": "OCRDataset", "img_prefix": "y", "pipeline": null}, "test_data_cfg": {"type": "Other", "img_prefix": "x", "pipeline": null, "frame_range": [3, 4, 5]}, "nested": {"a": {"b": [1, {"d": 3}, 4, 5], "c": 2}}, "keys": ["type", "img_prefix", "pipeline"], "vals": ["OCRDataset", "x"], "got": ["OCRDataset", null, 7], "idx": 3}"#)
    }

    func testMethodErrorsAreLocated() {
        assertErrorAt("d = dict()\nx = d.update(a=1)\n", "2:5", "'.update(…)' changes its dict")
        assertErrorAt("d = dict()\nx = d.pop('a')\n", "2:5", "method '.pop(…)' of dict is not available in a config")
        assertErrorAt("s = 'a'\nx = s.upper()\n", "2:5", "method '.upper(…)' of str is not available")
        assertErrorAt("dict(a=1).update(b=2)\n", "1:1", "'.update(…)' here would change a value no name holds")
        assertErrorAt("l = [1]\nl.update(b=2)\n", "2:1", "method '.update(…)' of list is not available")
        assertErrorAt("l = [1]\nl.append(1, 2)\n", "2:1", "list.append() takes exactly one argument")
        assertErrorAt("x = [1].index(2)\n", "1:5", "2 is not in list")
        assertErrorAt("x = dict().get()\n", "1:5", "dict.get() takes 1 or 2 argument(s), 0 given")
    }
}
