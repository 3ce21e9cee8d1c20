import Foundation

/// What failed, in words, for the one-line status: Foundation's file errors print as
/// `Error Domain=NSCocoaErrorDomain Code=642 "…" UserInfo={…}`, which says nothing at a glance and is cut at the
/// screen edge. Reel's own errors already read well and pass through unchanged.
public enum ErrorWords {
    public static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        if !text.hasPrefix("Error Domain=") { return text }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileWriteVolumeReadOnlyError: return "the file system is read-only"
            case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return "permission denied"
            case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file"
            case NSFileWriteOutOfSpaceError: return "no space left on the device"
            case NSFileWriteFileExistsError: return "the file already exists"
            case NSFileReadCorruptFileError: return "the file is damaged"
            default: break
            }
        }
        return "error \(ns.code) (\(ns.domain))"
    }
}
