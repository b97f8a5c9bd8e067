import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Output helpers for the command line: stderr messages, a progress line, Ctrl-C.
enum Terminal {
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Redraws one status line in place on a terminal.
    static func status(_ line: String) {
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
    }

    static func endStatus() {
        FileHandle.standardError.write(Data("\n".utf8))
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
                             : String(format: "%02d:%02d", total / 60, total % 60)
    }

    static func bar(_ fraction: Double, width: Int = 24) -> String {
        let filled = max(0, min(width, Int(fraction * Double(width))))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }
}

/// Ctrl-C (SIGINT) and SIGTERM for the whole command line, one mechanism for every command. A command
/// either polls `requested` and stops cleanly at a safe point (training checkpoints), or registers a cleanup
/// that removes its temporary output and exits at once (prepare). A second signal always exits at once.
///
/// Make one per command run and share it: on Linux a signal source made after an earlier one for the same
/// signal was cancelled never fires (measured: `mind compare` ignored SIGTERM from its second model on, when each
/// model's training made its own), while SIG_IGN keeps the default action from stopping the process either.
final class Interruption: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var sources: [DispatchSourceSignal] = []
    private let cleanup: (@Sendable () -> Void)?

    /// Starts listening. With `cleanup`, the first signal runs it and exits with 130; without, the first
    /// signal only sets `requested`.
    init(cleanup: (@Sendable () -> Void)? = nil) {
        self.cleanup = cleanup
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)  // delivered to the dispatch source instead
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in self?.received() }
            source.resume()
            sources.append(source)
        }
    }

    /// Whether a stop was asked for.
    var requested: Bool { lock.withLock { count > 0 } }

    private func received() {
        let seen = lock.withLock { () -> Int in count += 1; return count }
        if let cleanup {
            cleanup()
            FileHandle.standardError.write(Data("interrupted; no output written\n".utf8))
            exit(130)
        }
        if seen > 1 { _exit(130) }
    }

    /// Stops listening and restores the default signal handling.
    func cancel() {
        for source in sources { source.cancel() }
        sources = []
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    deinit { cancel() }
}
