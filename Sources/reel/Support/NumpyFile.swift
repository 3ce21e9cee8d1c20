import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation

/// Writes a tensor as a NumPy `.npy` file (format 1.0: magic, header dict padded to 64 bytes, little-endian
/// float32 data), which `numpy.load` reads.
enum NumpyFile {
    static func write(_ t: Tensor, to path: String) throws {
        let dims = t.shape.map(String.init).joined(separator: ", ") + (t.shape.count == 1 ? "," : "")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let n = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(n & 0xff), UInt8(n >> 8)])
        data.append(contentsOf: Array(header.utf8))
        t.withData { data.append(UnsafeBufferPointer(start: $0, count: t.count)) }
        try AtomicFile.write(data, to: path)
    }
}
