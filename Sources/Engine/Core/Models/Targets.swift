/// What a batch is scored against: one class per video, or, from a `multi_class=True` dataset, the set of classes
/// each video has (mmaction2 turns a set into a multi-hot vector of `num_classes` floats before the loss).
public enum Targets: Sendable, Equatable {
    /// One class index per video.
    case classes([Int])
    /// The classes of each video (any number, possibly none).
    case labelSets([[Int]])

    /// The number of videos.
    public var count: Int {
        switch self {
        case .classes(let c): return c.count
        case .labelSets(let s): return s.count
        }
    }

    /// Every video's classes as a set (a single class is a one-element set).
    public var sets: [[Int]] {
        switch self {
        case .classes(let c): return c.map { [$0] }
        case .labelSets(let s): return s
        }
    }

    /// B×K row-major multi-hot targets: 1 at each class a video has.
    public func multiHot(classes k: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count * k)
        for (i, set) in sets.enumerated() { for c in set { out[i * k + c] = 1 } }
        return out
    }

    /// The targets of videos `range`.
    public func slice(_ range: Range<Int>) -> Targets {
        switch self {
        case .classes(let c): return .classes(Array(c[range]))
        case .labelSets(let s): return .labelSets(Array(s[range]))
        }
    }

    /// These targets followed by `other`'s (both of one kind, as the batches of one loader are).
    public func appending(_ other: Targets) -> Targets {
        switch (self, other) {
        case (.classes(let a), .classes(let b)): return .classes(a + b)
        case (.classes(let a), .labelSets(let b)) where a.isEmpty: return .labelSets(b)
        case (.labelSets(let a), .classes(let b)) where b.isEmpty: return .labelSets(a)
        default: return .labelSets(sets + other.sets)
        }
    }
}
