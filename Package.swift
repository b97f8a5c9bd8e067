// swift-tools-version: 6.1
import PackageDescription

// Everything is compiled for haswell (AVX2 + FMA; any x86-64 CPU since 2013) so that SIMD `fma` becomes one
// instruction instead of a libm call; see BENCHMARKS.md for the measured difference.
let haswell: SwiftSetting = .unsafeFlags(["-target-cpu", "haswell"])

// Every target keeps Swift's runtime checks (plain -O in release): an A/B of -Ounchecked for the numeric targets
// measured no gain (BENCHMARKS.md, "-Ounchecked: where it pays"), so a broken invariant stops with a message.
let checked: [SwiftSetting] = [haswell]

let package = Package(
    name: "mind",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mind", targets: ["mind"]),
        .library(name: "MINDCore", targets: ["MINDCore"]),
        .library(name: "MINDNN", targets: ["MINDNN"]),
        .library(name: "MINDJSON", targets: ["MINDJSON"]),
        .library(name: "MINDData", targets: ["MINDData"]),
        .library(name: "MINDModels", targets: ["MINDModels"]),
        .library(name: "MINDRetrieval", targets: ["MINDRetrieval"]),
        .library(name: "MINDServing", targets: ["MINDServing"]),
        .library(name: "MINDEval", targets: ["MINDEval"]),
        .library(name: "MINDPostgres", targets: ["MINDPostgres"]),
        .library(name: "MINDServer", targets: ["MINDServer"]),
        .library(name: "MINDReport", targets: ["MINDReport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // `mind serve`: HTTP (without swift-configuration support, which we do not use), bearer tokens, the SQLite
        // event log, Prometheus metrics and signal handling.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Already under Hummingbird; named for the HTTP parts a channel handler of `mind serve` reads and writes.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // hnswlib (Debian libhnswlib-dev, header-only) behind a C interface; AVX2 + FMA as the Swift kernels.
        .target(
            name: "CHNSW",
            path: "Sources/CHNSW",
            cxxSettings: [.define("NDEBUG"), .unsafeFlags(["-O3", "-mavx2", "-mfma"])]
        ),
        // The row-independent product (AVX-512 and AVX2 paths chosen at run time; -O3 without -ffast-math).
        .target(name: "CKernels", path: "Sources/CKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "MINDCore", dependencies: ["CBLAS", "CKernels"], swiftSettings: checked),
        // The one JSON reader (strict RFC 8259, errors with JSON path and line/column), for files and requests alike.
        .target(name: "MINDJSON", swiftSettings: checked),
        .target(name: "MINDNN", dependencies: ["MINDCore", "MINDJSON"], swiftSettings: checked),
        .target(name: "MINDData", dependencies: ["MINDCore", "MINDJSON"], swiftSettings: checked),
        .target(
            name: "MINDRetrieval",
            dependencies: ["MINDCore", "CHNSW"],
            swiftSettings: checked
        ),
        .target(
            name: "MINDModels",
            dependencies: ["MINDCore", "MINDNN", "MINDData", "MINDJSON", "Yams"],
            swiftSettings: checked
        ),
        .target(
            name: "MINDServing",
            dependencies: ["MINDCore", "MINDData", "MINDJSON", "MINDModels", "MINDRetrieval"],
            swiftSettings: checked
        ),
        .target(
            name: "MINDEval",
            dependencies: ["MINDCore", "MINDData", "MINDModels", "MINDRetrieval", "MINDServing"],
            swiftSettings: checked
        ),
        // PostgreSQL (pgvector) export and retrieval, kept in its own target so the other libraries stay free of NIO.
        .target(
            name: "MINDReport",
            dependencies: ["MINDCore", "MINDData", "MINDModels", "MINDServing", "MINDEval"],
            swiftSettings: checked
        ),
        .target(
            name: "MINDPostgres",
            dependencies: [
                "MINDCore", "MINDRetrieval", "MINDServing",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        // `mind serve`: the HTTP service over a Recommender, its durable event log (SQLite or PostgreSQL) and metrics.
        .target(
            name: "MINDServer",
            dependencies: [
                "MINDCore", "MINDData", "MINDJSON", "MINDRetrieval", "MINDServing", "MINDPostgres", "Yams",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: checked
        ),
        .target(
            name: "MINDCommands",
            dependencies: [
                "MINDCore", "MINDNN", "MINDData", "MINDJSON", "MINDModels", "MINDRetrieval", "MINDServing", "MINDEval",
                "MINDPostgres", "MINDServer", "MINDReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: checked
        ),
        .executableTarget(name: "mind", dependencies: ["MINDCommands"], swiftSettings: checked),
        // Planted data and small trained models shared by the test targets (tests depend on it, the product does not).
        .target(name: "MINDTestSupport", dependencies: ["MINDData", "MINDModels"], path: "Tests/MINDTestSupport", swiftSettings: checked),
        .testTarget(name: "MINDCoreTests", dependencies: ["MINDCore", "MINDTestSupport"], swiftSettings: checked),
        .testTarget(name: "MINDNNTests", dependencies: ["MINDNN", "MINDTestSupport"], swiftSettings: checked),
        .testTarget(name: "MINDDataTests", dependencies: ["MINDData", "MINDJSON", "MINDTestSupport"], swiftSettings: checked),
        .testTarget(name: "MINDModelsTests", dependencies: ["MINDModels", "MINDEval", "MINDTestSupport"], swiftSettings: checked),
        .testTarget(name: "MINDRetrievalTests", dependencies: ["MINDRetrieval"], swiftSettings: checked),
        .testTarget(name: "MINDServingTests", dependencies: ["MINDServing", "MINDEval", "MINDTestSupport"], swiftSettings: checked),
        .testTarget(name: "MINDEvalTests", dependencies: ["MINDEval", "MINDTestSupport"], swiftSettings: checked),
        .testTarget(name: "MINDReportTests", dependencies: ["MINDReport", "MINDEval", "MINDTestSupport"], swiftSettings: checked),
        .testTarget(name: "MINDPostgresTests", dependencies: ["MINDPostgres", "MINDRetrieval", "MINDCore"], swiftSettings: checked),
        .testTarget(
            name: "MINDServerTests",
            dependencies: [
                "MINDServer", "MINDServing", "MINDTestSupport", "Yams",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: checked
        ),
        .testTarget(name: "MINDCommandsTests", dependencies: ["MINDCommands", "MINDPostgres", "MINDServer", "MINDServing"], swiftSettings: checked),
    ],
    swiftLanguageModes: [.v5],
    cxxLanguageStandard: .cxx17
)
