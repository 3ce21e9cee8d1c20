import XCTest
import Config
import EngineCore
import EngineData
import EngineTraining
@testable import TUI

/// `E` on the Checkpoints screen evaluates a file on the val split. With `skip_broken=True` its loader skipped
/// broken videos silently, so the numbers changed without a word; each skip is now a warning in the log pane.
final class DashboardAppEvaluateTests: XCTestCase {
    func testSkippedVideosAreReportedBeforeTheResult() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-dash-eval-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var spec = DemoDatasetSpec()
        spec.classes = 2; spec.videosPerClass = 4; spec.frames = 8; spec.width = 32; spec.height = 24
        _ = try DemoDataset.write(spec, to: dir)
        // Every frame of the first val video is broken.
        let video = try XCTUnwrap(String(contentsOfFile: dir + "/val_list.txt", encoding: .utf8).split(separator: " ").first)
        for t in 1...8 { try Data("not a JPEG".utf8).write(to: URL(fileURLWithPath: dir + String(format: "/rawframes/\(video)/img_%05d.jpg", t))) }
        let text = """
            model = dict(type='Recognizer2D',
                backbone=dict(type='ResNetTSM', pretrained=None, depth=18, base_channels=4, num_segments=2, shift_div=2),
                cls_head=dict(type='TSMHead', num_classes=2, in_channels=32, num_segments=2, dropout_ratio=0.0, init_std=0.01),
                test_cfg=dict(average_clips='prob'))
            val_pipeline = [dict(type='SampleFrames', clip_len=1, num_clips=2, test_mode=True), dict(type='RawFrameDecode'),
                            dict(type='Normalize', mean=[128, 128, 128], std=[64, 64, 64]), dict(type='FormatShape', input_format='NCHW'),
                            dict(type='Collect', keys=['imgs', 'label'], meta_keys=[])]
            data = dict(videos_per_gpu=1, workers_per_gpu=0,
                val=dict(type='RawframeDataset', ann_file='\(dir)/val_list.txt', data_prefix='\(dir)/rawframes', pipeline=val_pipeline,
                         skip_broken=True))
            """
        try text.write(toFile: dir + "/c.py", atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(dir + "/c.py")
        let model = try ModelBuilder.build(try XCTUnwrap(config.root["model"]), files: config.files, seed: 0)
        try CheckpointStore.save(model: model, optimizer: nil, metadata: CheckpointMetadata(epoch: 1, iter: 4), to: dir + "/epoch_1.safetensors")

        var reported: [RunEvent] = []
        DashboardApp.evaluateCheckpoint(dir + "/epoch_1.safetensors", config: config) { reported.append($0) }
        let messages = reported.compactMap { e -> String? in if case .message(let m) = e { m } else { nil } }
        XCTAssertEqual(messages.count, 2, "\(messages)")
        XCTAssertTrue(messages.first?.hasPrefix("warning: skip_broken: skipped \(dir)/rawframes/\(video) (\(dir)/rawframes/\(video)/img_0000")
                      == true, "\(messages)")
        XCTAssertTrue(messages.last?.hasPrefix("evaluated epoch_1.safetensors on val: top1_acc ") == true, "\(messages)")
    }
}
