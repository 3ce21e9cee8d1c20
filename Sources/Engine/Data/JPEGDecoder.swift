import CTurboJPEG
import Foundation
import EngineCore

/// Decodes JPEG frames to RGB (H×W×3, uint8) with libjpeg-turbo's TurboJPEG API — the only caller of turbojpeg.
///
/// mmaction2's `RawFrameDecode` returns RGB for every `decoding_backend` ('cv2', 'turbojpeg', 'pillow'); all three
/// sit on libjpeg-turbo, so Reel decodes them the same way (grayscale JPEGs come out as 3 equal channels, as
/// cv2's IMREAD_COLOR does). A missing, unreadable, oversized or undecodable file throws `DecodeError` naming it.
///
/// Limits (documented in docs/differences.md): a frame file is at most `maxFileBytes`, and the header's dimensions
/// are checked before any pixel buffer is allocated — at most `maxSide` per side and `maxPixels` in all — so a
/// few hundred bytes claiming 65000×65000 cannot make Reel allocate 12 GB. One decoder per thread.
public final class JPEGDecoder {
    /// A frame that cannot be decoded; `path` names the file (or the source given to `decode(_:path:)`).
    public struct DecodeError: DataInputError, Equatable {
        public var path: String
        public var reason: String
        public init(path: String, reason: String) { self.path = path; self.reason = reason }
        public var file: String { path }
        public var description: String { "\(path): \(reason)" }
    }

    /// Largest frame file read into memory: 256 MiB, above any real frame (an 8000×8000 frame of pure noise at
    /// quality 100 is about 100 MB; a photograph of that size a fraction of it).
    public static let maxFileBytes = 256 << 20
    /// Largest width or height accepted (a 16K frame; libjpeg itself allows 65500).
    public static let maxSide = 16384
    /// Largest pixel count accepted: 2^27 (e.g. 16384×8192, a 384 MiB RGB buffer). 8K video is 7680×4320 ≈ 2^25.
    public static let maxPixels = 1 << 27

    private let handle: tjhandle

    public init() {
        // Only fails when the process is out of memory: not a property of any input.
        guard let h = tjInitDecompress() else { fatalError("libturbojpeg could not create a decompressor") }
        handle = h
    }

    deinit { tjDestroy(handle) }

    /// The file buffer, reused from frame to frame (a fresh `Data` per frame cost ~10 % of a small frame's decode).
    private var fileBuffer = [UInt8](repeating: 0, count: 1 << 16)

    /// Reads and decodes one file. Only regular files up to `maxFileBytes` are read.
    public func decode(file path: String) throws -> Frame {
        switch InputFile.read(path, maxBytes: Self.maxFileBytes, into: &fileBuffer) {
        case .success(let got):
            return try fileBuffer.withUnsafeBytes { try decode(UnsafeRawBufferPointer(rebasing: $0.prefix(got)), path: path) }
        case .failure(let failure):
            let reason: String
            switch failure {
            case .missing:
                let dir = (path as NSString).deletingLastPathComponent
                reason = FileManager.default.fileExists(atPath: dir.isEmpty ? "." : dir) ? "frame file is missing"
                    : "frame file is missing (its video directory \(dir) does not exist)"
            case .directory: reason = "is a directory, not a frame file"
            case .notRegular: reason = "is not a regular file (a device, FIFO or socket), so it is not read as a frame"
            case .tooLarge(let bytes, let limit): reason = "frame file is \(bytes) bytes; frames over \(limit) bytes are refused"
            case .unreadable(let why): reason = "cannot read the frame (\(why))"
            }
            throw DecodeError(path: path, reason: reason)
        }
    }

    /// Decodes JPEG bytes with the same limits as a file; `path` only names the source in errors.
    public func decode(_ bytes: [UInt8], path: String) throws -> Frame {
        try bytes.withUnsafeBytes { try decode($0, path: path) }
    }

    /// Decodes JPEG bytes; `path` only names the source in errors.
    public func decode(_ data: Data, path: String) throws -> Frame {
        try data.withUnsafeBytes { try decode($0, path: path) }
    }

    /// Decodes JPEG bytes in memory; `path` only names the source in errors.
    public func decode(_ raw: UnsafeRawBufferPointer, path: String) throws -> Frame {
        guard let base = raw.bindMemory(to: UInt8.self).baseAddress, raw.count > 0 else {
            throw DecodeError(path: path, reason: "not a decodable JPEG (empty file)")
        }
        guard raw.count <= Self.maxFileBytes else {
            throw DecodeError(path: path, reason: "frame file is \(raw.count) bytes; frames over \(Self.maxFileBytes) bytes are refused")
        }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let ok = tjDecompressHeader3(handle, base, UInt(raw.count), &width, &height, &subsampling, &colorspace) == 0
        guard ok, width > 0, height > 0 else {
            throw DecodeError(path: path, reason: "not a decodable JPEG (\(lastError))")
        }
        // Checked before allocating: the header alone decides the buffer size.
        guard width <= Self.maxSide, height <= Self.maxSide, Int(width) * Int(height) <= Self.maxPixels else {
            throw DecodeError(path: path, reason: "JPEG header claims \(width)x\(height) pixels; frames over "
                              + "\(Self.maxSide) pixels a side or \(Self.maxPixels) pixels in all are refused")
        }
        if colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue) {
            throw DecodeError(path: path, reason: "CMYK JPEG is not supported (convert the frames to RGB or grayscale)")
        }
        // Uninitialised: libturbojpeg writes every byte of a frame it decodes (zero-filling first cost a memset of
        // the whole frame), and a failed decode throws the buffer away.
        var status: Int32 = 0
        let count = Int(width) * Int(height) * 3
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            status = tjDecompress2(handle, base, UInt(raw.count), out.baseAddress!, width, 0, height, Int32(TJPF_RGB.rawValue), 0)
            initialized = count
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
