import CTurboJPEG
import Foundation

/// Decodes JPEG frames to RGB (H×W×3, uint8) with libjpeg-turbo's TurboJPEG API — the only caller of turbojpeg.
///
/// mmaction2's `RawFrameDecode` returns RGB for every `decoding_backend` ('cv2', 'turbojpeg', 'pillow'); all three
/// sit on libjpeg-turbo, so Reel decodes them the same way (grayscale JPEGs come out as 3 equal channels, as
/// cv2's IMREAD_COLOR does). A missing or undecodable file is a `DecodeError` naming it. One decoder per thread.
public final class JPEGDecoder {
    public struct DecodeError: Error, CustomStringConvertible, Equatable {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    private let handle: tjhandle

    public init() {
        guard let h = tjInitDecompress() else { fatalError("libturbojpeg could not create a decompressor") }
        handle = h
    }

    deinit { tjDestroy(handle) }

    /// The file buffer, reused from frame to frame (a fresh `Data` per frame cost ~10 % of a small frame's decode).
    private var fileBuffer = [UInt8](repeating: 0, count: 1 << 16)

    /// Reads and decodes one file.
    public func decode(file path: String) throws -> Frame {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw DecodeError(path: path, reason: errno == ENOENT ? "frame file is missing" : "cannot read the frame (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw DecodeError(path: path, reason: "cannot read the frame") }
        let size = Int(st.st_size)
        if fileBuffer.count < size { fileBuffer = [UInt8](repeating: 0, count: size) }
        let got = fileBuffer.withUnsafeMutableBytes { buf -> Int in
            var total = 0
            while total < size {
                let n = read(fd, buf.baseAddress! + total, size - total)
                if n <= 0 { return n < 0 ? -1 : total }
                total += n
            }
            return total
        }
        guard got >= 0 else { throw DecodeError(path: path, reason: "cannot read the frame (\(String(cString: strerror(errno))))") }
        return try fileBuffer.withUnsafeBytes { try decode(UnsafeRawBufferPointer(rebasing: $0.prefix(got)), path: path) }
    }

    /// Decodes JPEG bytes; `path` only names the source in errors.
    public func decode(_ data: Data, path: String) throws -> Frame {
        try data.withUnsafeBytes { try decode($0, path: path) }
    }

    /// Decodes JPEG bytes in memory; `path` only names the source in errors.
    public func decode(_ raw: UnsafeRawBufferPointer, path: String) throws -> Frame {
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        guard let base = raw.bindMemory(to: UInt8.self).baseAddress, raw.count > 0 else {
            throw DecodeError(path: path, reason: "not a decodable JPEG (empty file)")
        }
        let ok = tjDecompressHeader3(handle, base, UInt(raw.count), &width, &height, &subsampling, &colorspace) == 0
        guard ok, width > 0, height > 0 else {
            throw DecodeError(path: path, reason: "not a decodable JPEG (\(lastError))")
        }
        var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * 3)
        let status = pixels.withUnsafeMutableBufferPointer { out in
            tjDecompress2(handle, base, UInt(raw.count), out.baseAddress!, width, 0, height, Int32(TJPF_RGB.rawValue), 0)
        }
        // A warning (e.g. a truncated but partly decodable file) still fails: a silently grey frame is worse.
        guard status == 0 else { throw DecodeError(path: path, reason: "corrupt JPEG data (\(lastError))") }
        return Frame(width: Int(width), height: Int(height), pixels: pixels)
    }

    /// Encodes RGB pixels as a baseline JPEG (the demo dataset's frames).
    public static func encode(_ image: Frame, quality: Int = 90) throws -> Data {
        guard let h = tjInitCompress() else { throw DecodeError(path: "<encoder>", reason: "libturbojpeg could not create a compressor") }
        defer { tjDestroy(h) }
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let status = image.pixels.withUnsafeBufferPointer { p in
            tjCompress2(h, p.baseAddress!, Int32(image.width), 0, Int32(image.height), Int32(TJPF_RGB.rawValue), &buffer,
                        &size, Int32(TJSAMP_420.rawValue), Int32(quality), 0)
        }
        defer { if let buffer { tjFree(buffer) } }
        guard status == 0, let buffer else { throw DecodeError(path: "<encoder>", reason: String(cString: tjGetErrorStr2(h))) }
        return Data(bytes: buffer, count: Int(size))
    }

    private var lastError: String { String(cString: tjGetErrorStr2(handle)) }
}
