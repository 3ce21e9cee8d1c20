import CFFmpeg
import Foundation

/// Writes RGB frames to a video file with libavcodec (the container follows the file's extension: .mp4, .mkv,
/// .avi). Used for the synthetic demo videos and by the tests, which make their own videos without an external
/// tool. The file is written to a temporary name and renamed when `finish()` succeeds.
public final class VideoEncoder {
    /// What to encode with.
    public struct Settings: Sendable {
        /// `h264` (libx264) or `mpeg4` (FFmpeg's own MPEG-4 part 2).
        public var codec = "h264"
        public var framesPerSecond = 30
        /// Frames between keyframes (the GOP length).
        public var keyframeInterval = 12
        /// B-frames between reference frames (0: none).
        public var bFrames = 0
        /// x264's constant rate factor / mpeg4's fixed quantiser scale: lower is better quality.
        public var quality = 18
        /// Display-matrix rotation written to the container (degrees, counter-clockwise), as phones record.
        public var rotation: Int? = nil
        /// The chroma layout: `yuv420p` (needs even sizes with h264) or `yuv444p`.
        public var pixelFormat = "yuv420p"
        /// Convert with the BT.709 matrix and tag the stream BT.709 (as HD cameras record) instead of swscale's BT.601.
        public var bt709 = false
        public init() {}
    }

    public let path: String
    public let width: Int, height: Int
    private let settings: Settings
    private let temporary: String
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var stream: UnsafeMutablePointer<AVStream>
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var scaler: OpaquePointer?
    private var nextTimestamp: Int64 = 0
    /// Each frame's duration by timestamp: encoders do not carry it to the packet, and an mp4 whose last packet has
    /// no duration gets an edit list that hides that frame.
    private var durations: [Int64: Int64] = [:]
    private var finished = false

    public init(path: String, width: Int, height: Int, settings: Settings = Settings()) throws {
        VideoReader.silenceFFmpeg
        self.path = path; self.width = width; self.height = height; self.settings = settings
        let ext = (path as NSString).pathExtension
        temporary = ((path as NSString).deletingPathExtension) + ".part-\(getpid()).\(ext)"
        func error(_ reason: String) -> VideoError { VideoError(path: path, reason: reason) }

        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        guard avformat_alloc_output_context2(&context, nil, nil, temporary) >= 0, let context else {
            throw error("no video container for the extension '.\(ext)'")
        }
        format = context
        let encoderName = settings.codec == "h264" ? "libx264" : settings.codec
        guard let encoder = avcodec_find_encoder_by_name(encoderName) else {
            avformat_free_context(context); format = nil
            throw error("this FFmpeg has no '\(encoderName)' encoder")
        }
        guard let s = avformat_new_stream(context, nil), let c = avcodec_alloc_context3(encoder) else {
            avformat_free_context(context); format = nil
            throw error("cannot make a video stream")
        }
        stream = s
        codec = c
        let pixelFormat = av_get_pix_fmt(settings.pixelFormat)
        c.pointee.width = Int32(width)
        c.pointee.height = Int32(height)
        c.pointee.pix_fmt = pixelFormat
        c.pointee.time_base = AVRational(num: 1, den: Int32(settings.framesPerSecond))
        c.pointee.framerate = AVRational(num: Int32(settings.framesPerSecond), den: 1)
        c.pointee.gop_size = Int32(settings.keyframeInterval)
        c.pointee.max_b_frames = Int32(settings.bFrames)
        c.pointee.thread_count = 1
        if settings.bt709 {
            c.pointee.colorspace = AVCOL_SPC_BT709
            c.pointee.color_primaries = AVCOL_PRI_BT709
            c.pointee.color_trc = AVCOL_TRC_BT709
        }
        if context.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 { c.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        var options: OpaquePointer? = nil
        if settings.codec == "h264" {
            av_dict_set(&options, "preset", "veryfast", 0)
            av_dict_set(&options, "crf", String(settings.quality), 0)
            // Keyframes exactly every keyframeInterval frames (no scene-cut keyframes), closed GOPs.
            av_dict_set(&options, "x264-params", "scenecut=0:keyint-min=\(settings.keyframeInterval)", 0)
        } else {
            c.pointee.flags |= AV_CODEC_FLAG_QSCALE
            c.pointee.global_quality = Int32(settings.quality) * FF_QP2LAMBDA
        }
        let opened = avcodec_open2(c, encoder, &options)
        av_dict_free(&options)
        guard opened >= 0 else { throw error("cannot open the \(encoderName) encoder for \(width)x\(height) (\(VideoReader.message(opened)))") }
        avcodec_parameters_from_context(s.pointee.codecpar, c)
        s.pointee.time_base = c.pointee.time_base
        if let degrees = settings.rotation {
            let size = 9 * MemoryLayout<Int32>.size
            if let data = av_stream_new_side_data(s, AV_PKT_DATA_DISPLAYMATRIX, size) {
                data.withMemoryRebound(to: Int32.self, capacity: 9) { av_display_rotation_set($0, Double(degrees)) }
            }
        }
        guard avio_open(&context.pointee.pb, temporary, AVIO_FLAG_WRITE) >= 0 else { throw error("cannot create \(temporary)") }
        let header = avformat_write_header(context, nil)
        guard header >= 0 else { throw error("cannot write the header (\(VideoReader.message(header)))") }
        frame = av_frame_alloc()
        frame!.pointee.format = pixelFormat.rawValue
        frame!.pointee.width = Int32(width)
        frame!.pointee.height = Int32(height)
        guard av_frame_get_buffer(frame, 0) >= 0 else { throw error("out of memory for a frame") }
        packet = av_packet_alloc()
        scaler = sws_getContext(Int32(width), Int32(height), AV_PIX_FMT_RGB24, Int32(width), Int32(height), pixelFormat,
                                SWS_BILINEAR, nil, nil, nil)
        if settings.bt709 {
            var inverse: UnsafeMutablePointer<Int32>? = nil, table: UnsafeMutablePointer<Int32>? = nil
            var sourceRange: Int32 = 0, destinationRange: Int32 = 0, brightness: Int32 = 0, contrast: Int32 = 0, saturation: Int32 = 0
            if sws_getColorspaceDetails(scaler, &inverse, &sourceRange, &table, &destinationRange, &brightness, &contrast,
                                        &saturation) >= 0, let inverse {
                _ = sws_setColorspaceDetails(scaler, UnsafePointer(inverse), sourceRange, sws_getCoefficients(SWS_CS_ITU709),
                                             destinationRange, brightness, contrast, saturation)
            }
        }
    }

    deinit {
        if scaler != nil { sws_freeContext(scaler) }
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&codec)
        if let format {
            if !finished { try? FileManager.default.removeItem(atPath: temporary) }
            if format.pointee.pb != nil { avio_closep(&format.pointee.pb) }
            avformat_free_context(format)
        }
    }

    /// Appends one RGB frame of the video's size; `duration` in frames (>1 makes a variable frame rate).
    public func append(_ rgb: Frame, duration: Int = 1) throws {
        precondition(rgb.width == width && rgb.height == height && rgb.channels == 3, "frame size must match the video")
        guard av_frame_make_writable(frame) >= 0 else { throw VideoError(path: path, reason: "out of memory for a frame") }
        // swscale reads whole vector blocks past a row's end: hand it padded rows.
        let row = width * 3, padded = (row + 63) & ~63
        var rows = [UInt8](repeating: 0, count: padded * (height + 1))
        rgb.pixels.withUnsafeBufferPointer { src in
            rows.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height { (dst.baseAddress! + y * padded).update(from: src.baseAddress! + y * row, count: row) }
            }
        }
        rows.withUnsafeBufferPointer { src in
            var source: [UnsafePointer<UInt8>?] = [src.baseAddress, nil, nil, nil]
            var stride: [Int32] = [Int32(padded), 0, 0, 0]
            withUnsafeMutablePointer(to: &frame!.pointee.data) { data in
                withUnsafeMutablePointer(to: &frame!.pointee.linesize) { lines in
                    data.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { dst in
                        lines.withMemoryRebound(to: Int32.self, capacity: 8) { dstStride in
                            _ = sws_scale(scaler, &source, &stride, 0, Int32(height), dst, dstStride)
                        }
                    }
                }
            }
        }
        frame!.pointee.pts = nextTimestamp
        durations[nextTimestamp] = Int64(max(1, duration))
        nextTimestamp += Int64(max(1, duration))
        try send(frame)
    }

    /// Flushes the encoder, writes the trailer and renames the file into place.
    public func finish() throws {
        try send(nil)
        let trailer = av_write_trailer(format)
        guard trailer >= 0 else { throw VideoError(path: path, reason: "cannot write the trailer (\(VideoReader.message(trailer)))") }
        avio_closep(&format!.pointee.pb)
        guard rename(temporary, path) == 0 else { throw VideoError(path: path, reason: "cannot rename \(temporary) into place") }
        finished = true
    }

    private func send(_ frame: UnsafeMutablePointer<AVFrame>?) throws {
        var status = avcodec_send_frame(codec, frame)
        guard status >= 0 else { throw VideoError(path: path, reason: "cannot encode (\(VideoReader.message(status)))") }
        while true {
            status = avcodec_receive_packet(codec, packet)
            if status == reel_averror_eagain() || status == reel_averror_eof() { return }
            guard status >= 0 else { throw VideoError(path: path, reason: "cannot encode (\(VideoReader.message(status)))") }
            packet!.pointee.duration = durations.removeValue(forKey: packet!.pointee.pts) ?? 1
            av_packet_rescale_ts(packet, codec!.pointee.time_base, stream.pointee.time_base)
            packet!.pointee.stream_index = stream.pointee.index
            let written = av_interleaved_write_frame(format, packet)
            guard written >= 0 else { throw VideoError(path: path, reason: "cannot write (\(VideoReader.message(written)))") }
        }
    }
}
