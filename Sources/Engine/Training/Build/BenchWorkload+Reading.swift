import Config
import EngineCore
import EngineData

extension BenchWorkload {
    /// The workload a bench config describes: its model and optimizer; batch = `data.videos_per_gpu`, frames per
    /// clip from the train pipeline's sampler (num_clips × clip_len), frame size from its last fixed-size step
    /// (`Resize(scale=(w, h), keep_ratio=False)` or a crop). No data file is read.
    public init(config: ResolvedConfig, seed: UInt64 = 0) throws {
        guard let modelValue = config.root["model"] else {
            throw ConfigError(message: "the config has no model", location: SourceLocation(file: config.path, line: 1, column: 1, bytes: 0..<0), sourceLine: "")
        }
        let model = try ModelBuilder.build(try ModelReader.read(modelValue, files: config.files), seed: seed)
        guard let opt = config.root["optimizer"] else {
            throw ConfigError(message: "the config has no optimizer", location: SourceLocation(file: config.path, line: 1, column: 1, bytes: 0..<0), sourceLine: "")
        }
        let optimizer = try OptimizerBuilder.build(try OptimizerReader.read(opt, files: config.files), model: model)
        let data = try DataConfig(config)
        let batch = try data.loaderSettings(.train).batchSize
        var frames = 8, size = (w: 224, h: 224)
        for step in try data.pipeline(.train).steps {
            switch step {
            case let s as SampleFrames: frames = s.clipLen * s.numClips
            case let r as ResizeStep where !r.keepRatio:
                if case .size(let w, let h) = r.scale { size = (w, h) }
            case let c as CropStep:
                switch c.kind {
                case .random(let s): size = (s, s)
                case .multiScale(let input, _, _, _, _): size = input
                case .center(let w, let h), .three(let w, let h), .ten(let w, let h): size = (w, h)
                case .randomResized: break
                }
            default: break
            }
        }
        self.init(model: model, optimizer: optimizer, batch: batch, frames: frames, width: size.w, height: size.h, seed: seed)
    }
}
