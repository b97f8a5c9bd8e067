// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for every reader of untrusted input. A package of its own, so that the main package's
// `swift build` and `swift test` never see it; `scripts/fuzz.sh` builds it with `-sanitize=fuzzer,address -DFUZZING`.
// Built without those flags, each target replays the input files named on its command line.
let fuzzer: (String, [Target.Dependency]) -> Target = { name, dependencies in
    .executableTarget(name: name, dependencies: ["FuzzSupport"] + dependencies)
}

let package = Package(
    name: "mind-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "mind", path: "..")],
    targets: [
        .target(name: "CFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzer"]),
        fuzzer("FuzzTables", [.product(name: "MINDData", package: "mind")]),
        fuzzer("FuzzHistory", [.product(name: "MINDServing", package: "mind")]),
        fuzzer("FuzzSafeTensors", [.product(name: "MINDNN", package: "mind")]),
        fuzzer("FuzzConfig", [.product(name: "MINDModels", package: "mind"), .product(name: "MINDJSON", package: "mind")]),
        fuzzer("FuzzDataset", [.product(name: "MINDData", package: "mind")]),
        fuzzer("FuzzJSON", [.product(name: "MINDJSON", package: "mind")]),
    ],
    swiftLanguageModes: [.v5]
)
