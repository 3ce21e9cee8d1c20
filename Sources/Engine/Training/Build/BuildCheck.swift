import Config
import EngineCore
import EngineData
import Foundation

/// `reel config check --build`: builds a config's model and pipelines and runs them once on a synthetic clip, so a
/// user learns before training whether the config runs — not only whether it reads.
///
/// The clip is 64 frames of 340×256 (a Kinetics rawframe size) written as JPEG files under `scratch`, named by the
/// dataset's `filename_tmpl` from its `start_index` (for a `VideoDataset`, one h264 .mp4 file), so every pipeline
/// step runs on real files as in training. Then:
/// the train pipeline's output goes through one training step (forward, loss, backward) and one view of the test
/// pipeline's output (the val one's without `data.test`) through an inference forward. Both must give finite numbers.
/// `pretrained=` URLs are read as warnings here (`ReadLog.PretrainedURLs.noted`), so the network starts from scratch.
public enum BuildCheck {
    /// What ran, one line each, for `config check --build` to print.
    public struct Report: Sendable {
        public var lines: [String] = []
    }

    /// A failure the check found after the config read cleanly (a pipeline that cannot run on the clip, a non-finite
    /// output).
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    static let frames = 64, width = 340, height = 256

    public static func run(_ spec: RunSpec, scratch: String) throws -> Report {
        var report = Report()
        let model = try build(spec.model, into: &report)

        let train = try output(of: spec.train, scratch: scratch)
        let start = DispatchTime.now().uptimeNanoseconds
        model.applyMode(training: true)
        // Class 0 as the synthetic clip's label (its one label set for a multi_class dataset).
        let step = model.trainStep(train.reshaped([1] + train.shape), targets: spec.train.dataset.multiClass ? .labelSets([[0]]) : .classes([0]))
        guard step.loss.isFinite else { throw Failure(message: "the train step's loss is \(step.loss) on the synthetic clip") }
        report.lines.append("train pipeline: input \([1] + train.shape); one step (forward, loss, backward): "
                            + String(format: "loss %.4f in %.2f s", step.loss, seconds(since: start)))

        // OmniSource's auxiliary sources: each pipeline's output through a training step too.
        for (k, aux) in spec.auxiliaryTrain.enumerated() {
            let name = "data.train[\(k + 1)]"
            let imgs = try output(of: aux, scratch: scratch, name: name)
            let t0 = DispatchTime.now().uptimeNanoseconds
            let step = model.trainStep(imgs.reshaped([1] + imgs.shape), targets: aux.dataset.multiClass ? .labelSets([[0]]) : .classes([0]))
            guard step.loss.isFinite else { throw Failure(message: "\(name)'s train step's loss is \(step.loss) on the synthetic input") }
            report.lines.append("\(name) (\(aux.dataset.kind.rawValue)) pipeline: input \([1] + imgs.shape); one step: "
                                + String(format: "loss %.4f in %.2f s", step.loss, seconds(since: t0)))
        }

        let testSpec = try spec.data.has(.test) ? spec.data.spec(.test) : spec.val
        guard let testSpec else { return report }
        report.lines.append(try testForward(model, testSpec, scratch: scratch))
        return report
    }

    /// The model as training builds it (pretrained files loaded), with its size and the loading notes in `report`.
    static func build(_ spec: ModelSpec, into report: inout Report) throws -> any Recognizer {
        var notes: [String] = []
        let model = try ModelBuilder.build(spec, seed: 0, notes: { notes.append($0) })
        let params = model.namedParameters().reduce(0) { $0 + $1.1.value.count }
        report.lines.append("model: \(spec.recognizer.rawValue), \(spec.backbone.name), \(spec.head.name): "
                            + String(format: "%.2f M parameters", Double(params) / 1e6))
        report.lines += notes.map { "note: \($0)" }
        return model
    }

    /// A test-only config (`TestSpec.isTestOnly`: no `data.train`, as mmaction2's tools/test.py configs): the model
    /// and one view of the test split's pipeline output through an inference forward — what `reel test` runs.
    public static func runTest(_ spec: TestSpec, scratch: String) throws -> Report {
        var report = Report()
        let model = try build(spec.model, into: &report)
        report.lines.append(spec.model.head.extractsFeatures
            ? "note: a feature extractor (no cls_head): `reel infer CONFIG CKPT VIDEO --json` gives a video's features"
            : "note: a test-only config (no data.train): built as `reel test` reads it; `reel train` needs "
                + "data.train, an optimizer and total_epochs")
        report.lines.append(try testForward(model, spec.data, scratch: scratch))
        return report
    }

    /// One view of the split's pipeline output on the synthetic clip through an inference forward; its report line.
    static func testForward(_ model: any Recognizer, _ testSpec: DataSpec, scratch: String) throws -> String {
        let sample = try pipelineOutput(testSpec, scratch: scratch)
        let views = sample.numCrops
        let imgs = sample.imgs!
        // One view: a 3-D input has a row per clip and crop; a 2-D one has the frames of all clips, crop-major, and a
        // 2-D head reads a crop's frames together.
        let one = slice(imgs, rows: imgs.rank == 5 ? 1 : imgs.shape[0] / max(1, views))
        model.applyMode(training: false)
        let t0 = DispatchTime.now().uptimeNanoseconds
        let scores = model.predict(one.reshaped([1] + one.shape))
        guard scores.scalars.allSatisfy(\.isFinite) else { throw Failure(message: "the test forward gave non-finite scores") }
        return "\(testSpec.split.rawValue) pipeline: input \(imgs.shape) (\(views) crop\(views == 1 ? "" : "s")); "
            + "one view \(one.shape) forwarded: \(scores.shape[1]) \(model.headModule is FeatureHead ? "features" : "scores") in "
            + String(format: "%.2f s", seconds(since: t0))
    }

    /// The split's pipeline output for the synthetic clip (one video).
    static func output(of data: DataSpec, scratch: String, name: String? = nil) throws -> Tensor {
        try pipelineOutput(data, scratch: scratch, name: name).imgs!
    }

    /// `name`: how errors name the dataset (default `data.<split>`).
    static func pipelineOutput(_ data: DataSpec, scratch: String, name: String? = nil) throws -> PipelineSample {
        let d = data.dataset
        let name = name ?? "data.\(data.split.rawValue)"
        var dir = (scratch as NSString).appendingPathComponent("video_" + name.filter { $0.isLetter || $0.isNumber })
        switch d.kind {
        case .videos, .rawVideos:
            // A raw video's item is one of its clip files: the synthetic video stands for that clip.
            dir += ".mp4"
            try writeVideo(to: dir)
        case .images:
            dir += ".jpg"
            try JPEGDecoder.encode(clipFrame(0), quality: 85).write(to: URL(fileURLWithPath: dir))
        case .rawframes:
            try writeClip(to: dir, template: d.filenameTemplate, startIndex: d.startIndex)
        }
        var sample = PipelineSample(frameDir: dir, totalFrames: frames, labels: [0])
        sample.startIndex = d.startIndex
        sample.filenameTemplate = d.filenameTemplate
        var rng = Philox(seed: 0, stream: 0xB11D)
        let out: PipelineSample
        do {
            out = try d.pipeline.run(sample, rng: &rng, workspace: PipelineWorkspace())
        } catch {
            throw Failure(message: "\(name).pipeline fails on a synthetic \(d.kind == .images ? "" : "\(frames)-frame ")\(width)x\(height) "
                          + "\(d.kind == .images ? "image" : "clip"): \(error)")
        }
        guard out.inputFormat != nil, let imgs = out.imgs, imgs.rank >= 4 else {
            throw Failure(message: "\(name).pipeline does not end in model input (FormatShape NCHW or NCTHW)")
        }
        return out
    }

    /// Frame `t` of the clip: a moving colour gradient, so every crop and flip sees structure.
    static func clipFrame(_ t: Int) -> Frame {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                pixels[i] = UInt8((x + 3 * t) & 255)
                pixels[i + 1] = UInt8((y + 2 * t) & 255)
                pixels[i + 2] = UInt8((x + y) & 255)
            }
        }
        return Frame(width: width, height: height, pixels: pixels)
    }

    static func writeClip(to dir: String, template: String, startIndex: Int) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for t in 0..<frames {
            let jpeg = try JPEGDecoder.encode(clipFrame(t), quality: 85)
            let name = FilenameTemplate.format(template, startIndex + t)
            try jpeg.write(to: URL(fileURLWithPath: (dir as NSString).appendingPathComponent(name)))
        }
    }

    static func writeVideo(to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let encoder = try VideoEncoder(path: path, width: width, height: height)
        for t in 0..<frames { try encoder.append(clipFrame(t)) }
        try encoder.finish()
    }

    /// The first `rows` entries along the leading axis.
    static func slice(_ t: Tensor, rows: Int) -> Tensor {
        let per = t.count / t.shape[0]
        var out = Tensor(uninitialized: [rows] + t.shape.dropFirst())
        t.withData { src in out.withMutableData { $0.update(from: src, count: rows * per) } }
        return out
    }

    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}
