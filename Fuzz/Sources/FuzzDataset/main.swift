import FuzzSupport
import Foundation
import MINDData

// The input is a dataset directory packed by `FileArchive` (`#@# manifest.json`, its text, `#@# users.txt`, ...),
// loaded as `mind train --dataset` loads it. Thrown errors are fine.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let directory = FileArchive.materialize(UnsafeRawBufferPointer(start: start, count: count))
    _ = try? DatasetStore.load(from: directory)
    return 0
}

FuzzDriver.run { data, size in fuzz(data.map(UnsafeRawPointer.init) ?? FuzzDriver.emptyInput, size) }
