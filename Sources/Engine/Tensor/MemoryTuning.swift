#if canImport(Glibc)
import Glibc
#endif

/// Keeps freed activation buffers in the process heap instead of returning them to the kernel.
///
/// Why: a training step allocates and frees hundreds of MB of activations; with glibc's defaults every large
/// block is a fresh mmap whose pages fault in (and are zeroed) again on every step. Raising the mmap and trim
/// thresholds lets the next step reuse the same pages. `mallopt` is looked up dynamically (malloc.h is not in
/// Swift's Glibc module); on other C libraries this does nothing.
enum MemoryTuning {
    static let configured: Bool = {
        #if canImport(Glibc)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        if let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {   // RTLD_DEFAULT
            let mallopt = unsafeBitCast(sym, to: Mallopt.self)
            _ = mallopt(-3, 1 << 30)          // M_MMAP_THRESHOLD: 1 GiB
            _ = mallopt(-1, Int32.max)        // M_TRIM_THRESHOLD: never trim
        }
        #endif
        return true
    }()
}
