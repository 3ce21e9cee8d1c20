/// "Did you mean …?": the closest candidate by edit distance (Damerau–Levenshtein, case-insensitive), if close
/// enough to be a plausible typo.
public enum Suggestion {
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let w = Array(word.lowercased())
        var best: (String, Int)? = nil
        for c in candidates {
            let d = distance(w, Array(c.lowercased()))
            if d < (best?.1 ?? Int.max) { best = (c, d) }
        }
        // A truncated name (`max_keep` for `max_keep_ckpts`) is a typo too, however many letters are missing.
        if w.count >= 4, let prefixed = candidates.first(where: { $0.lowercased().hasPrefix(word.lowercased()) }) {
            if best.map({ $0.1 > 1 }) ?? true { return prefixed }
        }
        guard let (name, d) = best else { return nil }
        // Allow about one edit per three characters (at least one), and never a completely different word.
        let limit = max(1, min(w.count, name.count) / 3)
        return d <= limit ? name : nil
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
