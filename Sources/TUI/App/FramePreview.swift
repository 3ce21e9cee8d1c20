import Config
import EngineCore
import EngineData
import EngineTraining

/// The Config screen's crop/flip preview: a real frame of the dataset before a spatial pipeline step (with the
/// crop boxes that step drew) and after it. Built from disk by the app when the selection moves onto such a step
/// (`make`), then drawn by the pure renderer; `key` says which step and argument values it shows.
public struct FramePreview: Equatable, Sendable {
    public var key: String
    public var stepName: String
    public var before: Frame
    public var boxes: [CropBox]
    public var flipped: Bool
    public var after: Frame
    /// Why there is no picture (no readable dataset, a bad argument…), shown instead of it.
    public var problem: String?

    static let spatialSteps: Set<String> = ["Resize", "RandomRescale", "RandomCrop", "RandomResizedCrop", "MultiScaleCrop",
                                            "CenterCrop", "ThreeCrop", "TenCrop", "Flip"]

    /// The pipeline list, split and step index a config path points into (`train_pipeline.3.…`,
    /// `data.val.pipeline.2.…`), if that step is a spatial one.
    static func locate(_ path: [String], in config: ResolvedConfig) -> (listPath: [String], split: DataConfig.Split, step: Int)? {
        var listPath: [String], split: DataConfig.Split
        if path.count >= 2, path[0].hasSuffix("_pipeline"), let s = DataConfig.Split(rawValue: String(path[0].dropLast(9))) {
            (listPath, split) = ([path[0]], s)
        } else if path.count >= 4, path[0] == "data", path[2] == "pipeline", let s = DataConfig.Split(rawValue: path[1]) {
            (listPath, split) = (Array(path.prefix(3)), s)
        } else { return nil }
        guard let step = Int(path[listPath.count]), let list = config.value.value(at: listPath)?.elements,
              list.indices.contains(step), let type = list[step].dict?["type"]?.string, spatialSteps.contains(type) else { return nil }
        return (listPath, split, step)
    }

    /// The key of the preview for `path` (nil: no preview fits there). Changes when the step's arguments change.
    public static func key(for path: [String], in config: ResolvedConfig) -> String? {
        guard let (listPath, _, step) = locate(path, in: config), let list = config.value.value(at: listPath)?.elements else { return nil }
        return listPath.joined(separator: ".") + ".\(step) " + JSONText.render(ConfigValue(.list(Array(list.prefix(step + 1)))), indent: nil)
    }

    /// Runs the split's dataset item 0 through the pipeline up to the step (seed 0) and keeps the first frame before
    /// and after it. Nil where no preview fits; a `problem` where one fits but cannot be made.
    public static func make(for path: [String], in config: ResolvedConfig) -> FramePreview? {
        guard let key = key(for: path, in: config), let (listPath, split, step) = locate(path, in: config) else { return nil }
        let list = config.value.value(at: listPath)!
        let empty = Frame(width: 0, height: 0, pixels: [])
        var preview = FramePreview(key: key, stepName: list.elements![step].dict?["type"]?.string ?? "", before: empty,
                                   boxes: [], flipped: false, after: empty)
        do {
            let pipeline = try PipelineReader.read(list, files: config.files)
            let dataset = try DataConfig(config).spec(split).makeDataset()
            var rng = Philox(seed: 0, stream: 0)
            // The steps before this one must decode frames; then the step itself (the same trace `inspect pipeline` prints).
            let trace = try pipeline.trace(dataset.initialSample(0), rng: &rng, workspace: PipelineWorkspace(), steps: step + 1)
            let input = trace.input(of: step)
            guard let first = input.frames.first else {
                preview.problem = "no frames are decoded before this step"
                return preview
            }
            preview.before = first
            let output = trace.after[step].sample
            preview.boxes = Array(output.cropBoxes.dropFirst(input.cropBoxes.count))
            preview.flipped = output.flipped && !input.flipped
            preview.after = output.frames.first ?? empty
        } catch {
            preview.problem = "\(error)"
        }
        return preview
    }
}
