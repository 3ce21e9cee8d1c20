import CFFmpeg

/// FFmpeg's own console messages. By default libavformat and libx264 write to standard error (x264's settings
/// and statistics for every video encoded; "moov atom not found" for a broken file); the `reel data` commands
/// silence them, as they report each video themselves, naming the file.
public enum FFmpegLog {
    /// Only FFmpeg's fatal messages from now on (a process-wide FFmpeg setting).
    public static func quiet() { av_log_set_level(AV_LOG_FATAL) }
}
