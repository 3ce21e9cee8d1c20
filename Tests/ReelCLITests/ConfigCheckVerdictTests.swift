import XCTest

/// `reel config check` gives the verdict `reel train` gives (issue 13): settings training refuses are errors here
/// too — exit 2 with the same located message — because both run the same spec reading (`RunSpec.read`).
final class ConfigCheckVerdictTests: XCTestCase {
    static let demo = DemoWorkspace.repo.appendingPathComponent("configs/demo/tsm_r18_demo.py").path

    /// Writes a child of the TSM demo config with `extra` (and `options` as --cfg-options); runs `config check` and
    /// `train`; both must exit 2 with the same first error line, which must start with `location` and contain
    /// `message`.
    func assertSameRefusal(_ extra: String, options: [String] = [], line: Int, column: Int, message: String,
                           file: StaticString = #filePath, testLine: UInt = #line) throws {
        let d = try ReelProcess.tempDir(self)
        let path = d.appendingPathComponent("c.py").path
        try "_base_ = '\(Self.demo)'\n\(extra)\n".write(toFile: path, atomically: true, encoding: .utf8)
        let cfgOptions = options.isEmpty ? [] : ["--cfg-options"] + options
        let check = try ReelProcess.run(["config", "check", path] + cfgOptions, cwd: d)
        let train = try ReelProcess.run(["train", path, "--no-tui", "--work-dir", d.appendingPathComponent("w").path] + cfgOptions, cwd: d)
        XCTAssertEqual(check.status, 2, check.stdout + check.stderr, file: file, line: testLine)
        XCTAssertEqual(train.status, 2, train.stderr, file: file, line: testLine)
        func firstError(_ s: String) -> String { s.split(separator: "\n").first { $0.contains(": error: ") }.map(String.init) ?? "" }
        XCTAssertEqual(firstError(check.stderr), firstError(train.stderr), file: file, line: testLine)
        let location = options.isEmpty ? "\(path):\(line):\(column): error: " : "--cfg-options:\(line):\(column): error: "
        XCTAssertTrue(firstError(check.stderr).hasPrefix(location), "\(firstError(check.stderr)) (want \(location))", file: file, line: testLine)
        XCTAssertTrue(firstError(check.stderr).contains(message), check.stderr, file: file, line: testLine)
    }

    func testAnUnsupportedLoggerHookIsRefusedByCheckAsByTrain() throws {
        try assertSameRefusal("log_config = dict(interval=10, hooks=[dict(type='WandbLoggerHook')])", line: 2, column: 49,
                              message: "logger hook 'WandbLoggerHook' is not supported by Reel (supported: TextLoggerHook, TensorboardLoggerHook)")
    }

    func testAPytorchVideoTransStepIsRefusedByCheckAsByTrain() throws {
        try assertSameRefusal("data = dict(train=dict(pipeline=[dict(type='PytorchVideoTrans', type_='RandAugment')]))", line: 2, column: 44,
                              message: "unknown pipeline step 'PytorchVideoTrans'")
    }

    /// Lazy steps run (issue 16), but an order mmaction2 cannot run is refused at the step, by both.
    func testALazyStepWithoutItsFuseIsRefusedByCheckAsByTrain() throws {
        try assertSameRefusal("data = dict(train=dict(pipeline=[dict(type='SampleFrames', clip_len=1, num_clips=8), dict(type='RawFrameDecode'), "
                              + "dict(type='Resize', scale=(56, 56), keep_ratio=False, lazy=True), dict(type='FormatShape', input_format='NCHW')]))",
                              line: 2, column: 181, message: "FormatShape between lazy steps and their Fuse")
    }

    func testAnUnknownMetricIsRefusedByCheckAsByTrain() throws {
        try assertSameRefusal("evaluation = dict(metrics=['top_k_accuracy', 'mAP_x'])", line: 2, column: 27,
                              message: "metric 'mAP_x' is not supported by Reel")
    }

    func testANegativeEvaluationStartIsRefusedByCheckAsByTrain() throws {
        try assertSameRefusal("evaluation = dict(start=-1)", line: 2, column: 25, message: "evaluation start must not be negative")
    }

    func testAZeroEvaluationIntervalIsRefusedByCheckAsByTrain() throws {
        try assertSameRefusal("evaluation = dict(interval=0)", line: 2, column: 28, message: "evaluation interval must be positive")
    }

    func testCosineRestartPeriodsShorterThanTheRunAreRefusedByCheckAsByTrain() throws {
        try assertSameRefusal("lr_config = dict(_delete_=True, policy='CosineRestart', periods=[5, 10], restart_weights=[1, 1], min_lr=0)", line: 2, column: 13,
                              message: "CosineRestart periods cover 15 epochs of 30")
    }

    /// A config training accepts still checks ok, warnings staying warnings (exit 0).
    func testTheDemoConfigStillChecksOk() throws {
        let r = try ReelProcess.run(["config", "check", Self.demo])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "\(Self.demo): ok\n")
    }
}
