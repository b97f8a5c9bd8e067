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

/// Set by SIGINT; long-running commands poll it to stop cleanly (e.g. after a checkpoint).
enum Interruption {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    static var requested: Bool { flag != 0 }

    /// The first Ctrl-C asks to stop; a second one exits at once.
    static func install() {
        signal(SIGINT) { _ in
            if Interruption.flag != 0 { _exit(130) }
            Interruption.flag = 1
        }
    }
}
