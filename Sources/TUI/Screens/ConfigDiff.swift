import Config

/// A line diff of two config texts (the checkpoint's saved config against the current one): lines only in the
/// old text with "-", only in the new with "+", in order. A longest-common-subsequence diff; configs are small.
enum ConfigDiff {
    static func lines(old: String, new: String) -> [String] {
        let a = old.split(separator: "\n").map(String.init), b = new.split(separator: "\n").map(String.init)
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var out: [String] = [], i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] { i += 1; j += 1 }
            else if j < b.count, i == a.count || lcs[i][j + 1] >= lcs[i + 1][j] { out.append("+ " + b[j]); j += 1 }
            else { out.append("- " + a[i]); i += 1 }
        }
        return out
    }
}

/// The current config in the form checkpoints store it (pretty text).
enum PrettyTextBridge {
    static func render(_ doc: ConfigDocument) -> String { PrettyText.render(doc.config.root) }
}
