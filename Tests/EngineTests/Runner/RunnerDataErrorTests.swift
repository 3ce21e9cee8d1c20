import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// A data file that breaks in the middle of a run stops it with a `RunFailure` that keeps the file, so `reel` can
/// tell refused input (exit 2) from a run that failed by itself (exit 1).
final class RunnerDataErrorTests: XCTestCase {
    func testAFrameMissingMidRunIsReportedWithItsFile() throws {
        let tiny = try TinyRun()
        let log = EventLog()
        let runner = try tiny.runner(epochs: 1, sinks: [log])
        let video = tiny.dir + "/rawframes/video_3"
        try FileManager.default.removeItem(atPath: video)
        XCTAssertThrowsError(try runner.run()) { error in
            guard let f = error as? RunFailure else { return XCTFail("\(type(of: error)): \(error)") }
            XCTAssertTrue(f.inputFile?.hasPrefix(video + "/img_0000") ?? false, "\(String(describing: f.inputFile))")
            XCTAssertEqual(f.message, "\(f.inputFile ?? ""): frame file is missing (its video directory \(video) does not exist)")
        }
        let failures = log.events.compactMap { if case .failed(let f) = $0 { f } else { nil } }
        XCTAssertEqual(failures.count, 1)
        XCTAssertNotNil(failures.first?.inputFile)
    }

    func testARunFailureOfTheRunItselfHasNoInputFile() throws {
        let tiny = try TinyRun()
        let runner = try tiny.runner("optimizer = dict(type='SGD', lr=1e30, momentum=0.9)\noptimizer_config = dict(grad_clip=None)", epochs: 3)
        XCTAssertThrowsError(try runner.run()) { error in
            guard let f = error as? RunFailure else { return XCTFail("\(type(of: error)): \(error)") }
            XCTAssertTrue(f.message.hasPrefix("loss is"), f.message)
            XCTAssertNil(f.inputFile)
        }
    }
}
