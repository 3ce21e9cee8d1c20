/// A recognizer as read from a config (Build/ModelReader checks every setting): what `ModelBuilder` builds.
///
/// Extension point: a new backbone is a case of `Backbone` with its own settings struct (e.g. `ResNet3dSpec`), a
/// new head a case of `Head.Kind`; ModelReader reads them, `ModelBuilder` builds them, and `featureChannels` /
/// `name` below name what the reader checks the head against. Recognizer, backbone and head are separate, so a
/// SlowFast, C3D or X3D is a new case in each place it differs and nothing else changes.
public struct ModelSpec: Sendable, Equatable {
    /// mmaction2's recognizer classes (`model.type`).
    public enum RecognizerKind: String, Sendable, Equatable {
        /// Frames as a batch of images (B×M×C×H×W); TSN, TSM.
        case recognizer2D = "Recognizer2D"
        /// Clips as volumes (B×V×C×T×H×W); I3D, SlowOnly, …
        case recognizer3D = "Recognizer3D"
    }

    /// The backbone (`model.backbone`), one case per backbone family.
    public enum Backbone: Sendable, Equatable {
        /// `ResNet` / `ResNetTSM` (2-D).
        case resnet(ResNetSpec)
        /// `ResNet3d` (I3D) / `ResNet3dSlowOnly`.
        case resnet3d(ResNet3dSpec)
        /// `ResNet3dSlowFast`: two ResNet3d pathways with lateral connections.
        case slowFast(ResNet3dSlowFastSpec)
        /// `C3D`: flat 4096-wide features (I3DHead with spatial_type=None).
        case c3d(C3DSpec)
        /// `ResNet2Plus1d`: ResNet3d with Conv2plus1d convolutions and no pool2.
        case resnet2plus1d(ResNet3dSpec)
        /// `ResNet3dCSN`: ResNet3d with channel-separated bottlenecks.
        case csn(ResNet3dCSNSpec)
        /// `X3D`.
        case x3d(X3DSpec)

        /// Channels of the feature map the head reads (its in_channels).
        public var featureChannels: Int {
            switch self {
            case .resnet(let s): return s.featureChannels
            case .resnet3d(let s), .resnet2plus1d(let s): return s.featureChannels
            case .c3d(let s): return s.featureChannels
            case .csn(let s): return s.resnet.featureChannels
            case .x3d(let s): return s.featureChannels
            case .slowFast(let s): return s.featureChannels
            }
        }

        /// How messages name it ("ResNet-50, base_channels 64").
        public var name: String {
            switch self {
            case .resnet(let s): return "ResNet-\(s.depth), base_channels \(s.baseChannels)"
            case .resnet3d(let s): return "\(s.flavour.rawValue)-\(s.depth), base_channels \(s.baseChannels)"
            case .slowFast(let s):
                return "ResNet3dSlowFast (slow ResNet-\(s.slow.depth) base \(s.slow.baseChannels) → \(s.slow.featureChannels), "
                    + "fast ResNet-\(s.fast.depth) base \(s.fast.baseChannels) → \(s.fast.featureChannels))"
            case .resnet2plus1d(let s): return "ResNet2Plus1d-\(s.depth), base_channels \(s.baseChannels)"
            case .csn(let s): return "ResNet3dCSN-\(s.resnet.depth), base_channels \(s.resnet.baseChannels)"
            case .c3d(let s): return "C3D, fc7 width \(s.hiddenChannels)"
            case .x3d(let s): return "X3D, gamma_w \(s.gammaW), gamma_b \(s.gammaB)"
            }
        }
    }

    /// `ResNet` / `ResNetTSM` arguments.
    public struct ResNetSpec: Sendable, Equatable {
        public var depth: Int
        public var baseChannels = 64, inChannels = 3, numStages = 4
        public var strides = [1, 2, 2, 2], dilations = [1, 1, 1, 1]
        public var frozenStages = -1
        public var normEval = false, partialBN = false
        public var tsm: ResNet.TSM?
        /// ResNetTSM's `temporal_pool` (with `is_shift`): a max pool over time halves the segments before layer2.
        public var temporalPool = false
        /// ResNetTSM's non-local blocks: per stage, per block (nil: none), the `num_segments` they view frames
        /// as, and `non_local_cfg`.
        public var nonLocal: [[Bool]]?
        public var nonLocalSegments = 8
        public var nonLocalCfg = ResNet3dSpec.NonLocalCfg()
        /// A local weights file (`pretrained=`), loaded by EngineTraining's ModelBuilder after the network is built.
        public var pretrained: String?
        /// `torchvision_pretrain`: the file uses torchvision's names (`layer1.0.bn1`), mapped onto the ConvModules;
        /// False loads it by Reel's (mmaction2's) own names, non-strictly.
        public var torchvisionPretrain = true
        /// `out_indices`: the stages the backbone returns, in order (empty: the last one alone; several for a neck).
        public var outIndices: [Int] = []
        public init(depth: Int) { self.depth = depth }

        /// Channels of the last stage's output (what the head's in_channels must be).
        public var featureChannels: Int { stageChannels(numStages - 1) }

        /// Channels of stage `i`'s output.
        public func stageChannels(_ i: Int) -> Int {
            let bottleneck = ResNet.stageBlocks(depth: depth)?.bottleneck ?? false
            return (baseChannels << i) * (bottleneck ? Bottleneck.expansion : BasicBlock.expansion)
        }
    }

    /// The classification head (`model.cls_head`): BaseHead's settings shared by every head, and the head's kind.
    public struct Head: Sendable, Equatable {
        /// The head's `loss_cls` and multi-label settings (what `HeadLoss` is built from).
        public struct Loss: Sendable, Equatable {
            public enum Function: String, Sendable, Equatable, CaseIterable {
                case crossEntropy = "CrossEntropyLoss"
                case binaryCrossEntropy = "BCELossWithLogits"
            }
            public var function = Function.crossEntropy
            public var weight: Float = 1
            public var classWeight: [Float]?
            /// BaseHead's `multi_class`: trained on multi-hot targets, no top-k accuracies logged.
            public var multiClass = false
            /// BaseHead's `label_smooth_eps` (applied with `multiClass` only, as mmaction2 does).
            public var labelSmoothEps: Float = 0
            public init() {}
        }

        /// One case per head class, with the settings only it has.
        public enum Kind: Sendable, Equatable {
            /// TSNHead: average features over segments, then fc.
            case tsn
            /// TSMHead: fc per frame, then average logits over its own `num_segments`.
            case tsm(numSegments: Int)
            /// I3DHead: average-pool the whole map (`spatial_type='avg'`) or flatten it (None), dropout, fc.
            case i3d(avgPool: Bool)
            /// SlowFastHead: average-pool each pathway, concatenate (fast channels first), dropout, fc.
            case slowFast
            /// X3DHead: average-pool, fc1 (to 2048, bias per `fc1_bias`), ReLU, dropout, fc2.
            case x3d(fc1Bias: Bool)
            /// TRNHead: average-pool, dropout, fc to `hiddenDim`, then a relation module over `numSegments` frames.
            case trn(numSegments: Int, relation: TRNHead.Relation, hiddenDim: Int)
            /// No cls_head, `test_cfg.feature_extraction=True`: pooled backbone features, inference only.
            case features
        }
        public var kind: Kind
        /// The config's type name, for messages.
        public var name: String
        public var inChannels: Int, numClasses: Int
        public var dropoutRatio: Float, initStd: Float
        /// `loss_cls` with BaseHead's `multi_class` and `label_smooth_eps`.
        public var loss = Loss()
        public var topk = [1, 5]
        public var isTSM: Bool { if case .tsm = kind { return true } else { return false } }
        /// A feature-extraction model: nothing to train or score classes with.
        public var extractsFeatures: Bool { kind == .features }
        public var numSegments: Int? { if case .tsm(let n) = kind { return n } else { return nil } }
        public init(kind: Kind, name: String, inChannels: Int, numClasses: Int, dropoutRatio: Float, initStd: Float) {
            self.kind = kind; self.name = name; self.inChannels = inChannels; self.numClasses = numClasses
            self.dropoutRatio = dropoutRatio; self.initStd = initStd
        }
    }

    public var recognizer: RecognizerKind
    public var backbone: Backbone
    public var head: Head
    /// `test_cfg.average_clips`: 'score', 'prob' or nil.
    public var averageClips: String?
    /// `train_cfg.blending`: mixup or cutmix over each training batch.
    public var blending: Blending?
    /// `neck=dict(type='TPN', …)` between a multi-output backbone and the head.
    public var neck: TPNSpec?
    /// `test_cfg.fcn_test=True` on a Recognizer2D with a neck: inference on clips of `num_segs` frames.
    public var fcnTest: Recognizer2D.FullyConvolutionalTest?

    /// `train_cfg.blending = dict(type=…, num_classes=…, alpha=…)` (BatchBlending).
    public struct Blending: Sendable, Equatable {
        public var kind: BatchBlending.Kind
        public var numClasses: Int
        public var alpha: Double
        public init(kind: BatchBlending.Kind, numClasses: Int, alpha: Double) {
            self.kind = kind; self.numClasses = numClasses; self.alpha = alpha
        }
    }

    public init(recognizer: RecognizerKind = .recognizer2D, backbone: Backbone, head: Head, averageClips: String? = nil,
                blending: Blending? = nil) {
        self.recognizer = recognizer; self.backbone = backbone; self.head = head; self.averageClips = averageClips
        self.blending = blending
    }

    /// The `pretrained=` weights file the backbone initialises from (a local path), if any.
    public var pretrained: String? {
        switch backbone {
        case .resnet(let s): return s.pretrained
        case .resnet3d(let s), .resnet2plus1d(let s): return s.pretrained
        case .slowFast(let s): return s.pretrained
        case .csn(let s): return s.resnet.pretrained
        case .c3d(let s): return s.pretrained
        case .x3d(let s): return s.pretrained
        }
    }
}
