import Foundation
import XCTest

/// `reel inspect world` alone and under Open MPI's launcher (make installs openmpi-bin; CI runs these).
final class InspectWorldTests: XCTestCase {
    func testAloneTheWorldIsOneProcess() throws {
        let r = try ReelProcess.run(["inspect", "world", "--floats", "1000", "--repeats", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("rank 0 of 1 on localhost"), r.stdout)
        XCTAssertTrue(r.stdout.contains("over 1 ranks") && r.stdout.contains("every sum checked"), r.stdout)
    }

    func testTwoRanksUnderMpirunSumEveryElement() throws {
        guard let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return XCTFail("mpirun not found: `make deps` installs openmpi-bin")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: mpirun)
        p.arguments = ["--allow-run-as-root", "--oversubscribe", "-np", "2", ReelProcess.binary.path,
                       "inspect", "world", "--floats", "300001", "--repeats", "3"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("rank 0 of 2") && text.contains("rank 1 of 2"), text)
        XCTAssertTrue(text.contains("allreduce 300001 floats (1.2 MB) over 2 ranks"), text)
        XCTAssertTrue(text.contains("every sum checked"), text)
    }
}
