import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// mmaction2's ColorJitter: every step against mmaction2 0.24.1's own functions (`adjust_contrast`,
/// `adjust_saturation`, `adjust_hue` with OpenCV's HSV) on a 16×12 frame with greys, white and black, for several
/// orders and factors (the Python that made the expected bytes is described above the cases).
final class ColorJitterTests: XCTestCase {
    /// The frame both sides build: (37x + 91y + 53c + (x·y mod 7)) mod 256, its first four pixels grey, white, black, grey.
    static func frame() -> Frame {
        var px: [UInt8] = []
        for y in 0..<12 { for x in 0..<16 { for c in 0..<3 { px.append(UInt8((x * 37 + y * 91 + c * 53 + (x * y) % 7) % 256)) } } }
        for (i, v) in [10, 255, 0, 200].enumerated() { for c in 0..<3 { px[i * 3 + c] = UInt8(v) } }
        return Frame(width: 16, height: 12, pixels: px)
    }

    // x = img.astype(np.float32); for fn in order: x *= b / adjust_contrast(x, c) / CJ.adjust_saturation(x, s) /
    // adjust_hue(x, h) (each skipped at its identity); np.clip(x, 0, 255).astype(np.uint8).tobytes().hex() — with
    // mmaction2's functions as NumPy 1.x runs them (NumPy 2 refuses a negative hue offset on uint8 and keeps the
    // contrast's scalar in float32): the contrast's (1 − c)·mean in float64, cast on the add; a negative hue offset
    // added in int16, a non-negative one in uint8 (wrapping at 256), then mod 180. OpenCV 4.x/5.x cvtColor.
    static let cases: [(order: [Int], b: Double, c: Double, s: Double, h: Double, expected: String)] = [
        (order: [0, 1, 2, 3], b: 1.3, c: 0.7, s: 1.4, h: 0.08, expected: "3a3a3affffff313131e7e7e7a8b1ff34ff15ff712a3b24ab5c46cd7d67ee9589ff11f9003eff18ff732d3d27ae5e48d08b74fb9a97ff1eff05ff6f1bff773d4f38bf725be28d77fe9999ff21ff08ff701dff7940523bc2735de4907aff9c9fff32ff12ff70293c25ac5e48d07d66ed9589ff11fb0034ff15ff722c3e28af614bd27f68ef988cff11fd003eff18ff742f4831b86c55dc907aff9898ff21ff08ff6d19ff773d4b34bb6f58df8d7cff9a9aff22ff0aff6f1cff79404d36bd725be29484ffa9b2ff32ff13ff722c3923aa5e48d07d67ee9286ff11fa003dff16ff742f3c26ad614bd2806af19589ff11fd004eff22ff7c3b4b34bb6953da907aff9999ff1eff0551ff25ff783e4d36bd6c56dd8d7cff9c9fff21ff08ff6f1bff7a415640c77d67ee9488ffa9b2ff34ff15ff70293822a95a43ca806af1978bff11fa003eff18ff722c3c25ac5c46cd846df49793ff11ff004eff22ff7a374831b86952da8b74fb9a96ff1cff0351ff25ff7c3a4b34bb6c55dc8d77fe9999ff1fff06ff7525ff7e475942c97b65ec9387ff11f8003eff18ff76273822a95b45cc7d67ee968aff11fb0041ff1bff712a3c25ac6750d78973fa9a97ff1fff064fff23ff7c3a4c35bc6952da8d76fd9999ff21ff08ff6d19ff7d3c4f38bf6c55dc8f79ffa3a9ff32ff12ff712aff7f485b45cc7a63ea9387ffa5aeff34ff15ff732d3923aa5f48cf7d66ed968affa8b1ff3eff18ff78344932b96851d88d76fd9995ff1fff0651ff25ff7a374b34bb6953da8f79ff9898ff21ff08ff6f1bff7c3a4e37be"),
        (order: [3, 2, 1, 0], b: 0.6, c: 1.45, s: 0.55, h: -0.09, expected: "000000b8b8b800000088888877aa9e8a5d296d0c6d002c20194c40396c60598c806d3f0c8d602c6f0e6f002e221c4e4245786c66998d7b4d1a5e005e7f1e7f0c3f332d6054487b6f699c907d501c6100618220820f41353062564b7d716c9e92885a276c0b6c002c201c4e42376a5e598c806f410d8a5d296e0d6e002f231e51453a6d615c8f837144108d602c71107105382c285b4f4b7d71679a8e7d501c5c005c7f1e7f083a2e2a5d514d80746a9d9180521f5f005f8220820a3d312d605454877b78ab9f895b286e0d6e002b1f1c4e42396c6057897e6e400d8b5e2a711071002d211e51453c6f63598c8070430f9769357d1c7d083a2e26594d4b7d71699c907b4d1a996c38801f800a3d31295b4f4d80746c9e927d501c5e005e82218214473b396c60598b7f78ab9f8a5d296c0b6c002a1e16493d3c6f635b8e826e400d8d602c6e0d6e002c20194c403e716563968a76491597693579187905382c25584c45786c66988c794c18996c387b1a7b083a2e285b4f487b6f689b8f7c4e1a67066789278916483c37695d588a7e6c3e0b8d602c6a096a002a1e184b3f396c605a8d816f410d90622e6d0c6d002c2023554945776b66998d7c4e1a976a367b1a7b093c3025584c477a6e699c907e511d5c005c7e1d7e0c3f33285b4f4a7c7072a498885a276d0c6d892889184b3f35685c588a7e74a79b8a5d296f0e6f002b1f1b4d42376a5e5a8d8177aa9e8d602c76157606392d23564a477a6e65978b7c4e1a996c38791879083b2f26594d4a7c70679a8e7e511d5e005e7b1a7b0b3e32"),
        (order: [1, 3, 0, 2], b: 1.0, c: 1.2, s: 1.0, h: 0.05, expected: "000000ffffff000000d6d6d698adff68ff10f02800000069162395424fc26f7cee42db006aff14f4210000006c1a27995360d2818eff4fee00dc3300ff3516041183323fb15764d68494ff51f200e02d00ff391a0815873542b45a67da8898ff5dff0cef280000006a1a2799404cbf6f7cee42dd0068ff10f3200000046e1d299c4451c3727ff243e1006aff14f6230300087a2a37aa5a67da828eff51f200da3300ff3516000c7d2e3bad5e6add8696ff53f502dd2c00ff391a020f81323fb16875e799b1ff5eff0ef320000300681a2799424fc26b78ea42dc0068ff11f6230300006b1d299c4653c56f7cee43e0007aff21ff3314000c7d2835a75a67da8494ff4fee0083ff24ff3617020f812c39ab5e6add8898ff51f200dc3300ff391b0f1c8e424fc26e7aed99b1ff68ff10ef2800030066121f924653c5717ef042dc006aff14f3200000006a1623954a57c97c89fb4de8007aff21ff2e0e00087a2734a65360d2808dff4fec0083ff24ff3111000c7d2a37aa5764d6838fff50ef00e92700ff3923111e903f4cbe6c79ec41da006aff14ed2800030066152294424fc2707def42dd006cff17f0280000006a2330a2525fd1818eff50ef007aff22ff3111000d802734a65663d58494ff51f300da3300ff34150411832a37aa5966d890a2ff5dff0cf02800ff3a241522943c49bc6c79ec94a9ff68ff10f42100030068182598404cbf707def98adff6aff14fe2a0a00087b2431a45663d57e8afe50ef0083ff24ff2e0e000d7e2835a75966d8828eff51f300dc3300ff3111031082"),
        (order: [2, 0, 3, 1], b: 1.2, c: 1.0, s: 0.8, h: 0.0, expected: "0b0b0bffffff000000efefefbbeeffe1ff51e926590d40733a6da06699cc93c6f8b8eb28e4ff54ed2a5d1144773d70a377aadda5d8ffcbfe3bd51245ff4072285b8e5588bb7baee0a8dbffcfff3fd81648ff43762b5e91598cbf7eb1e4acdfffddff4de825580f42743d70a36497ca93c6f8baed2ae1ff51ec295c1245784174a7679acd96c9fcbef12ee4ff54ef2c5f1e51844e81b47eb1e4a6d9ffcfff3fd21042ff40722255885285b882b5e8a9dcffd2ff42d61346ff437625588b5588bb8bbef1bdf0ffdeff4eec295c0c3f723d70a36699cc8fc2f5b9ec29e2ff52ef2c5f1043764174a76a9dd093c6f8bdf02df2ff62ff3d702255884c7fb27eb1e4a8dbffcbfe3bf5ff65ff417425588b4f82b582b5e8acdfffcfff3fd51245ff44773366986699cc91c4f7bdf0ffe1ff51e825580b3e7136699c6a9dd095c8fbb9ec29e4ff54ec295c0f42743a6da06da0d3a0d3ffc5f835f2ff62fa376a1e51844b7eb077aadda3d6ffc9fc39f5ff65fe3b6e2255884e81b47baee0a7daffccff3ce21f52ff4d8035689b6396c890c3f6b7ea27e4ff54e623560b3e71396c9e6699cc94c7fabaed2ae8ff58e926590f4274477aad76a9dca5d8ffccff3cf3ff63fe3b6e24578a4b7eb079acdfa8dbffd0ff40d21042ff3e71285b8e4e81b47db0e3b4e7ffddff4de92659ff4e81396c9e6093c690c3f6b8ebffe1ff51ed2a5d0c3f723c6fa26497ca94c7fabbeeffe4ff54f634661f5285487bae79acdfa2d5ffccff3cf5ff65fa376a2356894c7fb27db0e3a6d9ffd0ff40d51245fe3b6e275a8c"),
        (order: [3, 0, 1, 2], b: 1.0, c: 1.0, s: 1.0, h: 0.45, expected: "0a0a0affffff000000c8c8c8defe94ee23e0dede134d6d0372922897b74dbcdc72cc01bef126e3e1e11650700675952ba5c55bcbeb81dc11cecdcd02f3f32863831989a93fa8c85eceee84df14d1d0d005f6f62b66861c8cac42abcb61d1f187eb20dddddd124e6e0475952b95b54bbcdc72ce03c0ee23e0e0e01551710778982e98b84ebfdf75d106c3f126e3e3e3185b7b1183a339abcb61ccec82df14d1cbcb00f3f3285e7e1486a63caece64cfef85e217d4cece03f6f62b61811789a93fb6d66cdfff95ec21dee0e0154c6c0275952b97b74db9d96fcd02bfef24e1e3e3184f6f0578982e9aba50bcdc72d005c2fc31eef1f1265e7e1481a137abcb61ceee84dc11ceff34f1f4f42961811784a43aaece64d1f187df14d1cdcd02f7f72c6c8c2297b74dbbdb71dfff95ee23e0dddd124b6b016f8f259aba50bede74cd02bff126e3e0e0154e6e047292289dbd53c7e77dd70cc9fc31eeecec215b7b1180a036a5c55bcaea80da0fccff34f1efef245e7e1483a339a8c85ecded83dd12cfd8d80dfefe336e8e2494b44abada70cb00bdf126e3dbdb104b6b0171912797b74dbddd73ce03c0f429e6dede134e6e047d9d33a4c45acbeb81dd12cffd32efefef2460801680a036a7c75dceee84e015d2cbcb00f2f22763831983a339aaca60d8f88eeb20dddede13ffff3471912792b248bada70dbfb91ee23e0e1e1164c6c0274942a95b54bbddd73defe94f126e3e9e91e5c7c127e9e34a7c75dc9e97fdd12cfff34f1ecec215f7f1581a137aaca60ccec82e015d2cdcd02efef24628218"),
    ]

    func testStepsMatchMmaction2() {
        for (n, k) in Self.cases.enumerated() {
            let out = ColorJitterStep.jitter(Self.frame(), .init(b: k.b, c: k.c, s: k.s, h: k.h, order: k.order)).pixels
            let expected = stride(from: 0, to: k.expected.count, by: 2).map { i -> UInt8 in
                let a = k.expected.index(k.expected.startIndex, offsetBy: i)
                return UInt8(k.expected[a..<k.expected.index(a, offsetBy: 2)], radix: 16)!
            }
            let differ = zip(out, expected).enumerated().filter { $0.element.0 != $0.element.1 }
            XCTAssertEqual(differ.count, 0, "case \(n): \(differ.count) of \(out.count) bytes differ, first \(differ.prefix(3).map { "\($0.offset): \($0.element)" })")
        }
    }

    /// The reader's ranges (mmaction2's check_input) and the per-video draw within them.
    func testReadingAndDrawing() throws {
        func read(_ args: String) throws -> ColorJitterStep {
            let text = "p = [dict(type='ColorJitter'\(args))]\n"
            let c = try ConfigLoader(read: { $0 == "/p.py" ? text : nil }).load("/p.py")
            let step = try PipelineReader.read(c.root["p"]!, files: c.files).steps.first as? ColorJitterStep
            return try XCTUnwrap(step)
        }
        let defaults = try read("")
        XCTAssertEqual([defaults.brightness.0, defaults.brightness.1, defaults.hue.0, defaults.hue.1], [0.5, 1.5, -0.1, 0.1])
        let tuple = try read(", contrast=(0.8, 1.2), hue=0.5")
        XCTAssertEqual([tuple.contrast.0, tuple.contrast.1, tuple.hue.1], [0.8, 1.2, 0.5])
        for bad in [", brightness=1.5", ", hue=0.6", ", saturation=(1.2, 0.8)", ", contrast=(-0.5, 1.0)"] {
            XCTAssertThrowsError(try read(bad), bad) { XCTAssertTrue("\($0)".contains("mmaction2 asserts the same"), "\($0)") }
        }
        var rng = Philox(seed: 3)
        for _ in 0..<50 {
            let d = defaults.draw(rng: &rng)
            XCTAssertTrue((0.5...1.5).contains(d.b) && (0.5...1.5).contains(d.c) && (0.5...1.5).contains(d.s) && (-0.1...0.1).contains(d.h))
            XCTAssertEqual(d.order.sorted(), [0, 1, 2, 3])
        }
    }
}
