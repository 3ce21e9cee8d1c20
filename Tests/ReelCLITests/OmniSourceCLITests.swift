import Foundation
import XCTest

/// OmniSource through `reel train`: one process against two Open MPI ranks with half the batch of every source.
final class OmniSourceCLITests: XCTestCase {
    /// The demo's TSM-R18 (SyncBN, no dropout) on the demo videos, web images made of their first frames
    /// (class-balanced) and the val videos as a second source, every main iteration followed by one batch of each.
    static func config(batches: [Int]) -> String {
        """
        model = dict(type='Recognizer2D',
            backbone=dict(type='ResNetTSM', pretrained=None, depth=18, base_channels=16, num_segments=8, norm_eval=False,
                          norm_cfg=dict(type='SyncBN')),
            cls_head=dict(type='TSMHead', num_classes=8, in_channels=128, num_segments=8, dropout_ratio=0.0, init_std=0.001),
            test_cfg=dict(average_clips='prob'))
        omnisource = True
        norm = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)
        clips = [dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8), dict(type='RawFrameDecode'),
                 dict(type='MultiScaleCrop', input_size=56, scales=(1, 0.875)), dict(type='Resize', scale=(56, 56), keep_ratio=False),
                 dict(type='Normalize', **norm), dict(type='FormatShape', input_format='NCHW')]
        images = [dict(type='ImageDecode'), dict(type='RandomResizedCrop'), dict(type='Resize', scale=(56, 56), keep_ratio=False),
                  dict(type='BuildPseudoClip', clip_len=8), dict(type='Normalize', **norm), dict(type='FormatShape', input_format='NCHW')]
        data = dict(videos_per_gpu=8, workers_per_gpu=1, omni_videos_per_gpu=\(batches), train_ratio=[1, 1, 1],
            train=[dict(type='RawframeDataset', ann_file='data/demo/train_list.txt', data_prefix='data/demo/rawframes', pipeline=clips),
                   dict(type='ImageDataset', ann_file='images.txt', data_prefix='data/demo/rawframes', pipeline=images,
                        sample_by_class=True, power=0.5),
                   dict(type='RawframeDataset', ann_file='data/demo/val_list.txt', data_prefix='data/demo/rawframes', pipeline=clips)])
        optimizer = dict(type='SGD', lr=0.002, momentum=0.9, weight_decay=0.0001)
        optimizer_config = dict(grad_clip=dict(max_norm=20, norm_type=2))
        total_epochs = 1
        checkpoint_config = dict(interval=1)
        log_config = dict(interval=1, hooks=[dict(type='TextLoggerHook')])

        """
    }

    /// Two ranks with half of each source's batch take the steps one process takes (mmaction2's DistributedSampler
    /// sharding of each loader, the class sampler's draws shared by the ranks): the main and auxiliary losses per
    /// iteration and every tensor after the epoch agree to float rounding. The LR is small on purpose: at 0.02 this
    /// tiny run magnifies rounding so fast that one process with 1 and with 2 threads is already 4e-4 apart in its
    /// losses after three iterations.
    func testTwoRanksTakeTheStepsOfOneProcessOnEverySource() throws {
        guard let mpirun = DistributedTrainTests.mpirun else { throw XCTSkip("mpirun not found: `make deps` installs openmpi-bin") }
        let ws = try DemoWorkspace(self)
        let lines = try String(contentsOfFile: ws.path("data/demo/train_list.txt"), encoding: .utf8).split(separator: "\n")
        try lines.map { l in let f = l.split(separator: " "); return "\(f[0])/img_00001.jpg \(f[2])\n" }.joined()
            .write(toFile: ws.path("images.txt"), atomically: true, encoding: .utf8)
        try Self.config(batches: [8, 4, 4]).write(toFile: ws.path("one.py"), atomically: true, encoding: .utf8)
        try Self.config(batches: [4, 2, 2]).write(toFile: ws.path("two.py"), atomically: true, encoding: .utf8)
        let flags = ["--no-tui", "--seed", "3", "--threads", "1"]
        let one = try ws.run(["train", ws.path("one.py"), "--work-dir", ws.path("one")] + flags)
        XCTAssertEqual(one.status, 0, one.stderr)
        let two = try ws.start(["train", ws.path("two.py"), "--work-dir", ws.path("two"), "--launcher", "mpi"] + flags,
                               launcher: mpirun, launcherArguments: DistributedTrainTests.twoRanks)
        XCTAssertEqual(two.wait(), 0, two.stderr)
        XCTAssertTrue(two.stdout.contains("OmniSource: data.train[0] sets the epoch (3 iterations)"), two.stdout)

        func losses(_ work: String) throws -> [[Double]] {
            try DistributedTrainTests.events(ws.path(work + "/events.jsonl")).filter { $0["type"] as? String == "iteration" }.map { e in
                let values = e["values"] as? [String: Any] ?? [:]
                return ["loss", "loss/aux0", "loss/aux1"].compactMap { values[$0] as? Double }
            }
        }
        let a = try losses("one"), b = try losses("two")
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(a.map(\.count), [3, 3, 3], "every iteration logs the main and both auxiliary losses")
        for (x, y) in zip(a.joined(), b.joined()) { XCTAssertEqual(x, y, accuracy: 1e-5 * abs(x), "\(a) vs \(b)") }
        let diff = try ws.run(["checkpoint", "diff", ws.path("one/epoch_1.safetensors"), ws.path("two/epoch_1.safetensors"),
                               "--rtol", "1e-5", "--atol", "1e-7"])
        XCTAssertEqual(diff.status, 0, diff.stdout + diff.stderr)
    }
}
