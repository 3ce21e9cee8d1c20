import Engine

/// Reel's dashboard. Arrives with issue 6.
public enum TUIInfo {
    public static let name = "reel tui"
}
