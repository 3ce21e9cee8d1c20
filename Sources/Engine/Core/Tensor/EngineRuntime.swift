import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Process-wide settings the engine needs before its first tensor, applied once.
///
/// - OpenBLAS runs single-threaded: Reel splits work over the cores itself (`Parallel`), calling GEMMs from its
///   own workers; OpenBLAS threads on top would oversubscribe the two cores (and spin-wait between calls).
/// - Freed activation buffers stay in the process heap instead of going back to the kernel: a training step
///   allocates and frees hundreds of MB, and with glibc's defaults every large block is a fresh mmap whose pages
///   fault in (zeroed) again on every step. (Blocks above glibc's 32 MiB limit are still mapped afresh; the
///   convolution keeps its biggest buffer, the training col matrix, from step to step itself.) `mallopt` is
///   looked up dynamically (malloc.h is not in Swift's Glibc module); on other C libraries this part does nothing.
enum EngineRuntime {
    static let configured: Bool = {
        openblas_set_num_threads(1)
        #if canImport(Glibc)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        if let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {   // RTLD_DEFAULT
            let mallopt = unsafeBitCast(sym, to: Mallopt.self)
            _ = mallopt(-3, 32 << 20)         // M_MMAP_THRESHOLD: 32 MiB, the most glibc accepts (a larger value is refused)
            _ = mallopt(-1, Int32.max)        // M_TRIM_THRESHOLD: never trim
        }
        #endif
        return true
    }()
}
