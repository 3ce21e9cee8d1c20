import Foundation

#if LIBFUZZER
// Built with `-sanitize=fuzzer -DLIBFUZZER` (scripts/fuzz.sh): libFuzzer mutates inputs guided by coverage and calls
// `fuzzOneInput` for each. SwiftPM gives an executable its own entry point, so `main` hands over to libFuzzer's
// driver instead of linking libFuzzer's `main`. REEL_FUZZ_TARGET names the target.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

nonisolated(unsafe) private var selected = FuzzTarget.config

@main
struct FuzzDriver {
    static func main() {
        let name = ProcessInfo.processInfo.environment["REEL_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data(("REEL_FUZZ_TARGET must be one of: "
                + FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ") + "\n").utf8))
            exit(2)
        }
        selected = target
        var argc = CommandLine.argc
        var argv = Optional(CommandLine.unsafeArgv)
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            selected.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
            return 0
        })
    }
}
#else
/// Without libFuzzer: `reel-fuzz TARGET FILE…` runs each file through the target once (replaying a corpus or a
/// saved crash in an ordinary build); it prints how many ran and exits 0 unless the process dies on one.
@main
struct FuzzReplay {
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        if args.first == "--make-seeds", let dir = args.dropFirst().first {
            do { try FuzzSeeds.write(to: dir) } catch { print("reel-fuzz: \(error)"); exit(1) }
            return
        }
        guard let name = args.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: reel-fuzz TARGET FILE|DIR…  (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
            exit(2)
        }
        var count = 0
        for path in args.dropFirst() {
            for file in files(at: path) {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                target.run(Array(data))
                count += 1
            }
        }
        print("reel-fuzz \(name): \(count) inputs replayed, no crash")
    }

    static func files(at path: String) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return [] }
        guard isDir.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { (path as NSString).appendingPathComponent($0) }
    }
}
#endif
