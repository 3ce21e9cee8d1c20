import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation

/// One reader of untrusted input, driven by the fuzzer with arbitrary bytes.
///
/// Each target feeds the bytes to the same public entry points `reel` uses on user files, in memory (no file is read
/// or written), and then renders what it got back, so a crash in the printers counts too. A thrown error is the
/// expected outcome for most inputs; only a trap, a signal, a hang or runaway memory is a finding.
enum FuzzTarget: String, CaseIterable {
    case config
    case cfgOptions = "cfg-options"
    case safetensors
    case pth
    case jpeg
    case annotations
    case video

    func run(_ bytes: [UInt8]) {
        switch self {
        case .config: Self.config(bytes)
        case .cfgOptions: Self.cfgOptions(bytes)
        case .safetensors: Self.safetensors(bytes)
        case .pth: Self.pth(bytes)
        case .jpeg: Self.jpeg(bytes)
        case .annotations: Self.annotations(bytes)
        case .video: Self.video(bytes)
        }
    }

    /// The base config every fuzzed config may inherit from (`_base_ = 'base.py'`), kept in memory.
    static let baseConfig = """
        model = dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18), cls_head=dict(num_classes=8))
        optimizer = dict(type='SGD', lr=0.01, momentum=0.9)
        img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)
        train_pipeline = [dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8),
                          dict(type='Normalize', **img_norm_cfg)]
        data = dict(videos_per_gpu=8, train=dict(type='RawframeDataset', pipeline=train_pipeline))
        total_epochs = 4
        """

    /// Loads `/fuzz/main.py` = the input, with `/fuzz/base.py` available as a base, then prints it every way `reel`
    /// can (mm-style Python, JSON, the dashboard's one-line form).
    static func config(_ bytes: [UInt8], cfgOptions: [String] = []) {
        let text = String(decoding: bytes, as: UTF8.self)
        let files = ["/fuzz/main.py": text, "/fuzz/base.py": baseConfig]
        let loader = ConfigLoader(read: { files[$0] })
        guard let config = try? loader.load("/fuzz/main.py", cfgOptions: cfgOptions) else { return }
        _ = PrettyText.render(config.root)
        _ = JSONText.render(config.root)
        _ = SchemaChecker.check(config)
        for entry in config.root { _ = PrettyText.inline(entry.value) }
    }

    /// `--cfg-options` tokens (one per line) applied to the base config.
    static func cfgOptions(_ bytes: [UInt8]) {
        let tokens = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        for token in tokens { _ = try? CfgOptions.parseValue(token) }
        config(Array("_base_ = 'base.py'\n".utf8), cfgOptions: tokens)
    }

    /// A checkpoint file, read as `--resume-from` reads it: the safetensors container, Reel's metadata, the weights
    /// into a tiny TSM model and the optimizer state into its SGD optimizer, and the finiteness check.
    static func safetensors(_ bytes: [UInt8]) {
        let path = "fuzz.safetensors"
        guard let file = try? SafeTensors.decode(Data(bytes), path: path) else { return }
        _ = try? CheckpointStore.metadata(of: file, path: path)
        _ = CheckpointStore.nonFiniteTensors(in: file)
        guard let (model, optimizer) = try? TinyModel.make() else { return }
        CheckpointStore.loadWeights(into: model, from: file)
        _ = try? CheckpointStore.restoreOptimizer(optimizer, from: file, path: path, maxStep: 1_000)
    }

    /// A PyTorch checkpoint, read as `load_from`, `reel test` and `reel convert` read one: the zip or legacy container,
    /// the restricted unpickler, the tensors, the weights into the tiny model, and written back as `.pth` (the bytes
    /// sniffed as a `.pth` first, so the fuzzer spends its time in this reader, not the safetensors one).
    static func pth(_ bytes: [UInt8]) {
        let path = "fuzz.pth"
        guard let file = try? CheckpointFile.decode(Data(bytes), path: path) else { return }
        _ = CheckpointStore.nonFiniteTensors(in: file)
        _ = try? TorchCheckpoint.encode(file, path: path)
        guard let (model, _) = try? TinyModel.make() else { return }
        CheckpointStore.loadWeights(into: model, from: file)
    }

    /// A frame file, decoded with the limits `RawFrameDecode` applies.
    static func jpeg(_ bytes: [UInt8]) {
        _ = try? JPEGDecoder().decode(bytes, path: "fuzz.jpg")
    }

    /// A video file, demuxed, indexed and decoded as `DecordInit` + `DecordDecode` would: its first, last and a
    /// middle frame, then every keyframe from the efficient mode's mapping.
    static func video(_ bytes: [UInt8]) {
        guard let reader = try? VideoReader(bytes: bytes, name: "fuzz.mp4") else { return }
        let n = reader.frameCount
        _ = try? reader.frames([n - 1, 0, n / 2, n / 2])
        _ = try? reader.frames([0, n / 3, n - 1].map(reader.keyframe(atOrBefore:)))
        _ = try? reader.frames([n])
    }

    /// A rawframe annotation file (`frame_dir total_frames label`), in every layout mmaction2 allows, and the same
    /// bytes as a `.json` annotation list (rawframes and videos, single- and multi-label), and both as OmniSource's
    /// raw-video lists (`video_dir label num_clips positive…`).
    static func annotations(_ bytes: [UInt8]) {
        for (offset, multi) in [(false, false), (true, false), (false, true)] {
            let format = AnnotationFormat(withOffset: offset, multiClass: multi, numClasses: 8, prefix: "/data")
            _ = try? AnnotationList.parse(bytes, file: "fuzz.txt", format: format)
        }
        for (videos, multi) in [(false, false), (true, true)] {
            let format = AnnotationFormat(multiClass: multi, numClasses: 8, prefix: "/data", videos: videos)
            _ = try? AnnotationList.parseJSON(bytes, file: "fuzz.json", format: format)
        }
        var raw = AnnotationFormat(numClasses: 8, prefix: "/data", videos: true)
        raw.rawVideos = true
        _ = try? AnnotationList.parse(bytes, file: "fuzz.txt", format: raw)
        _ = try? AnnotationList.parseJSON(bytes, file: "fuzz.json", format: raw)
    }
}

/// The smallest model of the kind Reel trains (TSM-R18 with one base channel), for checkpoint seeds and resume.
enum TinyModel {
    static let config = """
        model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', depth=18, base_channels=1, num_segments=2),
                     cls_head=dict(type='TSMHead', num_classes=3, in_channels=8, num_segments=2, dropout_ratio=0.5))
        optimizer = dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4)
        """

    static func make() throws -> (Recognizer2D, Optimizer) {
        let c = try ConfigLoader(read: { _ in config }).load("/tiny.py")
        let model = try ModelBuilder.build(c.root["model"]!, files: c.files, seed: 1)
        return (model, try OptimizerBuilder.build(c.root["optimizer"]!, model: model, files: c.files))
    }
}
