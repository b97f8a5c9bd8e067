// swift-tools-version: 6.1
import PackageDescription

// Kernels are compiled for haswell (AVX2 + FMA; any x86-64 CPU since 2013) so that SIMD `fma` becomes one instruction
// instead of a libm call; see BENCHMARKS.md for the measured difference.
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
    .unsafeFlags(["-target-cpu", "haswell"]),
]

let package = Package(
    name: "mind",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mind", targets: ["mind"]),
        .library(name: "MINDCore", targets: ["MINDCore"]),
        .library(name: "MINDNN", targets: ["MINDNN"]),
        .library(name: "MINDData", targets: ["MINDData"]),
        .library(name: "MINDModels", targets: ["MINDModels"]),
        .library(name: "MINDRetrieval", targets: ["MINDRetrieval"]),
        .library(name: "MINDServing", targets: ["MINDServing"]),
        .library(name: "MINDEval", targets: ["MINDEval"]),
        .library(name: "MINDPostgres", targets: ["MINDPostgres"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(name: "MINDCore", dependencies: ["CBLAS"], swiftSettings: fastMath),
        .target(name: "MINDNN", dependencies: ["MINDCore"], swiftSettings: fastMath),
        .target(name: "MINDData", dependencies: ["MINDCore"], swiftSettings: fastMath),
        .target(
            name: "MINDRetrieval",
            dependencies: ["MINDCore"],
            swiftSettings: fastMath
        ),
        .target(
            name: "MINDModels",
            dependencies: ["MINDCore", "MINDNN", "MINDData", "Yams"],
            swiftSettings: fastMath
        ),
        .target(
            name: "MINDServing",
            dependencies: ["MINDCore", "MINDData", "MINDModels", "MINDRetrieval"],
            swiftSettings: fastMath
        ),
        .target(
            name: "MINDEval",
            dependencies: ["MINDCore", "MINDData", "MINDModels", "MINDRetrieval", "MINDServing"],
            swiftSettings: fastMath
        ),
        // PostgreSQL (pgvector) export and retrieval, kept in its own target so the other libraries stay free of NIO.
        .target(
            name: "MINDPostgres",
            dependencies: [
                "MINDCore", "MINDRetrieval", "MINDServing",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .target(
            name: "MINDCommands",
            dependencies: [
                "MINDCore", "MINDNN", "MINDData", "MINDModels", "MINDRetrieval", "MINDServing", "MINDEval", "MINDPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: fastMath
        ),
        .executableTarget(name: "mind", dependencies: ["MINDCommands"], swiftSettings: fastMath),
        // Planted data and small trained models shared by the test targets (tests depend on it, the product does not).
        .target(name: "MINDTestSupport", dependencies: ["MINDData", "MINDModels"], path: "Tests/MINDTestSupport", swiftSettings: fastMath),
        .testTarget(name: "MINDCoreTests", dependencies: ["MINDCore"], swiftSettings: fastMath),
        .testTarget(name: "MINDNNTests", dependencies: ["MINDNN"], swiftSettings: fastMath),
        .testTarget(name: "MINDDataTests", dependencies: ["MINDData"], swiftSettings: fastMath),
        .testTarget(name: "MINDModelsTests", dependencies: ["MINDModels", "MINDEval"], swiftSettings: fastMath),
        .testTarget(name: "MINDRetrievalTests", dependencies: ["MINDRetrieval"], swiftSettings: fastMath),
        .testTarget(name: "MINDServingTests", dependencies: ["MINDServing", "MINDEval", "MINDTestSupport"], swiftSettings: fastMath),
        .testTarget(name: "MINDEvalTests", dependencies: ["MINDEval", "MINDTestSupport"], swiftSettings: fastMath),
        .testTarget(name: "MINDPostgresTests", dependencies: ["MINDPostgres", "MINDRetrieval", "MINDCore"], swiftSettings: fastMath),
        .testTarget(name: "MINDCommandsTests", dependencies: ["MINDCommands", "MINDPostgres"], swiftSettings: fastMath),
    ],
    swiftLanguageModes: [.v5]
)
