import XCTest
@testable import EngineCore
@testable import EngineTraining

/// `reel bench`'s report (issue 15): the per-layer table stays aligned with long module names, and the text and
/// the JSON print the same convolution fraction, computed once.
final class BenchReportTests: XCTestCase {
    static func timing(_ seconds: Double) -> Benchmark.Timing { Benchmark.Timing(clean: [seconds], all: [seconds]) }

    static let rows = [
        Benchmark.LayerRow(name: "backbone.conv1.conv", shape: "16x3x7x7/2 on [64, 3, 64, 64]", algorithm: "im2col",
                           forwardGFLOP: 0.05, backwardGFLOP: 0.05, forward: timing(0.0025), backward: timing(0.005)),
        Benchmark.LayerRow(name: "backbone.layer1.0.conv1.conv.net", shape: "16x16x3x3/1 on [64, 16, 16, 16]",
                           algorithm: "winograd", forwardGFLOP: 0.1, backwardGFLOP: 0.2, forward: timing(0.001),
                           backward: timing(0.002)),
    ]

    func report(sgemm: Double = 10) -> BenchReport {
        BenchReport(config: "c.py", threads: 2, openblasCore: "Haswell", inputShape: [8, 8, 3, 64, 64], sgemmGFLOPS: sgemm,
                    train: Self.timing(0.04), trainStepGFLOP: 4, losses: [2.3, 0.1], eval: Self.timing(0.01), clips: 8,
                    layers: Self.rows)
    }

    /// Before, `%-34@` let a 32-character name plus the next columns slide right of the heading; now every column
    /// is as wide as its longest cell, so the shape column starts at the same offset on every line.
    func testLayerTableColumnsFitTheLongestName() {
        let lines = LayerTable.render(Self.rows)
        XCTAssertEqual(lines, [
            "layer                             shape                            algo      fwd ms  GFLOP/s  bwd ms  GFLOP/s",
            "backbone.conv1.conv               16x3x7x7/2 on [64, 3, 64, 64]    im2col      2.50     20.0    5.00     10.0",
            "backbone.layer1.0.conv1.conv.net  16x16x3x3/1 on [64, 16, 16, 16]  winograd    1.00    100.0    2.00    100.0",
        ])
        let longer = Self.rows + [Benchmark.LayerRow(name: "backbone.layer4.1.downsample.conv.net.extra.long", shape: "s",
                                                     algorithm: "plane", forwardGFLOP: 1, backwardGFLOP: 1,
                                                     forward: Self.timing(1), backward: Self.timing(1))]
        let table = LayerTable.render(longer)
        // The name column is the 48-character name plus two spaces wide; every shape starts right after it.
        XCTAssertTrue(table[0].dropFirst(50).hasPrefix("shape  "), table[0])
        for (line, row) in zip(table.dropFirst(), longer) {
            XCTAssertEqual(String(line.dropFirst(50).prefix(row.shape.count + 1)), row.shape + " ", line)
        }
        XCTAssertEqual(Set(table.map(\.count)).count, 1, "right-aligned last column: \(table)")
    }

    /// The conv fraction is one value: (0.05+0.05+0.1+0.2) GFLOP in (2.5+5+1+2) ms = 38.1 GFLOP/s, 381 % of a
    /// 10 GFLOP/s sgemm, in both renderings.
    func testTextAndJSONCarryTheSameConvFraction() throws {
        let r = report()
        let conv = try XCTUnwrap(r.conv)
        XCTAssertEqual(conv.gflop, 0.4, accuracy: 1e-12)
        XCTAssertEqual(conv.seconds, 0.0105, accuracy: 1e-12)
        XCTAssertEqual(conv.fractionOfSGEMM, 0.4 / 0.0105 / 10, accuracy: 1e-12)
        let json = r.jsonObject()
        XCTAssertEqual(json["conv_fwd_bwd_fraction_of_sgemm"] as? Double, conv.fractionOfSGEMM)
        XCTAssertEqual(json["conv_fwd_bwd_percent_of_sgemm"] as? Int, 381)
        let line = try XCTUnwrap(r.textLines().first { $0.hasPrefix("convolutions") })
        XCTAssertEqual(line, "convolutions   fwd+bwd 0.40 GFLOP in 10.5 ms = 38.1 GFLOP/s = 381 % of sgemm 1024")
        XCTAssertTrue(r.textLines().contains("               (\(BenchReport.convFractionMeaning))"))
        XCTAssertEqual(json["conv_fwd_bwd_counts"] as? String, BenchReport.convFractionMeaning)
        // Through JSONSerialization too, as `reel bench --json` prints it.
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        let back = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(BenchReport.percent(try XCTUnwrap(back["conv_fwd_bwd_fraction_of_sgemm"] as? Double)), 381)
    }

    func testWithoutLayersNeitherRenderingHasAFraction() {
        var r = report()
        r.layers = []
        XCTAssertNil(r.conv)
        XCTAssertNil(r.jsonObject()["conv_fwd_bwd_fraction_of_sgemm"])
        XCTAssertFalse(r.textLines().contains { $0.contains("of sgemm") })
    }

    /// The busy-machine figure: the median over every call, not only the clean ones.
    func testAllCallsMedianIsReported() {
        var r = report()
        r.train = Benchmark.Timing(clean: [0.040, 0.041, 0.042], all: [0.040, 0.090, 0.041, 0.095, 0.042])
        XCTAssertEqual(r.jsonObject()["train_step_ms_median_all"] as? Double ?? 0, 42, accuracy: 1e-9)
        XCTAssertEqual(r.jsonObject()["train_step_ms_median"] as? Double ?? 0, 41, accuracy: 1e-9)
        XCTAssertEqual(r.jsonObject()["train_runs_n"] as? Int, 5)
        XCTAssertTrue(r.textLines()[2].contains("(3 clean of 5; all calls: median 42.0 ms;"), r.textLines()[2])
    }
}
