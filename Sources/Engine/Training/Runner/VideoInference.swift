import EngineCore
import EngineData
import Foundation

/// mmaction2's `inference_recognizer` (demo/demo.py): one video file or frame directory through a config's test
/// pipeline and the model, its class scores averaged over the views (`test_cfg.average_clips`) and ranked.
///
/// The input decides how it is read, as in mmaction2: a file is a video (the pipeline's Init and Decode steps become
/// OpenCVInit/OpenCVDecode, inserted if the pipeline has none; start_index 0); a directory holds rawframes (an Init
/// step is dropped, a Decode step becomes RawFrameDecode; total_frames counts the files matching the dataset's
/// `filename_tmpl`; start_index is the dataset's).
public enum VideoInference {
    /// One input's prediction.
    public struct Result: Sendable {
        /// The model's input for the video: views × … as the test pipeline made it.
        public var inputShape: [Int]
        /// One score per class (averaged over the views as `test_cfg.average_clips` says).
        public var scores: [Float]
        /// The frames the sampler picked (over all clips).
        public var frames: Int
        /// Classes by descending score (ties: lower index first).
        public var ranked: [(index: Int, score: Float)] {
            scores.enumerated().sorted { $0.element != $1.element ? $0.element > $1.element : $0.offset < $1.offset }
                .map { ($0.offset, $0.element) }
        }
    }

    /// An input file that cannot be read: the video or frame directory, or the label map.
    public struct InputError: DataInputError, Sendable {
        public var path: String
        public var reason: String
        public var file: String { path }
        public var description: String { "\(path): \(reason)" }
        public init(path: String, reason: String) { self.path = path; self.reason = reason }
    }

    /// The test pipeline adapted to `input` and the sample it starts from.
    public static func prepare(_ dataset: DatasetSpec, input: String) throws -> (Pipeline, PipelineSample) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
            throw InputError(path: input, reason: "no such video file or frame directory")
        }
        var steps = dataset.pipeline.steps
        if isDirectory.boolValue {
            steps.removeAll { $0 is VideoInit }
            steps = steps.map { $0 is VideoDecode ? RawFrameDecode() : $0 }
            let frames = try frameCount(in: input, template: dataset.filenameTemplate)
            guard frames > 0 else {
                throw InputError(path: input, reason: "no frame files named like '\(dataset.filenameTemplate)' (the config's filename_tmpl)")
            }
            var sample = PipelineSample(frameDir: input, totalFrames: frames, labels: [-1])
            sample.startIndex = dataset.startIndex
            sample.filenameTemplate = dataset.filenameTemplate
            return (Pipeline(steps: steps), sample)
        }
        steps.removeAll { $0 is VideoInit }
        steps = steps.map { $0 is VideoDecode || $0 is RawFrameDecode ? VideoDecode(typeName: "OpenCVDecode") : $0 }
        steps.insert(VideoInit(typeName: "OpenCVInit"), at: 0)
        var sample = PipelineSample(frameDir: input, totalFrames: 0, labels: [-1])
        sample.startIndex = 0
        return (Pipeline(steps: steps), sample)
    }

    /// The files of `dir` named by `template` with some frame number (`FilenameTemplate.matches`).
    static func frameCount(in dir: String, template: String) throws -> Int {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: dir) } catch {
            throw InputError(path: dir, reason: "cannot list the frame directory (\(error.localizedDescription))")
        }
        return names.filter { FilenameTemplate.matches($0, template: template) }.count
    }

    /// Runs the adapted test pipeline on `input` and the model (in eval mode) on its output.
    public static func run(model: any Recognizer, dataset: DatasetSpec, input: String) throws -> Result {
        let (pipeline, start) = try prepare(dataset, input: input)
        var rng = Philox(seed: 0, stream: 0)
        let sample = try pipeline.run(start, rng: &rng, workspace: PipelineWorkspace())
        guard let imgs = sample.imgs, sample.inputFormat != nil else {
            throw InputError(path: input, reason: "the test pipeline does not end in model input (FormatShape NCHW or NCTHW)")
        }
        model.applyMode(training: false)
        let scores = model.predict(imgs.reshaped([1] + imgs.shape))
        return Result(inputShape: imgs.shape, scores: scores.scalars, frames: sample.frameIndices.count)
    }
}
