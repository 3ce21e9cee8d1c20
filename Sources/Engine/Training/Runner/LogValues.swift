import EngineCore
import EngineData
/// Named values in the order they were first set — mmcv's log order (the model's `top1_acc`, `top5_acc`,
/// `loss_cls`, `loss`, then `grad_norm`), which the text logger's records keep — looked up by key.
public struct LogValues: Sendable, Equatable, ExpressibleByDictionaryLiteral, Sequence {
    public private(set) var pairs: [(key: String, value: Double)] = []

    public init() {}
    public init(_ pairs: [(key: String, value: Double)]) { for (k, v) in pairs { self[k] = v } }
    public init(dictionaryLiteral elements: (String, Double)...) { for (k, v) in elements { self[k] = v } }

    /// The value of `key`; setting a new key appends it, setting nil removes it.
    public subscript(key: String) -> Double? {
        get { pairs.first { $0.key == key }?.value }
        set {
            let i = pairs.firstIndex { $0.key == key }
            switch (i, newValue) {
            case (let i?, let v?): pairs[i].value = v
            case (let i?, nil): pairs.remove(at: i)
            case (nil, let v?): pairs.append((key, v))
            case (nil, nil): break
            }
        }
    }

    public var keys: [String] { pairs.map(\.key) }
    public var count: Int { pairs.count }
    public var isEmpty: Bool { pairs.isEmpty }
    public func makeIterator() -> IndexingIterator<[(key: String, value: Double)]> { pairs.makeIterator() }

    /// Same keys in the same order with the same values (NaN never equals, as for `Double`).
    public static func == (a: LogValues, b: LogValues) -> Bool {
        a.keys == b.keys && a.pairs.map(\.value) == b.pairs.map(\.value)
    }
}
