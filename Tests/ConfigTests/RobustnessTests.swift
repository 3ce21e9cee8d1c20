import XCTest
@testable import Config

/// Mutated and truncated configs never crash the loader (errors only), and large configs load fast.
final class RobustnessTests: XCTestCase {
    let seed = """
        _base_ = ['../../_base_/models/tsm_r50.py']
        # model settings
        model = dict(backbone=dict(num_segments=16), cls_head=dict(num_segments=16, dropout_ratio=0.5))
        img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)
        train_pipeline = [
            dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=16),
            dict(type='RawFrameDecode'),
            dict(type='Resize', scale=(-1, 256)),
            dict(type='MultiScaleCrop', input_size=224, scales=(1, 0.875, 0.75, 0.66), random_crop=False),
            dict(type='Normalize', **img_norm_cfg),
            dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
        ]
        m = {i: 1 + int(i >= 60) for i in range(120)}
        s = f'{len(train_pipeline)}x' "y" r'\\d'
        optimizer = dict(type='SGD', lr=0.01 * 2, momentum=0.9, weight_decay=1e-4, nesterov=True)
        lr_config = dict(policy='step', step=[40, 80], warmup_iters=16343 // 32)
        work_dir = './work_dirs/{{ fileBasenameNoExtension }}'
        data = dict(videos_per_gpu=8, train=dict(pipeline=train_pipeline))
        data['test'] = data['train']
        """

    /// SplitMix64, so the mutations are the same on every run.
    struct Mix { var s: UInt64; mutating func next() -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15; var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31) } }

    func testThousandsOfMutationsNeverCrash() throws {
        let bytes = Array(seed.utf8)
        var rng = Mix(s: 42)
        let alphabet = Array("()[]{},:='\"#\\.+-*/%<>!@0123456789eE_ abcdxyz\n\t{{}}é\u{0}".utf8)
        var outcomes = (ok: 0, error: 0)
        let base = "model = dict(backbone=dict(type='ResNet'), cls_head=dict())\n"
        for round in 0..<3000 {
            var b = bytes
            switch round % 4 {
            case 0: b = Array(b.prefix(Int(rng.next() % UInt64(b.count))))            // truncation
            case 1:
                for _ in 0..<(1 + Int(rng.next() % 4)) {                               // byte flips
                    b[Int(rng.next() % UInt64(b.count))] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                }
            case 2:
                let at = Int(rng.next() % UInt64(b.count)), len = Int(rng.next() % 20)  // deletion
                b.removeSubrange(at..<min(b.count, at + len))
            default:
                let from = Int(rng.next() % UInt64(b.count)), len = Int(rng.next() % 40)  // duplication
                let at = Int(rng.next() % UInt64(b.count))
                b.insert(contentsOf: b[from..<min(b.count, from + len)], at: at)
            }
            let text = String(decoding: b, as: UTF8.self)
            let files = Files(["/x/configs/recognition/tsm/t.py": text, "/x/configs/_base_/models/tsm_r50.py": base])
            do {
                let c = try files.load("/x/configs/recognition/tsm/t.py")
                _ = PrettyText.render(c.root)
                _ = JSONText.render(c.root)
                outcomes.ok += 1
            } catch let e as ConfigError {
                XCTAssertFalse(e.message.isEmpty)
                XCTAssertGreaterThanOrEqual(e.location.line, 1)
                _ = e.description
                outcomes.error += 1
            }
        }
        XCTAssertEqual(outcomes.ok + outcomes.error, 3000)
        XCTAssertGreaterThan(outcomes.error, 1000, "mutations should mostly break the file")
        XCTAssertGreaterThan(outcomes.ok, 100, "some mutations stay valid")
    }

    func testDeepNestingIsAnErrorNotAStackOverflow() {
        let deep = "x = " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
        XCTAssertThrowsError(try load(deep)) { e in
            XCTAssertTrue((e as? ConfigError)?.message.contains("nested too deeply") ?? false, "\(e)")
        }
    }

    func testOneMegabyteConfigLoadsInWellUnderASecond() throws {
        var text = "img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)\n"
        var k = 0
        while text.utf8.count < 1_000_000 {
            text += "pipeline_\(k) = [dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8), "
                + "dict(type='Normalize', **img_norm_cfg), dict(type='Resize', scale=(-1, 256)), 'step-\(k)']  # c\n"
            k += 1
        }
        let clock = ThreadCPUClock()   // CPU time, so a loaded machine does not fail the budget
        let c = try load(text)
        let elapsed = clock.elapsed
        XCTAssertEqual(c.root.count, k + 1)
        // The budget is for the optimised build `make test` runs (`swift test -c release`); an unoptimised debug
        // build is about 6x slower, so there it only guards against an accidental quadratic.
        #if DEBUG
        XCTAssertLessThan(elapsed, .seconds(6), "1 MB config took \(elapsed) (debug build)")
        #else
        XCTAssertLessThan(elapsed, .milliseconds(500), "1 MB config took \(elapsed)")
        #endif
    }
}
