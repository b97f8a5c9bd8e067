import FuzzSupport
import Foundation
import MINDNN

// The input is a weights.safetensors file. Thrown errors are fine.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let url = Scratch.file(named: "weights.safetensors", bytes: UnsafeRawBufferPointer(start: start, count: count))
    _ = try? SafeTensors.read(from: url)
    return 0
}

FuzzDriver.run { data, size in fuzz(data.map(UnsafeRawPointer.init) ?? FuzzDriver.emptyInput, size) }
