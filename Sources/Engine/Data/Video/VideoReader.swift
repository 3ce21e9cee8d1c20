import CFFmpeg
import Foundation

/// A video file that cannot be opened or decoded; `path` names the file. Thrown by `VideoReader` and the video
/// Init/Decode steps; `skip_broken` replaces such an item like one with a broken frame.
public struct VideoError: DataInputError, Equatable {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var file: String { path }
    public var description: String { "\(path): \(reason)" }
}

/// Frame-exact random access to one video file on FFmpeg (libavformat demuxes, libavcodec decodes, libswscale
/// converts to RGB). The only caller of FFmpeg's decoding API.
///
/// Opening reads the whole file's packet headers once (no decoding) and builds the frame index decord builds:
/// frame `i` is the video packet with the `i`-th smallest presentation timestamp, so `frameCount` is exact whatever
/// the container's metadata says, and B-frames and variable frame rates are handled. `frames(_:)` decodes exactly
/// the frames asked for: for each run of wanted frames it seeks to the keyframe at or before the first one (only
/// when that is nearer than decoding on), decodes forward and keeps the wanted frames, returning them in the order
/// asked with repeats. The frames are the stored pixels, RGB 8-bit (H×W×3); rotation metadata is not applied, as
/// PyAV does not apply it (decord 0.6.0 does: docs/video-differential.md).
///
/// Safety: only the `file` protocol and the demuxers of real video containers are allowed (a playlist or concat
/// file cannot make Reel read other files or the network), the size is checked before any frame buffer is made,
/// and a decode that stops making progress is an error. One reader per thread.
public final class VideoReader {
    /// Largest width or height accepted (as for JPEG frames).
    public static let maxSide = 16384
    /// Largest frame accepted, in pixels: 2^26 (8K video is 2^25), so a few bytes of header cannot make Reel
    /// allocate gigabytes.
    public static let maxPixels = 1 << 26
    /// Largest video index accepted: 2^24 frames (over 6 days at 30 fps).
    public static let maxFrames = 1 << 24
    /// FFmpeg's own log lines (codec banners, warnings on damaged data) are silenced once per process: Reel reports
    /// every failure itself, naming the file.
    static let silenceFFmpeg: Void = av_log_set_level(AV_LOG_QUIET)
    /// The demuxers a video may be read with.
    static let demuxers = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flv,mpeg,mpegts,mpegvideo,m4v,h264,hevc,ogg,asf,nut,ivf"

    public let path: String
    public let width: Int
    public let height: Int
    /// The number of frames (video packets) in the file.
    public var frameCount: Int { presentation.count }
    /// The container's own frame count (`nb_frames`, 0 when the container does not store it), which PyAV reports.
    public let containerFrameCount: Int
    /// Average frame rate as the container states it (frames per second; 0 if unknown).
    public let frameRate: Double
    /// The codec's name (`h264`, `mpeg4`, …).
    public let codecName: String
    /// The frame indices of the keyframes (ascending): where a seek can land. Empty when the file has no
    /// presentation timestamps (frames are then decoded from the start).
    public var keyframeIndices: [Int] { keyframes }

    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private let stream: Int32
    /// Presentation timestamps in order: frame `i` has `presentation[i]`.
    private let presentation: [Int64]
    private let frameOfTimestamp: [Int64: Int]
    /// Frame indices of keyframes (ascending) and the timestamp to seek to for each.
    private let keyframes: [Int]
    private let keyframeSeekTimestamps: [Int64]
    private var scaler: OpaquePointer?
    private var scalerSource = ScalerSource(width: 0, height: 0, format: -1, colorspace: 0, fullRange: false)
    /// swscale's padded destination (see `rgb`).
    private var scratch: [UInt8] = []
    private var packet: UnsafeMutablePointer<AVPacket>?
    /// The packet a seek read to find where it landed, sent to the decoder first when `hasAhead`.
    private var aheadPacket: UnsafeMutablePointer<AVPacket>?
    private var hasAhead = false
    /// Video packets given to the decoder so far (skipped ones included): what reaching a frame cost.
    public private(set) var packetsSent = 0
    private var decoded: UnsafeMutablePointer<AVFrame>?
    private let decoder: UnsafePointer<AVCodec>
    /// Decoding threads (FFmpeg's frame and slice threading; 0: FFmpeg chooses).
    public private(set) var threads: Int

    /// Whether frames nothing asked for are skipped when no other frame refers to them (non-reference B-frames):
    /// the decoder never uses such a frame, so skipping it changes no pixel of the frames kept, and it saves a
    /// part of the work of reaching a frame deep in a GOP. A later call asking for a skipped frame seeks back to
    /// its keyframe, so a reader that goes on in order across calls (frame extraction, chunk by chunk) turns this
    /// off: the decoder reads a few packets ahead of the frame it returns. Off when the file has no timestamps
    /// (frames are then placed by counting outputs, which a skipped frame would break).
    public var skipsUnwanted: Bool
    /// Frames the decoder was allowed to skip since the last seek: asking for one of them later means seeking back.
    private var skipped: Set<Int> = []

    /// The last frame the decoder returned; right after a seek to keyframe `k`, `k - 1`.
    private var position = -1

    /// The in-memory file being read (nil for a file on disk); freed after the demuxer.
    private let memory: MemoryInput?

    /// Opens and indexes `path`; `threads` decoding threads (FFmpeg's frame and slice threading; 0 = automatic).
    public convenience init(path: String, threads: Int = 1) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw VideoError(path: path, reason: "video file is missing")
        }
        if isDirectory.boolValue { throw VideoError(path: path, reason: "is a directory, not a video file") }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular
        else { throw VideoError(path: path, reason: "is not a regular file (a device, FIFO or socket), so it is not read as a video") }
        try self.init(opening: path, memory: nil, threads: threads)
    }

    /// Opens and indexes a video held in memory; `name` stands for the file in errors.
    public convenience init(bytes: [UInt8], name: String, threads: Int = 1) throws {
        try self.init(opening: name, memory: MemoryInput(bytes), threads: threads)
    }

    private init(opening path: String, memory: MemoryInput?, threads: Int) throws {
        Self.silenceFFmpeg
        self.path = path
        self.memory = memory
        var context: UnsafeMutablePointer<AVFormatContext>? = avformat_alloc_context()
        if let memory {
            context!.pointee.pb = memory.context
            context!.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        }
        var options: OpaquePointer? = nil
        av_dict_set(&options, "protocol_whitelist", "file", 0)
        av_dict_set(&options, "format_whitelist", Self.demuxers, 0)
        var status = avformat_open_input(&context, memory == nil ? path : "", nil, &options)
        av_dict_free(&options)
        if status < 0 { throw VideoError(path: path, reason: "not a video file Reel can read (\(Self.message(status)))") }
        var scratch: UnsafeMutablePointer<AVPacket>? = av_packet_alloc()
        // Until every stored property is set, a failure frees what was opened here.
        func fail(_ reason: String) -> VideoError {
            avformat_close_input(&context)
            av_packet_free(&scratch)
            return VideoError(path: path, reason: reason)
        }
        status = avformat_find_stream_info(context, nil)
        if status < 0 { throw fail("cannot read the stream information (\(Self.message(status)))") }
        var decoder: UnsafePointer<AVCodec>? = nil
        let best = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        guard best >= 0, let videoStream = context!.pointee.streams[Int(best)] else { throw fail("has no video stream") }
        let parameters = videoStream.pointee.codecpar!
        let name = String(cString: avcodec_get_name(parameters.pointee.codec_id))
        guard let decoder else { throw fail("its video codec (\(name)) is not supported by this FFmpeg build") }
        let w = Int(parameters.pointee.width), h = Int(parameters.pointee.height)
        guard w > 0, h > 0, w <= Self.maxSide, h <= Self.maxSide, w * h <= Self.maxPixels else {
            throw fail("video is \(w)x\(h); videos must be 1 to \(Self.maxSide) pixels per side and at most \(Self.maxPixels) pixels")
        }

        // Discard the other streams while demuxing: their packets are never read.
        for s in 0..<Int(context!.pointee.nb_streams) where s != Int(best) {
            context!.pointee.streams[s]!.pointee.discard = AVDISCARD_ALL
        }

        // The index: every presented video packet's timestamp. Packets the container marks as discarded (an edit
        // list cutting them) are not frames: the decoder drops them too.
        let noTimestamp = reel_av_nopts_value()
        var timestamps: [Int64] = []
        var keys: [(pts: Int64, seek: Int64)] = []
        var complete = true
        let p = scratch!
        while true {
            status = av_read_frame(context, p)
            if status < 0 { break }
            defer { av_packet_unref(p) }
            guard p.pointee.stream_index == best, p.pointee.flags & AV_PKT_FLAG_DISCARD == 0 else { continue }
            // A packet without a presentation timestamp (AVI, raw streams): frames are then counted in the
            // decoder's output order, which is presentation order.
            if p.pointee.pts == noTimestamp { complete = false }
            timestamps.append(p.pointee.pts)
            if p.pointee.flags & AV_PKT_FLAG_KEY != 0 { keys.append((p.pointee.pts, p.pointee.dts != noTimestamp ? p.pointee.dts : p.pointee.pts)) }
            if timestamps.count > Self.maxFrames { throw fail("has more than \(Self.maxFrames) frames") }
        }
        if status != reel_averror_eof() && timestamps.isEmpty { throw fail("cannot read the video (\(Self.message(status)))") }
        guard !timestamps.isEmpty else { throw fail("video has no frames") }
        var lookup: [Int64: Int] = [:]
        var keyed: [(Int, Int64)] = []
        if complete {
            timestamps.sort()
            lookup.reserveCapacity(timestamps.count)
            for (i, t) in timestamps.enumerated() where lookup[t] == nil { lookup[t] = i }
            keyed = keys.compactMap { k in lookup[k.pts].map { ($0, k.seek) } }.sorted { $0.0 < $1.0 }
        } else {
            // Without timestamps a keyframe's place in presentation order is unknown: decode from the start.
            timestamps = Array(0..<Int64(timestamps.count))
        }

        // From here on deinit frees everything.
        format = context
        packet = p
        decoded = av_frame_alloc()
        aheadPacket = av_packet_alloc()
        stream = best
        width = w
        height = h
        codecName = name
        containerFrameCount = Int(max(0, videoStream.pointee.nb_frames))
        let rate = videoStream.pointee.avg_frame_rate
        frameRate = rate.den > 0 ? Double(rate.num) / Double(rate.den) : 0
        presentation = timestamps
        frameOfTimestamp = lookup
        keyframes = keyed.map(\.0)
        keyframeSeekTimestamps = keyed.map(\.1)
        self.decoder = decoder
        self.threads = threads
        skipsUnwanted = !lookup.isEmpty
        try openDecoder()
        try seek(toFrame: 0)
    }

    deinit {
        if scaler != nil { sws_freeContext(scaler) }
        avcodec_free_context(&codec)
        avformat_close_input(&format)
        av_packet_free(&packet)
        av_packet_free(&aheadPacket)
        av_frame_free(&decoded)
    }

    /// Uses `count` decoding threads from now on (reopening the decoder if that changes the count).
    public func setThreads(_ count: Int) throws {
        guard count != threads else { return }
        threads = count
        try openDecoder()
        try seek(toFrame: 0)
    }

    private func openDecoder() throws {
        avcodec_free_context(&codec)
        guard let c = avcodec_alloc_context3(decoder) else { throw VideoError(path: path, reason: "cannot make a decoder") }
        codec = c
        let videoStream = format!.pointee.streams[Int(stream)]!
        avcodec_parameters_to_context(c, videoStream.pointee.codecpar)
        c.pointee.thread_count = Int32(max(0, threads))
        c.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
        c.pointee.pkt_timebase = videoStream.pointee.time_base
        let status = avcodec_open2(c, decoder, nil)
        if status < 0 { throw VideoError(path: path, reason: "cannot open the \(codecName) decoder (\(Self.message(status)))") }
    }

    /// The keyframe at or before frame `index` (the frame decord's and PyAV's 'efficient' seeking lands on).
    public func keyframe(atOrBefore index: Int) -> Int {
        var lo = 0, hi = keyframes.count - 1, found = 0
        while lo <= hi {
            let mid = (lo + hi) / 2
            if keyframes[mid] <= index { found = keyframes[mid]; lo = mid + 1 } else { hi = mid - 1 }
        }
        return found
    }

    /// Decodes exactly the frames `indices` names (any order, repeats allowed), each decoded once.
    public func frames(_ indices: [Int]) throws -> [Frame] {
        if let bad = indices.first(where: { $0 < 0 || $0 >= frameCount }) {
            throw VideoError(path: path, reason: "frame index \(bad) is out of range: the video has \(frameCount) frames (0 to \(frameCount - 1))")
        }
        var got: [Int: Frame] = [:]
        for index in Set(indices).sorted() where got[index] == nil {
            try decode(upTo: index, keeping: Set(indices), into: &got)
        }
        return indices.map { got[$0]! }
    }

    /// Decodes forward until frame `target` is out, keeping every wanted frame passed on the way. Seeks first when
    /// the target's keyframe lies beyond the decoder's position (or behind it), or when the target was skipped.
    private func decode(upTo target: Int, keeping wanted: Set<Int>, into got: inout [Int: Frame]) throws {
        let key = keyframe(atOrBefore: target)
        if position >= target || position < key - 1 || skipped.contains(target) { try seek(toFrame: key) }
        let decoded = self.decoded!, packet = self.packet!
        var sinceOutput = 0
        var flushed = false
        while true {
            // Drain every frame the decoder has ready.
            while true {
                let status = avcodec_receive_frame(codec, decoded)
                if status == reel_averror_eagain() { break }
                if status == reel_averror_eof() {
                    throw VideoError(path: path, reason: "frame \(target) could not be decoded: the decoder ended "
                                     + "after frame \(position) of \(frameCount)")
                }
                if status < 0 { throw VideoError(path: path, reason: "cannot decode frame \(target) (\(Self.message(status)))") }
                defer { av_frame_unref(decoded) }
                sinceOutput = 0
                let index = frameIndex(of: decoded)
                position = index
                if wanted.contains(index), got[index] == nil { got[index] = try rgb(decoded, index: index) }
                if index >= target {
                    if got[target] == nil {
                        throw VideoError(path: path, reason: "frame \(target) could not be decoded (the decoder skipped from "
                                         + "before it to frame \(index))")
                    }
                    return
                }
            }
            guard !flushed else { continue }
            var status: Int32 = 0
            if hasAhead {
                av_packet_move_ref(packet, aheadPacket)
                hasAhead = false
            } else {
                status = av_read_frame(format, packet)
            }
            if status < 0 {
                // End of file: flush the decoder for the frames it still holds.
                avcodec_send_packet(codec, nil)
                flushed = true
                continue
            }
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == stream else { continue }
            codec!.pointee.skip_frame = AVDISCARD_DEFAULT
            if skipsUnwanted, let index = skippable(packet, wanted, got) {
                codec!.pointee.skip_frame = AVDISCARD_NONREF
                skipped.insert(index)
            }
            packetsSent += 1
            let sent = avcodec_send_packet(codec, packet)
            // A damaged packet is skipped as FFmpeg's tools skip it; the frame it held is then missing, which is
            // an error only if it was wanted (and the progress limit ends a file of nothing but damage).
            if sent < 0 && sent != reel_averror_eagain() { sinceOutput += 1 }
            sinceOutput += 1
            if sinceOutput > 1024 {
                throw VideoError(path: path, reason: "decoding stopped making progress before frame \(target) "
                                 + "(1024 packets without a frame)")
            }
        }
    }

    /// The frame `packet` holds if the decoder may skip it (one not wanted); nil for a frame Reel cannot place.
    private func skippable(_ packet: UnsafeMutablePointer<AVPacket>, _ wanted: Set<Int>, _ got: [Int: Frame]) -> Int? {
        let t = packet.pointee.pts
        guard t != reel_av_nopts_value(), let index = frameOfTimestamp[t] else { return nil }
        return wanted.contains(index) && got[index] == nil ? nil : index
    }

    /// Positions the demuxer at keyframe `index`'s packet and empties the decoder.
    ///
    /// Demuxers differ in the timestamp they seek by (mov and Matroska by presentation time, most others by
    /// decoding time), and a seek that lands on an earlier keyframe is still exact, only slow: with B-frames, mov
    /// given a keyframe's decoding time lands at the start of the file. So both timestamps are tried and the first
    /// video packet after each tells where it landed: exactly on the keyframe wins; else a keyframe before it;
    /// else the start of the file.
    private func seek(toFrame index: Int) throws {
        avcodec_flush_buffers(codec)
        skipped.removeAll(keepingCapacity: true)
        position = index - 1
        if let k = keyframes.firstIndex(of: index) {
            var earlier: Int64?
            for timestamp in [presentation[index], keyframeSeekTimestamps[k]] {
                guard av_seek_frame(format, stream, timestamp, AVSEEK_FLAG_BACKWARD) >= 0 else { continue }
                guard let landed = readAhead() else { continue }
                if landed == index { return }
                if landed < index { earlier = timestamp }
            }
            if let earlier, av_seek_frame(format, stream, earlier, AVSEEK_FLAG_BACKWARD) >= 0, readAhead() != nil { return }
        }
        clearReadAhead()
        var status = avformat_seek_file(format, -1, Int64.min, Int64.min, Int64.min, 0)
        if status < 0 { status = av_seek_frame(format, -1, 0, AVSEEK_FLAG_BYTE) }
        if status < 0 { throw VideoError(path: path, reason: "cannot seek to frame \(index) (\(Self.message(status)))") }
        position = -1
    }

    /// Reads on to the next video packet and keeps it for the decoder (`aheadPacket`); its frame index if it is a
    /// keyframe Reel can place, else nil.
    private func readAhead() -> Int? {
        clearReadAhead()
        let p = aheadPacket!
        while av_read_frame(format, p) >= 0 {
            guard p.pointee.stream_index == stream else { av_packet_unref(p); continue }
            hasAhead = true
            guard p.pointee.flags & AV_PKT_FLAG_KEY != 0, p.pointee.pts != reel_av_nopts_value() else { return nil }
            return frameOfTimestamp[p.pointee.pts]
        }
        return nil
    }

    private func clearReadAhead() {
        av_packet_unref(aheadPacket)
        hasAhead = false
    }

    /// The index of a decoded frame: from its timestamp, or the one after the previous frame when the file has no
    /// timestamps or the decoder gave none.
    private func frameIndex(of frame: UnsafeMutablePointer<AVFrame>) -> Int {
        let t = frame.pointee.best_effort_timestamp
        if !frameOfTimestamp.isEmpty, t != reel_av_nopts_value(), let i = frameOfTimestamp[t] { return i }
        return min(position + 1, frameCount - 1)
    }

    /// The decoded frame as packed RGB24, converted by libswscale (bilinear flags, as PyAV's `to_rgb()`) with the
    /// frame's own YUV matrix (BT.709, BT.601, …) and range, as decord and PyAV convert it.
    ///
    /// swscale writes into a padded buffer first: its SIMD YUV→RGB converters work in blocks of 8 pixels and (FFmpeg
    /// 5.1) either skip the last `width % 8` pixels of a row whose stride has no room for a whole block, leaving
    /// them black, or store a block past the end of the last row, corrupting the heap. FFmpeg expects destinations
    /// as av_image_alloc makes them; `scratch` is one, and the rows are then copied out tight.
    private func rgb(_ frame: UnsafeMutablePointer<AVFrame>, index: Int) throws -> Frame {
        let w = frame.pointee.width, h = frame.pointee.height
        guard Int(w) == width, Int(h) == height else {
            throw VideoError(path: path, reason: "frame \(index) is \(w)x\(h) but the video is \(width)x\(height); "
                             + "videos whose frame size changes are not supported")
        }
        let source = ScalerSource(width: w, height: h, format: frame.pointee.format,
                                  colorspace: Int32(frame.pointee.colorspace.rawValue),
                                  fullRange: frame.pointee.color_range == AVCOL_RANGE_JPEG)
        if scaler == nil || scalerSource != source {
            if scaler != nil { sws_freeContext(scaler) }
            scaler = sws_getContext(w, h, AVPixelFormat(frame.pointee.format), w, h, AV_PIX_FMT_RGB24, SWS_BILINEAR, nil, nil, nil)
            scalerSource = source
            guard scaler != nil else {
                let name = av_get_pix_fmt_name(AVPixelFormat(frame.pointee.format)).map { String(cString: $0) } ?? "unknown"
                throw VideoError(path: path, reason: "cannot convert its pixel format (\(name)) to RGB")
            }
            // sws_getCoefficients maps an unknown or unspecified colorspace to BT.601, swscale's default. The
            // deprecated full-range formats (yuvj420p) are full range whatever the flag says; swscale knows them.
            var inverse: UnsafeMutablePointer<Int32>? = nil, table: UnsafeMutablePointer<Int32>? = nil
            var sourceRange: Int32 = 0, destinationRange: Int32 = 0, brightness: Int32 = 0, contrast: Int32 = 0, saturation: Int32 = 0
            if sws_getColorspaceDetails(scaler, &inverse, &sourceRange, &table, &destinationRange, &brightness, &contrast,
                                        &saturation) >= 0, let table {
                _ = sws_setColorspaceDetails(scaler, sws_getCoefficients(source.colorspace), source.fullRange ? 1 : sourceRange,
                                             UnsafePointer(table), destinationRange, brightness, contrast, saturation)
            }
        }
        // swscale's vector paths write whole blocks past a row's end, and FFmpeg 5.1's YUV→RGB converter skips a
        // row's last `width % 8` pixels when the stride has no room for a whole 8-pixel block: convert into a padded
        // scratch buffer (rows of the width rounded up to 16 pixels, 64-byte aligned, one spare row), then pack.
        let stride = (((width + 15) & ~15) * 3 + 63) & ~63
        let needed = stride * (height + 1) + 64
        if scratch.count < needed { scratch = [UInt8](repeating: 0, count: needed) }
        scratch.withUnsafeMutableBufferPointer { out in
            var destination: [UnsafeMutablePointer<UInt8>?] = [out.baseAddress, nil, nil, nil]
            var strides: [Int32] = [Int32(stride), 0, 0, 0]
            withUnsafePointer(to: &frame.pointee.data) { data in
                withUnsafePointer(to: &frame.pointee.linesize) { lines in
                    data.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { src in
                        lines.withMemoryRebound(to: Int32.self, capacity: 8) { srcStride in
                            _ = sws_scale(scaler, src, srcStride, 0, h, &destination, &strides)
                        }
                    }
                }
            }
        }
        let row = width * 3
        let pixels = [UInt8](unsafeUninitializedCapacity: row * height) { buffer, count in
            scratch.withUnsafeBufferPointer { src in
                for y in 0..<height { (buffer.baseAddress! + y * row).update(from: src.baseAddress! + y * stride, count: row) }
            }
            count = row * height
        }
        return Frame(width: width, height: height, pixels: pixels)
    }

    /// What the scaler was made for: a frame differing in any of these needs a new one.
    private struct ScalerSource: Equatable {
        var width: Int32, height: Int32, format: Int32, colorspace: Int32, fullRange: Bool
    }

    static func message(_ status: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        av_strerror(status, &buffer, buffer.count)
        return String(cString: buffer)
    }
}

