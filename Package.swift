// swift-tools-version:6.0
// Reel: a terminal trainer for video action recognition.
// Dependency direction: reel → TUI → Engine → Config (Config imports none of our targets).
import PackageDescription

let package = Package(
    name: "Reel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "reel", targets: ["reel"]),
        .library(name: "Config", targets: ["Config"]),
        .library(name: "Engine", targets: ["Engine"]),
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

        .target(name: "Config", path: "Sources/Config"),
        .target(name: "Engine", dependencies: ["Config", "COpenBLAS", "CTurboJPEG"], path: "Sources/Engine",
                // Kernels hand raw pointers to worker threads (disjoint slices, joined before return); Swift 6's
                // Sendable checking cannot express that, so the engine compiles in the Swift 5 language mode.
                swiftSettings: [.swiftLanguageMode(.v5)]),
        // ncurses exposes its state as C globals (stdscr, COLORS, LINES), which Swift 6 mode rejects; only
        // Terminal.swift touches them, from the UI thread.
        .target(name: "TUI", dependencies: ["Engine", "Config", "CNcursesw"], path: "Sources/TUI",
                swiftSettings: [.swiftLanguageMode(.v5)]),
        .executableTarget(
            name: "reel",
            dependencies: ["Config", "Engine", "TUI",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/reel"),

        .testTarget(name: "ConfigTests", dependencies: ["Config"], path: "Tests/ConfigTests"),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Config"], path: "Tests/EngineTests",
                    exclude: ["Checkpoint/Fixtures"],
                    swiftSettings: [.swiftLanguageMode(.v5)]),
        .testTarget(name: "TUITests", dependencies: ["TUI", "Engine", "Config"], path: "Tests/TUITests",
                    swiftSettings: [.swiftLanguageMode(.v5)]),
        // The fuzz targets for every reader of untrusted input (scripts/fuzz.sh builds it with libFuzzer; a plain build
        // replays a corpus). Under Tests/ because it is a test tool, not part of Reel.
        .executableTarget(name: "reel-fuzz", dependencies: ["Config", "Engine"], path: "Tests/Fuzz",
                          exclude: ["Corpus"]),
        // Drives the built `reel` binary (and, for the dashboard, tmux).
        .testTarget(name: "ReelCLITests", dependencies: ["reel"], path: "Tests/ReelCLITests"),
    ]
)
