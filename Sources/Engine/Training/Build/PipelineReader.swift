import Config
import EngineCore
import EngineData

/// Reads a pipeline list (`train_pipeline = [dict(type='SampleFrames', …), …]`) into `Pipeline` steps, which are
/// plain values: each step's arguments are checked here, and an unknown type or a bad argument is a located
/// `ConfigError`. What training, `config check`, `inspect` and the dashboard's previews all call.
public enum PipelineReader {
    static let supported = ["SampleFrames", "DenseSampleFrames", "RawFrameDecode", "DecordInit", "DecordDecode", "PyAVInit", "PyAVDecode",
                            "OpenCVInit", "OpenCVDecode", "ImageDecode", "BuildPseudoClip", "Resize", "RandomRescale", "RandomCrop",
                            "RandomResizedCrop", "MultiScaleCrop", "CenterCrop", "ThreeCrop", "TenCrop", "Flip", "Fuse", "ColorJitter", "Normalize",
                            "FormatShape", "Collect", "ToTensor"]

    public static func read(_ config: ConfigValue, files: SourceFiles, log: ReadLog? = nil) throws -> Pipeline {
        guard let items = config.elements else {
            throw files.error("a pipeline must be a list of dict(type=…) steps, not \(config.typeDescription)", at: config.origin)
        }
        let steps = try items.map { try step(ConfigReader($0, name: "pipeline step", files: files, log: log)) }
        try checkLazyOrder(steps, items: items, files: files)
        return Pipeline(steps: steps)
    }

    /// Whether a step records its geometry for a later Fuse (`lazy=True`).
    static func isLazy(_ step: any PipelineStep) -> Bool {
        (step as? ResizeStep)?.lazy ?? (step as? CropStep)?.lazy ?? (step as? FlipStep)?.lazy ?? false
    }

    /// mmaction2's lazy steps and Fuse in the order it can run them, found when the config is read (mmaction2 fails
    /// on the first video, or only on the videos whose flip is drawn): after a lazy step only lazy steps until a
    /// Fuse (a non-lazy one asserts "Use Fuse after lazy operations"), no lazy Resize or crop after a lazy Flip and
    /// one lazy Flip ("Put Flip at last for now"), a Fuse only after lazy steps, and lazy steps only before a Fuse
    /// (without one the frames would never be cut).
    static func checkLazyOrder(_ steps: [any PipelineStep], items: [ConfigValue], files: SourceFiles) throws {
        var open: Int?          // the first lazy step since the last Fuse
        var flipped = false     // a lazy Flip was recorded
        for (i, step) in steps.enumerated() {
            let at = items[i].origin
            if step is FuseStep {
                guard open != nil else { throw files.error("Fuse without lazy steps before it (mmaction2: 'No lazy operation detected')", at: at) }
                open = nil; flipped = false
            } else if isLazy(step) {
                if flipped {
                    throw files.error(step is FlipStep ? "a second lazy Flip before Fuse (mmaction2 takes one: 'Use one Flip please')"
                                                       : "a lazy \(step.typeName) after a lazy Flip: put the Flip last before Fuse (mmaction2 "
                                                         + "fails whenever the flip is drawn)", at: at)
                }
                open = open ?? i
                flipped = step is FlipStep
            } else if open != nil {
                throw files.error("\(step.typeName) between lazy steps and their Fuse: only lazy=True steps may come before Fuse "
                                  + "(mmaction2: 'Use Fuse after lazy operations')", at: at)
            }
        }
        if let first = open {
            throw files.error("lazy=True records the geometry for a Fuse step, but none follows: add dict(type='Fuse') after the "
                              + "lazy steps", at: items[first].origin)
        }
    }

    static func step(_ r: ConfigReader) throws -> any PipelineStep {
        let type = try r.string("type")
        switch type {
        case "SampleFrames", "DenseSampleFrames": return try sampleFrames(r.as(type))
        case "RawFrameDecode": return try rawFrameDecode(r.as(type))
        case "DecordInit", "PyAVInit", "OpenCVInit": return try videoInit(r.as(type))
        case "DecordDecode", "PyAVDecode", "OpenCVDecode": return try videoDecode(r.as(type))
        case "ImageDecode":
            let d = r.as(type)
            _ = try d.require("io_backend", in: ["disk"], default: "disk")
            _ = try d.require("decoding_backend", in: ["cv2", "turbojpeg", "pillow"], default: "cv2")
            return ImageDecode()
        case "BuildPseudoClip":
            let b = r.as(type)
            let clipLen = try b.int("clip_len")
            guard clipLen >= 1 else { throw b.error("clip_len must be at least 1, not \(clipLen)", key: "clip_len") }
            return BuildPseudoClip(clipLen: clipLen)
        case "Resize": return try resize(r.as(type))
        case "RandomRescale": return try randomRescale(r.as(type))
        case "RandomCrop", "RandomResizedCrop", "MultiScaleCrop", "CenterCrop", "ThreeCrop", "TenCrop":
            return try CropReader.read(r.as(type))
        case "Flip": return try flip(r.as(type))
        case "ColorJitter": return try colorJitter(r.as(type))
        case "Fuse":
            r.as(type).note("type", .read)   // no arguments: recorded so the schema check sees the step read
            return FuseStep()
        case "Normalize": return try normalize(r.as(type))
        case "FormatShape": return try formatShape(r.as(type))
        case "Collect", "ToTensor": return try collect(r.as(type))
        default:
            let near = Suggestion.closest(to: type, in: supported).map { " (did you mean '\($0)'?)" } ?? ""
            throw r.error("unknown pipeline step '\(type)'\(near); supported: \(supported.joined(separator: ", "))", key: "type")
        }
    }

    /// A `dict(type='SampleFrames' | 'DenseSampleFrames', …)` step; `testMode` from the dataset overrides nothing
    /// (mmaction2 configs set test_mode on the step itself).
    public static func sampleFrames(_ value: ConfigValue, files: SourceFiles) throws -> SampleFrames {
        try sampleFrames(ConfigReader(value, name: "SampleFrames", files: files))
    }

    static func sampleFrames(_ step: ConfigReader) throws -> SampleFrames {
        var r = step
        let type = try r.require("type", in: ["SampleFrames", "DenseSampleFrames"], default: "SampleFrames")
        r.component = type
        var s = SampleFrames(clipLen: try r.int("clip_len"), frameInterval: try r.int("frame_interval", 1),
                             numClips: try r.int("num_clips", 1), testMode: try r.bool("test_mode", false))
        for (key, v) in [("clip_len", s.clipLen), ("frame_interval", s.frameInterval), ("num_clips", s.numClips)] where v < 1 {
            throw r.error("\(key) must be at least 1, not \(v)", key: key)
        }
        s.temporalJitter = try r.bool("temporal_jitter", false)
        s.twiceSample = try r.bool("twice_sample", false)
        s.keepTailFrames = try r.bool("keep_tail_frames", false)
        let oob = try r.require("out_of_bound_opt", in: ["loop", "repeat_last"], default: "loop")
        s.outOfBound = oob == "loop" ? .loop : .repeatLast
        // Deprecated in mmaction2 0.24.1, which only warns: the dataset's start_index is used.
        r.accepts("start_index", as: .noted(default: .none, why: "no longer supported in SampleFrames (mmaction2 warns the same); set start_index in the dataset"))
        if type == "DenseSampleFrames" {
            s.dense = (try r.int("sample_range", 64), try r.int("num_sample_positions", 10))
        }
        return s
    }

    static func rawFrameDecode(_ r: ConfigReader) throws -> RawFrameDecode {
        let backend = try r.require("decoding_backend", in: ["cv2", "turbojpeg", "pillow"], default: "cv2")
        _ = try r.require("io_backend", in: ["disk"], default: "disk")
        return RawFrameDecode(decodingBackend: backend)
    }

    static func videoInit(_ r: ConfigReader) throws -> VideoInit {
        let type = try r.string("type")
        _ = try r.require("io_backend", in: ["disk"], default: "disk")
        let threads = type == "DecordInit" ? try r.int("num_threads", 1) : 1
        guard threads >= 0 else { throw r.error("num_threads must not be negative", key: "num_threads") }
        return VideoInit(typeName: type, threads: threads)
    }

    static func videoDecode(_ r: ConfigReader) throws -> VideoDecode {
        let type = try r.string("type")
        guard type != "OpenCVDecode" else { return VideoDecode(typeName: type) }
        let mode = VideoDecode.Mode(rawValue: try r.require("mode", in: ["accurate", "efficient"], default: "accurate"))!
        let threads: Int? = type == "PyAVDecode" ? (try r.bool("multi_thread", false) ? 0 : nil) : nil
        return VideoDecode(typeName: type, mode: mode, threads: threads)
    }

    static func interpolation(_ r: ConfigReader) throws -> ResizeStep.Interpolation {
        ResizeStep.Interpolation(rawValue: try r.require("interpolation", in: ["bilinear", "nearest"], default: "bilinear"))!
    }

    static func resize(_ r: ConfigReader) throws -> ResizeStep {
        guard let v = r.value("scale"), !v.isNone else { throw r.error("Resize needs 'scale'") }
        let scale: ResizeStep.Scale
        if case .tuple(let items) = v.content, items.count == 2, let a = items[0].int, let b = items[1].int {
            guard (a > 0 || a == -1) && (b > 0 || b == -1) && !(a == -1 && b == -1) else {
                throw r.files.error("Resize scale sides must be positive (or -1 for one of them)", at: v.origin)
            }
            scale = .size(a, b)
        } else if case .float(let f) = v.content {
            guard f > 0 else { throw r.files.error("Resize scale must be positive", at: v.origin) }
            scale = .factor(f)
        } else {
            throw r.files.error("Resize scale must be a float or a tuple (w, h), not \(v.typeDescription)", at: v.origin,
                                note: "mmcv rejects a list here: write (-1, 256), not [-1, 256]")
        }
        return ResizeStep(scale: scale, keepRatio: try r.bool("keep_ratio", true), interpolation: try interpolation(r),
                          lazy: try r.bool("lazy", false))
    }

    static func randomRescale(_ r: ConfigReader) throws -> RandomRescale {
        let range = try r.ints("scale_range", [])
        guard range.count == 2, range[0] > 0, range[0] < range[1] else {
            throw r.error("scale_range must be a tuple (low, high) with 0 < low < high", key: "scale_range")
        }
        return RandomRescale(low: range[0], high: range[1], interpolation: try interpolation(r))
    }

    static func flip(_ r: ConfigReader) throws -> FlipStep {
        let ratio = try r.double("flip_ratio", 0.5)
        let horizontal = try r.require("direction", in: ["horizontal", "vertical"], default: "horizontal") == "horizontal"
        var labelMap: [Int: Int] = [:]
        if let v = r.value("flip_label_map"), !v.isNone {
            guard case .dict(let d) = v.content else { throw r.files.error("flip_label_map must be a dict", at: v.origin) }
            for entry in d {
                guard case .int(let from) = entry.key, let to = entry.value.int else {
                    throw r.files.error("flip_label_map maps int labels to int labels", at: entry.value.origin)
                }
                labelMap[from] = to
            }
        }
        r.accepts("left_kp", "right_kp", as: .inert("they swap keypoints, and Reel's samples have none"))
        return FlipStep(ratio: ratio, horizontal: horizontal, labelMap: labelMap, lazy: try r.bool("lazy", false))
    }

    /// mmaction2's `check_input`: a float v gives (base − v, base + v) and must be at most `max`; a tuple must lie
    /// within base ± max, low ≤ high.
    static func colorJitter(_ r: ConfigReader) throws -> ColorJitterStep {
        func range(_ key: String, _ fallback: Double, max limit: Double, base: Double) throws -> (Double, Double) {
            r.note(key, .value(.float(fallback)))
            var v = [fallback]
            if let value = r.dict[key], !value.isNone {
                guard let numbers = value.number.map({ [$0] }) ?? value.elements.map({ $0.compactMap(\.number) }),
                      numbers.count == (value.elements?.count ?? 1) else {
                    throw r.files.error("'\(key)' must be a number or a tuple of two numbers, not \(value.typeDescription)", at: value.origin)
                }
                v = numbers
            }
            let pair: (Double, Double) = v.count == 1 ? (base - v[0], base + v[0]) : v.count == 2 ? (v[0], v[1]) : (1, 0)
            guard v.count <= 2, v.count == 2 || v[0] <= limit, base - limit <= pair.0, pair.0 <= pair.1, pair.1 <= base + limit else {
                throw r.error("\(key) must be a number up to \(limit) or a tuple (low, high) within \(base - limit)…\(base + limit) "
                              + "(mmaction2 asserts the same)", key: key)
            }
            return pair
        }
        return ColorJitterStep(brightness: try range("brightness", 0.5, max: 1, base: 1),
                               contrast: try range("contrast", 0.5, max: 1, base: 1),
                               saturation: try range("saturation", 0.5, max: 1, base: 1),
                               hue: try range("hue", 0.1, max: 0.5, base: 0))
    }

    static func normalize(_ r: ConfigReader) throws -> NormalizeStep {
        let mean = try r.doubles("mean", []), std = try r.doubles("std", [])
        guard mean.count == 3 else { throw r.error("Normalize needs 'mean' with 3 values (RGB frames)", key: mean.isEmpty ? nil : "mean") }
        guard std.count == 3 else { throw r.error("Normalize needs 'std' with 3 values (RGB frames)", key: std.isEmpty ? nil : "std") }
        guard std.allSatisfy({ $0 != 0 }) else { throw r.error("std must not contain 0", key: "std") }
        if try r.bool("adjust_magnitude", false) { throw r.error("adjust_magnitude is for Flow, which Reel does not read", key: "adjust_magnitude") }
        return NormalizeStep(mean: mean.map(Float.init), std: std.map(Float.init), toBGR: try r.bool("to_bgr", false))
    }

    static func formatShape(_ r: ConfigReader) throws -> FormatShape {
        FormatShape(inputFormat: try r.require("input_format", in: ["NCHW", "NCTHW"], default: ""),
                    collapse: try r.bool("collapse", false))
    }

    static func collect(_ r: ConfigReader) throws -> CollectStep {
        let typeName = try r.string("type")
        guard let v = r.value("keys"), let items = v.elements ?? (v.string.map { [ConfigValue(.string($0))] }) else {
            throw r.error("\(typeName) needs 'keys'")
        }
        let keys = try items.map { item in
            guard let s = item.string else { throw r.files.error("keys must be strings", at: item.origin) }
            guard CollectStep.known.contains(s) else {
                throw r.files.error("'\(s)' is not a key Reel's pipeline produces (known: \(CollectStep.known.sorted().joined(separator: ", ")))",
                                    at: item.origin)
            }
            return s
        }
        if typeName == "Collect", let meta = r.value("meta_keys"), let list = meta.elements {
            for item in list where !(item.string.map(CollectStep.known.contains) ?? false) {
                throw r.files.error("meta key '\(item.string ?? "?")' is never set by the pipeline (mmaction2 fails on it too; configs pass meta_keys=[])",
                                    at: item.origin)
            }
        } else if typeName == "Collect", r.value("meta_keys") == nil {
            throw r.error("Collect's default meta_keys include 'pad_shape', which no step sets: add meta_keys=[] (mmaction2 fails the same way)")
        }
        if typeName == "Collect" {
            r.accepts("meta_name", as: .inert("it names the metadata entry, which training does not read"))
            r.accepts("nested", as: .noted(default: .bool(false), why: "Reel's batches are never nested in lists"))
        }
        return CollectStep(typeName: typeName, keys: keys)
    }
}
