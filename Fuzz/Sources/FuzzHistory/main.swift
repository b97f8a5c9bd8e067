import FuzzSupport
import Foundation
import MINDServing

// The input is a JSONL histories file for `mind recommend --input`. Thrown errors are fine.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let url = Scratch.file(named: "histories.jsonl", bytes: UnsafeRawBufferPointer(start: start, count: count))
    _ = try? HistoryFile.read(url)
    return 0
}

FuzzDriver.run { data, size in fuzz(data.map(UnsafeRawPointer.init) ?? FuzzDriver.emptyInput, size) }
