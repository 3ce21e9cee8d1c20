import Config
import EngineCore
import EngineData

extension LRPlan {
    /// The plan of a config: `optimizer` and `lr_config` read as training reads them, the run length read once
    /// (`RunSpec.length`); a schedule that cannot cover the run is the located error training gives.
    public init(config: ResolvedConfig, itersPerEpoch: Int) throws {
        let top = try ConfigReader(config.value, name: "config", files: config.files)
        guard let opt = top.value("optimizer") else { throw top.error("the config has no 'optimizer'") }
        let baseLR = try OptimizerReader.read(opt, files: config.files).template.lr
        let length = try RunSpec.readLength(top)
        let iters = length.byEpoch ? length.maxEpochs * itersPerEpoch : length.maxIters
        var schedule: LRSchedule?
        if let lr = top.value("lr_config"), !lr.isNone {
            let s = try LRSchedule(reading: try top.reader(lr, name: "lr_config"), defaultByEpoch: length.byEpoch)
            if let problem = s.problem(maxEpochs: length.maxEpochs, maxIters: iters) { throw config.files.error(problem, at: lr.origin) }
            schedule = s
        }
        self.init(baseLR: baseLR, schedule: schedule, length: (length.byEpoch, length.maxEpochs, length.maxIters),
                  itersPerEpoch: itersPerEpoch)
    }
}
