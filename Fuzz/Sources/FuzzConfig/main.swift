import FuzzSupport
import Foundation
import MINDJSON
import MINDModels

// The input is a config file: read as `mind train --config` reads YAML or JSON, and decoded as config.json's
// `config` object is; each config read is then validated as before training. Thrown errors are fine.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let url = Scratch.file(named: "config.yaml", bytes: bytes)
    if let config = try? ModelConfig.load(from: url) { _ = try? config.validate() }
    if let config = try? StrictJSON.decode(ModelConfig.self, from: bytes) { _ = try? config.validate() }
    return 0
}

FuzzDriver.run { data, size in fuzz(data.map(UnsafeRawPointer.init) ?? FuzzDriver.emptyInput, size) }
