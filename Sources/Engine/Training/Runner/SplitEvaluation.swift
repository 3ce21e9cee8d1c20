import EngineCore
import EngineData
/// Weights evaluated on one split of a config's data, as `reel test` and the dashboard's `E` do it: the split's
/// loader (test-mode pipeline, `shuffle=False`), inference, then the metrics (SEMANTICS.md §7); the score rows and
/// targets come back too, in the split's order. In a data-parallel job (`parallel`) each rank tests its shard and
/// every rank gets the whole split's scores (`reel test --launcher mpi`).
///
/// `onSkipped` is required: with `skip_broken=True` each skipped video changes the numbers, so every caller must
/// show the notes (printed by `reel test`, logged by the dashboard). They arrive on the calling thread as the
/// loader meets them. Throws the loader's data errors and `Metrics`' errors.
public enum SplitEvaluation {
    public static func run(model: any Recognizer, data: DataSpec, metrics: [String], topk: [Int] = [1, 5],
                           parallel: DataParallel? = nil, onSkipped: @escaping (String) -> Void,
                           progress: ((Int, Int) -> Void)? = nil) throws
        -> (results: [(key: String, value: Double)], scores: [[Float]], targets: Targets)
    {
        let shard = parallel.map { DistributedShard(rank: $0.rank, world: $0.world) } ?? .single
        let loader = try data.makeLoader(seed: 0, shard: shard)
        loader.onSkipped = onSkipped
        return try evaluate(model: model, loader: loader, metrics: metrics, topk: topk, parallel: parallel, progress: progress)
    }

    /// Inference over `loader` and the metrics of its scores: the one evaluation routine (EvalHook during training
    /// runs it on its val loader). In a data-parallel job (`parallel`) each rank scores its shard of the loader and
    /// every rank gets all the scores back in dataset order (the shard padding dropped), so the metrics equal one
    /// process's.
    public static func evaluate(model: any Recognizer, loader: Loader, metrics: [String], topk: [Int],
                                parallel: DataParallel? = nil, progress: ((Int, Int) -> Void)? = nil) throws
        -> (results: [(key: String, value: Double)], scores: [[Float]], targets: Targets)
    {
        var (scores, targets) = try Inference.scores(model: model, loader: loader, progress: progress)
        if let parallel, parallel.world > 1 {
            (scores, targets) = parallel.gather(scores: scores, targets: targets, count: loader.dataset.count)
        }
        return (try Metrics.evaluate(scores: scores, targets: targets, metrics: metrics, topk: topk), scores, targets)
    }
}
