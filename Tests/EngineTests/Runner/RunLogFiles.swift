import Foundation
import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// What a TinyRun's work dir says about the run: `.log.json` records, `.log` messages, `events.jsonl`, TensorBoard.
extension TinyRun {
    /// The one file whose name ends in `suffix`, or nil.
    func file(endingIn suffix: String) -> String? {
        let names = files().filter { $0.hasSuffix(suffix) }
        return names.count == 1 ? work + "/" + names[0] : nil
    }

    /// The `.log.json` records after the meta line, in order.
    func jsonRecords(file: StaticString = #filePath, line: UInt = #line) throws -> [[String: Any]] {
        let path = try XCTUnwrap(self.file(endingIn: ".log.json"), "no single .log.json in \(files())", file: file, line: line)
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    /// The `.log`'s messages without the `timestamp - mmaction - INFO - ` prefix (a multi-line message stays one).
    func logMessages(file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let path = try XCTUnwrap(self.file(endingIn: ".log"), "no single .log in \(files())", file: file, line: line)
        var out: [String] = []
        for l in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false) {
            if let r = l.range(of: " - mmaction - INFO - ") { out.append(String(l[r.upperBound...])) }
            else if !out.isEmpty { out[out.count - 1] += "\n" + l }
        }
        if out.last?.hasSuffix("\n") == true { out[out.count - 1].removeLast() }
        return out
    }

    func tensorboard(file: StaticString = #filePath, line: UInt = #line) throws -> TensorboardScalars {
        try TensorboardScalars(directory: work + "/tf_logs", file: file, line: line)
    }

    /// The events of `events.jsonl`.
    func recordedEvents() throws -> [RunEvent] {
        try String(contentsOfFile: work + "/" + EventRecord.fileName, encoding: .utf8).split(separator: "\n")
            .map { try EventRecord.decode(String($0)).event }
    }
}

/// mmcv's count-weighted average (LogBuffer.average) of the iterations' `key` values, in LogBuffer's order.
func weightedMean(_ records: [IterationRecord], _ key: String) -> Double {
    let total = records.reduce(0) { $0 + $1.batchSize }
    return records.reduce(0.0) { $0 + $1.values[key]! * Double($1.batchSize) } / Double(total)
}
