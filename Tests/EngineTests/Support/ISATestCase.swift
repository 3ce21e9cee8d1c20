import XCTest
@testable import EngineCore

/// A test case whose tests run kernels under every instruction set this CPU supports (`forEachISA`) and leave the
/// active one as they found it.
class ISATestCase: XCTestCase {
    private var saved = KernelISA.active
    override func setUp() { super.setUp(); saved = KernelISA.active }
    override func tearDown() { KernelISA.activate(saved); super.tearDown() }

    /// Runs `body` once per supported ISA with that ISA active.
    func forEachISA(_ body: (KernelISA) throws -> Void) rethrows {
        for isa in KernelISA.available {
            XCTAssertTrue(KernelISA.activate(isa))
            XCTAssertEqual(KernelISA.active, isa)
            try body(isa)
        }
    }
}
