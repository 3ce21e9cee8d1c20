/// The bounds that keep loading any config, however hostile, cheap in stack, memory and time. Each is far above
/// what a real mm config needs (the mmaction2 configs nest under 10 levels, hold a few thousand values and take
/// a few thousand evaluation steps); passing one is a located `ConfigError` saying which limit it was.
///
/// Sizes are *logical*: a value that appears twice counts twice (`a = dict(x=b, y=b)` is twice `b`), because
/// printing, merging and comparing walk every appearance, however the values share memory.
public enum ConfigLimits {
    /// Nesting of one expression: brackets, unary operators (`-`, `not`), `**` chains, conditional expressions,
    /// subscripts and calls chained on one value. Python itself refuses 200 nested brackets.
    public static let nesting = 200
    /// Tokens in one statement (a 10 MB list literal has about as many): the statement's syntax tree is held whole
    /// until it is evaluated.
    public static let statementTokens = 5_000_000
    /// Nesting of a value: a list in a dict in a list … (also built up by assignments such as `a = [a]`).
    public static let valueDepth = 200
    /// Values (list, tuple and dict elements and scalars) in one value, and in the whole loaded config.
    public static let values = 20_000_000
    /// UTF-8 bytes of string text in one value, and in the whole loaded config.
    public static let stringBytes = 200_000_000
    /// Evaluation steps for one file beyond one step per byte of its text: only comprehensions and operators
    /// that repeat work (`*`, `in`, `==` on big values) can use them up. A step is one syntax node evaluated, or
    /// 8 values copied or compared in bulk; 5,000,000 steps take about a second.
    public static let extraSteps = 5_000_000
    /// Width and precision in an f-string format spec (`f'{x:>10.3f}'`).
    public static let formatWidth = 10_000
    /// `_base_` files named in a chain (a base of a base of …).
    public static let baseChain = 100
    /// Files read for one config, counting a base each time it is named (so diamonds cannot multiply the work).
    public static let filesPerLoad = 10_000

    /// The wording every limit error shares, so a user can tell a limit from a mistake.
    static func exceeded(_ what: String, _ limit: Int, unit: String = "") -> String {
        "\(what) exceeds Reel's limit of \(grouped(limit))\(unit.isEmpty ? "" : " " + unit)"
    }

    /// `20000000` → `20,000,000`.
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (k, d) in digits.enumerated() {
            if k > 0, (digits.count - k) % 3 == 0 { out += "," }
            out.append(d)
        }
        return out
    }
}
