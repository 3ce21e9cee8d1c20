import Foundation
import Synchronization
import EngineCore

/// What `reel data demo` generates.
public struct DemoDatasetSpec: Sendable, Equatable {
    /// Number of classes, taken in `MotionClass` order (2…8; pairs work best).
    public var classes = 8
    public var videosPerClass = 40
    public var frames = 16
    public var width = 64, height = 64
    public var seed: UInt64 = 0
    /// Share of each class's videos that go to the val split.
    public var valFraction = 0.25
    public var jpegQuality = 90
    /// Write the rawframe layout (`rawframes/`, `train_list.txt`, `val_list.txt`).
    public var rawframes = true
    /// Write the same frames as h264 videos (`videos/`, `train_list_videos.txt`, `val_list_videos.txt`).
    public var videos = false
    public init() {}
}

public struct DemoDatasetSummary: Sendable, Equatable {
    public var trainVideos: Int
    public var valVideos: Int
    public var frames: Int
    public var bytes: Int
}

/// Reel's synthetic action dataset, in mmaction2's rawframe layout:
/// `DIR/rawframes/video_00000/img_00001.jpg …`, `DIR/train_list.txt` and `DIR/val_list.txt` (`frame_dir
/// total_frames label`), `DIR/classes.txt`; and/or (`spec.videos`) as VideoDataset videos of the same frames:
/// `DIR/videos/video_00000.mp4` (h264, 30 fps, yuv420p; yuv444p for an odd size, which 4:2:0 cannot hold),
/// `DIR/train_list_videos.txt` and `DIR/val_list_videos.txt` (`videos/video_00000.mp4 label`, relative to `DIR`,
/// the video config's `data_prefix`; configs/demo/tsm_r18_video_demo.py reads them).
///
/// Each video: a dark textured background panning in a random direction, one bright main object (a bar with a
/// knob, so its orientation is visible) doing the class's motion, two mid-tone distractor blobs moving at random,
/// and pixel noise.
/// Positions, sizes and angles are drawn so both members of a class pair cover the same range: only the order
/// of the frames tells them apart. Deterministic: video i draws from `Philox(seed).fork(stream: i)`.
public enum DemoDataset {
    public static func write(_ spec: DemoDatasetSpec, to dir: String, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> DemoDatasetSummary {
        precondition((2...MotionClass.allCases.count).contains(spec.classes) && spec.videosPerClass > 0 && spec.frames > 0)
        let fm = FileManager.default
        if spec.rawframes { try fm.createDirectory(atPath: dir + "/rawframes", withIntermediateDirectories: true) }
        if spec.videos { try fm.createDirectory(atPath: dir + "/videos", withIntermediateDirectories: true) }
        let total = spec.classes * spec.videosPerClass
        let valPerClass = max(1, Int((Double(spec.videosPerClass) * spec.valFraction).rounded()))
        // Video i has class i % classes; the last `valPerClass` videos of each class go to val.
        let labels = (0..<total).map { $0 % spec.classes }
        let isVal = (0..<total).map { $0 / spec.classes >= spec.videosPerClass - valPerClass }
        // Bytes written, videos done and the first failure, shared by the writer threads.
        let tally = Mutex<(bytes: Int, done: Int, failure: (any Error)?)>((0, 0, nil))
        DispatchQueue.concurrentPerform(iterations: total) { i in
            do {
                let name = String(format: "video_%05d", i)
                let videoDir = dir + "/rawframes/" + name
                if spec.rawframes { try fm.createDirectory(atPath: videoDir, withIntermediateDirectories: true) }
                var rng = Philox(seed: spec.seed).fork(stream: UInt64(i))
                let scene = Scene(motion: MotionClass(rawValue: labels[i])!, spec: spec, rng: &rng)
                let videoFile = dir + "/videos/" + name + ".mp4"
                let encoder = spec.videos ? try VideoEncoder(path: videoFile, width: spec.width, height: spec.height,
                                                             settings: DemoDataset.videoSettings(spec)) : nil
                var written = 0
                for t in 0..<spec.frames {
                    let frame = scene.render(frame: t, rng: &rng)
                    if spec.rawframes {
                        let jpeg = try JPEGDecoder.encode(frame, quality: spec.jpegQuality)
                        try jpeg.write(to: URL(fileURLWithPath: videoDir + String(format: "/img_%05d.jpg", t + 1)))
                        written += jpeg.count
                    }
                    try encoder?.append(frame)
                }
                if let encoder {
                    try encoder.finish()
                    written += (try? fm.attributesOfItem(atPath: videoFile)[.size] as? Int) ?? 0
                }
                let done = tally.withLock { t in t.bytes += written; t.done += 1; return t.done }
                progress?(done, total)
            } catch {
                tally.withLock { t in t.failure = t.failure ?? error }
            }
        }
        let (bytes, _, failure) = tally.withLock { t in (t.bytes, t.done, t.failure) }
        if let failure { throw failure }
        func list(_ val: Bool) -> String {
            (0..<total).filter { isVal[$0] == val }.map { String(format: "video_%05d %d %d\n", $0, spec.frames, labels[$0]) }.joined()
        }
        if spec.rawframes {
            try list(false).write(toFile: dir + "/train_list.txt", atomically: true, encoding: .utf8)
            try list(true).write(toFile: dir + "/val_list.txt", atomically: true, encoding: .utf8)
        }
        if spec.videos {
            func videoList(_ val: Bool) -> String {
                (0..<total).filter { isVal[$0] == val }.map { String(format: "videos/video_%05d.mp4 %d\n", $0, labels[$0]) }.joined()
            }
            try videoList(false).write(toFile: dir + "/train_list_videos.txt", atomically: true, encoding: .utf8)
            try videoList(true).write(toFile: dir + "/val_list_videos.txt", atomically: true, encoding: .utf8)
        }
        try (MotionClass.allCases.prefix(spec.classes).map(\.name).joined(separator: "\n") + "\n")
            .write(toFile: dir + "/classes.txt", atomically: true, encoding: .utf8)
        let val = isVal.filter { $0 }.count
        return DemoDatasetSummary(trainVideos: total - val, valVideos: val, frames: total * spec.frames, bytes: bytes)
    }
}

extension DemoDataset {
    /// The demo videos' encoding: h264 at CRF 18 (`VideoEncoder`'s default; x264's own is 23), a keyframe every 8
    /// frames so clip sampling exercises seeking; 4:2:0 chroma unless a side is odd (libx264 needs even sizes for it).
    static func videoSettings(_ spec: DemoDatasetSpec) -> VideoEncoder.Settings {
        var settings = VideoEncoder.Settings()
        settings.codec = "h264"
        settings.keyframeInterval = 8
        settings.pixelFormat = spec.width % 2 == 0 && spec.height % 2 == 0 ? "yuv420p" : "yuv444p"
        return settings
    }
}

/// One video's random layout and its renderer.
struct Scene {
    let w: Int, h: Int, frames: Int
    // Background: three oriented sine gratings blended between two colours, panning at (panX, panY) px/frame.
    let gratings: [(fx: Double, fy: Double, phase: Double)]
    let bg0: (Double, Double, Double), bg1: (Double, Double, Double)
    let panX: Double, panY: Double
    // Main object: centre, size, angle per frame.
    let centres: [(Double, Double)], scales: [Double], angles: [Double]
    let length: Double, thickness: Double
    let color: (Double, Double, Double)
    // Distractors.
    let blobs: [(x: Double, y: Double, vx: Double, vy: Double, r: Double, color: (Double, Double, Double))]
    let noise: Double

    init(motion: MotionClass, spec: DemoDatasetSpec, rng: inout Philox) {
        w = spec.width; h = spec.height; frames = spec.frames
        func u(_ a: Double, _ b: Double) -> Double { a + (b - a) * rng.nextDouble() }
        var gratings: [(fx: Double, fy: Double, phase: Double)] = []
        for _ in 0..<3 {
            let angle = u(0, 2 * .pi), freq = u(0.04, 0.16)
            gratings.append((cos(angle) * freq, sin(angle) * freq, u(0, 2 * .pi)))
        }
        self.gratings = gratings
        // Luminance bands: dark background, mid-tone distractors, a bright main object. With hues drawn freely
        // over the whole range, a small network trained from scratch memorises each video's colours instead of
        // learning the motion (train accuracy rises, val stays at chance, in PyTorch as in Reel); a consistent
        // brightness order lets it find the object in every video, so what is left to learn is how it moves.
        func tone(_ lo: Double, _ hi: Double) -> (Double, Double, Double) { (u(lo, hi), u(lo, hi), u(lo, hi)) }
        bg0 = tone(0, 90); bg1 = tone(0, 90)
        let panAngle = u(0, 2 * .pi), panSpeed = u(0, 0.8)
        panX = cos(panAngle) * panSpeed; panY = sin(panAngle) * panSpeed
        let side = Double(min(w, h))
        length = u(0.22, 0.32) * side
        thickness = length * u(0.3, 0.45)
        color = tone(170, 255)
        let n = Double(max(1, frames - 1))
        let margin = length * 0.6
        var centres: [(Double, Double)] = [], scales: [Double] = [], angles: [Double] = []
        let angle0 = u(0, 2 * .pi)
        switch motion {
        case .movingLeft, .movingRight, .movingUp, .movingDown:
            let horizontal = motion == .movingLeft || motion == .movingRight
            let extent = Double(horizontal ? w : h)
            let travel = min(u(2.0, 3.0) * n, extent - 2 * margin - 2)
            // Start so the whole path stays inside; mirrored classes cover the same positions.
            let lo = margin + u(0, max(0, extent - 2 * margin - travel))
            let forward = motion == .movingRight || motion == .movingDown
            let other = u(margin, Double(horizontal ? h : w) - margin)
            for t in 0..<frames {
                let s = lo + travel * (forward ? Double(t) / n : 1 - Double(t) / n)
                centres.append(horizontal ? (s, other) : (other, s))
                scales.append(1); angles.append(angle0)
            }
        case .rotatingClockwise, .rotatingAnticlockwise:
            let speed = u(0.15, 0.25) * (motion == .rotatingClockwise ? 1 : -1)   // radians per frame; +y is down
            let centre = (u(margin, Double(w) - margin), u(margin, Double(h) - margin))
            for t in 0..<frames { centres.append(centre); scales.append(1); angles.append(angle0 + speed * Double(t)) }
        case .zoomingIn, .zoomingOut:
            let small = u(0.45, 0.7), large = u(1.2, 1.5)
            let centre = (u(margin * 1.3, Double(w) - margin * 1.3), u(margin * 1.3, Double(h) - margin * 1.3))
            for t in 0..<frames {
                let f = Double(t) / n
                let s = motion == .zoomingIn ? small * pow(large / small, f) : large * pow(small / large, f)
                centres.append(centre); scales.append(s); angles.append(angle0)
            }
        }
        self.centres = centres; self.scales = scales; self.angles = angles
        var blobs: [(x: Double, y: Double, vx: Double, vy: Double, r: Double, color: (Double, Double, Double))] = []
        for _ in 0..<2 {
            let a = u(0, 2 * .pi), v = u(0.5, 2)
            blobs.append((u(0, Double(spec.width)), u(0, Double(spec.height)), cos(a) * v, sin(a) * v, u(0.05, 0.09) * side, tone(60, 150)))
        }
        self.blobs = blobs
        noise = u(3, 6)
    }

    /// Coverage (0…1) of the main object at pixel centre (x, y): a rounded bar with a knob at its +x end.
    func objectCoverage(_ x: Double, _ y: Double, t: Int) -> Double {
        let (cx, cy) = centres[t], s = scales[t], a = angles[t]
        let dx = x - cx, dy = y - cy
        let lx = (dx * cos(a) + dy * sin(a)) / s, ly = (-dx * sin(a) + dy * cos(a)) / s
        // Signed distance to a box of half-size (length/2, thickness/2), then to a knob circle at the +x end.
        let qx = abs(lx) - length / 2, qy = abs(ly) - thickness / 2
        let box = (max(qx, 0) * max(qx, 0) + max(qy, 0) * max(qy, 0)).squareRoot() + min(max(qx, qy), 0)
        let kx = lx - length / 2, knob = (kx * kx + ly * ly).squareRoot() - thickness * 0.9
        let d = min(box, knob) * s
        return min(1, max(0, 0.5 - d))
    }

    func render(frame t: Int, rng: inout Philox) -> Frame {
        var px = [UInt8](repeating: 0, count: w * h * 3)
        let ox = panX * Double(t), oy = panY * Double(t)
        for y in 0..<h {
            for x in 0..<w {
                let fx = Double(x) + 0.5, fy = Double(y) + 0.5
                var v = 0.0
                for g in gratings { v += sin((fx + ox) * g.fx * 2 * .pi + (fy + oy) * g.fy * 2 * .pi + g.phase) }
                let m = 0.5 + v / 12   // a mild texture: the moving object must stand out
                var r = bg0.0 + (bg1.0 - bg0.0) * m, gg = bg0.1 + (bg1.1 - bg0.1) * m, b = bg0.2 + (bg1.2 - bg0.2) * m
                for blob in blobs {
                    let bx = blob.x + blob.vx * Double(t), by = blob.y + blob.vy * Double(t)
                    let d = ((fx - bx) * (fx - bx) + (fy - by) * (fy - by)).squareRoot() - blob.r
                    let c = min(1, max(0, 0.5 - d))
                    r += (blob.color.0 - r) * c; gg += (blob.color.1 - gg) * c; b += (blob.color.2 - b) * c
                }
                let c = objectCoverage(fx, fy, t: t)
                r += (color.0 - r) * c; gg += (color.1 - gg) * c; b += (color.2 - b) * c
                let i = (y * w + x) * 3
                px[i] = UInt8(clamping: Int((r + Double(rng.nextNormal()) * noise).rounded()))
                px[i + 1] = UInt8(clamping: Int((gg + Double(rng.nextNormal()) * noise).rounded()))
                px[i + 2] = UInt8(clamping: Int((b + Double(rng.nextNormal()) * noise).rounded()))
            }
        }
        return Frame(width: w, height: h, pixels: px)
    }
}
