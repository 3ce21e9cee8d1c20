// swift-tools-version:6.0
// Reel: a terminal trainer for video action recognition.
// Dependency direction: reel → TUI → EngineTraining → EngineData → EngineCore, and EngineTraining → EngineDistributed
// (the process group). Config (which imports none of our targets) is read by EngineTraining's Build folder, TUI and
// reel; the core and data targets never see a config.
// Only TUI's Curses target calls ncurses.
import PackageDescription

let package = Package(
    name: "Reel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "reel", targets: ["reel"]),
        .library(name: "Config", targets: ["Config"]),
        .library(name: "Engine", targets: ["EngineCore", "EngineData", "EngineDistributed", "EngineTraining"]),
        .library(name: "TUI", targets: ["TUI"]),
    ],
    dependencies: [
        // `reel`'s command line (subcommands, options, help, completion).
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // System libraries, found through pkg-config; apt names for `swift build`'s hints.
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw", pkgConfig: "ncursesw",
                       providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG", pkgConfig: "libturbojpeg",
                       providers: [.apt(["libturbojpeg0-dev"])]),
        // FFmpeg's libraries (video files): one pkg-config name finds the shared include directory; the modulemap
        // links all four.
        .systemLibrary(name: "CFFmpeg", path: "Sources/CFFmpeg", pkgConfig: "libavformat",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]),
        // Open MPI (data-parallel training across processes and machines, issue 18).
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev"])]),

        .target(name: "Config", path: "Sources/Config"),
        // The hot loops in C, compiled once per instruction set (baseline, AVX2+FMA, AVX-512) and picked at run time
        // from CPUID (Sources/Engine/CKernels/include/ReelKernels.h). Optimised in debug builds too: the tests run
        // these kernels under every ISA, and at -O0 clang's vector code is ~20× slower.
        .target(name: "CKernels", path: "Sources/Engine/CKernels", cSettings: [.unsafeFlags(["-O3"])]),
        // The engine, in three layers (each depends only on those before it):
        // the numeric core — tensors, kernels, layers, models, optimizers. Kernels hand raw pointers to worker
        // threads (disjoint slices, joined before return), which Swift 6's Sendable checking cannot express, so the
        // core compiles in the Swift 5 language mode.
        .target(name: "EngineCore", dependencies: ["COpenBLAS", "CKernels"], path: "Sources/Engine/Core",
                swiftSettings: [.swiftLanguageMode(.v5)]),
        // Data: datasets, annotation lists, the pipeline, frame and video decoding and the loader (Swift 6, strict concurrency).
        .target(name: "EngineData", dependencies: ["EngineCore", "CKernels", "CTurboJPEG", "CFFmpeg"], path: "Sources/Engine/Data"),
        // Distributed: the process group of a data-parallel job (one process, or the ranks of an Open MPI job).
        .target(name: "EngineDistributed", dependencies: ["CMPI"], path: "Sources/Engine/Distributed"),
        // Training: the runner, hooks, checkpoints, the event record and logs, LR schedules, data parallelism,
        // benchmarks (Swift 6).
        .target(name: "EngineTraining", dependencies: ["EngineCore", "EngineData", "EngineDistributed", "Config"],
                path: "Sources/Engine/Training"),
        // ncurses keeps its state in C globals (stdscr, COLORS), which Swift 6 mode rejects: the ncurses calls are
        // one small Swift 5 target, and the rest of the dashboard is Swift 6.
        .target(name: "Curses", dependencies: ["CNcursesw"], path: "Sources/TUI/Curses",
                swiftSettings: [.swiftLanguageMode(.v5)]),
        .target(name: "TUI", dependencies: ["EngineCore", "EngineData", "EngineTraining", "Config", "Curses"], path: "Sources/TUI",
                exclude: ["Curses"]),
        .executableTarget(
            name: "reel",
            dependencies: ["Config", "EngineCore", "EngineData", "EngineDistributed", "EngineTraining", "TUI",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/reel"),

        .testTarget(name: "ConfigTests", dependencies: ["Config"], path: "Tests/ConfigTests"),
        .testTarget(name: "EngineTests", dependencies: ["EngineCore", "EngineData", "EngineDistributed", "EngineTraining", "Config"], path: "Tests/EngineTests",
                    exclude: ["Checkpoint/Fixtures", "Layers/Fixtures"],
                    swiftSettings: [.swiftLanguageMode(.v5)]),
        .testTarget(name: "TUITests", dependencies: ["TUI", "EngineCore", "EngineData", "EngineTraining", "Config"], path: "Tests/TUITests",
                    swiftSettings: [.swiftLanguageMode(.v5)]),
        // The fuzz targets for every reader of untrusted input (scripts/fuzz.sh builds it with libFuzzer; a plain build
        // replays a corpus). Under Tests/ because it is a test tool, not part of Reel.
        .executableTarget(name: "reel-fuzz", dependencies: ["Config", "EngineCore", "EngineData", "EngineTraining"], path: "Tests/Fuzz",
                          exclude: ["Corpus"]),
        // Drives the built `reel` binary (and, for the dashboard, tmux).
        .testTarget(name: "ReelCLITests", dependencies: ["reel"], path: "Tests/ReelCLITests", exclude: ["Fixtures"]),
    ]
)
