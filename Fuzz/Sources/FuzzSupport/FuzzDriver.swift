import CFuzzer
import Foundation

/// Runs a fuzz target's program: libFuzzer when built with `-DFUZZING -sanitize=fuzzer` (scripts/fuzz.sh),
/// otherwise a replay of the input files named on the command line, so that a plain build can re-run a crash.
public enum FuzzDriver {
    public typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    public static func run(_ testOneInput: TestOneInput) -> Never {
        #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
        #else
        let paths = CommandLine.arguments.dropFirst()
        if paths.isEmpty {
            print("usage: \(CommandLine.arguments[0]) INPUT... (replays inputs; scripts/fuzz.sh builds the fuzzer)")
            exit(2)
        }
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("\(path): cannot read")
                exit(1)
            }
            _ = Array(data).withUnsafeBufferPointer { testOneInput($0.baseAddress, $0.count) }
            print("\(path): ok")
        }
        exit(0)
        #endif
    }

    /// A pointer for empty inputs, which may come without one.
    public static let emptyInput = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))
}
