/// A `Recognizer2D` as read from a config (Build/ModelReader checks every setting): what `ModelBuilder` builds.
public struct ModelSpec: Sendable, Equatable {
    /// `ResNet` / `ResNetTSM` arguments.
    public struct Backbone: Sendable, Equatable {
        public var depth: Int
        public var baseChannels = 64, inChannels = 3, numStages = 4
        public var strides = [1, 2, 2, 2], dilations = [1, 1, 1, 1]
        public var frozenStages = -1
        public var normEval = false, partialBN = false
        public var tsm: ResNet.TSM?
        public init(depth: Int) { self.depth = depth }

        /// Channels of the last stage's output (what the head's in_channels must be).
        public var featureChannels: Int {
            let bottleneck = ResNet.stageBlocks(depth: depth)?.bottleneck ?? false
            return (baseChannels << (numStages - 1)) * (bottleneck ? Bottleneck.expansion : BasicBlock.expansion)
        }
    }

    /// `TSNHead` / `TSMHead` arguments.
    public struct Head: Sendable, Equatable {
        public var name: String
        public var inChannels: Int, numClasses: Int
        public var dropoutRatio: Float, initStd: Float
        public var numSegments: Int?
        public var lossWeight: Float = 1
        public var classWeight: [Float]?
        public var topk = [1, 5]
        public var isTSM: Bool { name == "TSMHead" }
        public init(name: String, inChannels: Int, numClasses: Int, dropoutRatio: Float, initStd: Float) {
            self.name = name; self.inChannels = inChannels; self.numClasses = numClasses
            self.dropoutRatio = dropoutRatio; self.initStd = initStd
        }
    }

    public var backbone: Backbone
    public var head: Head
    /// `test_cfg.average_clips`: 'score', 'prob' or nil.
    public var averageClips: String?

    public init(backbone: Backbone, head: Head, averageClips: String? = nil) {
        self.backbone = backbone; self.head = head; self.averageClips = averageClips
    }
}
