import Foundation
import TensorRuntime

/// The checkpoint readers on in-memory bytes, for the fuzz targets (Sources/Fuzz, scripts/fuzz).
/// Each throws a `TorchError` for bad input; anything else (a crash, a hang, a huge allocation) is a bug.
public enum CheckpointFuzzing {
    /// Largest storage the pickle fuzz target hands out (elements); a bigger request is refused as
    /// a real `.pth` would refuse a storage record larger than its file.
    static let maxFuzzStorage = 1 << 16

    /// Runs `bytes` as the `data.pkl` of a checkpoint; every storage it names is zero-filled.
    public static func unpickle(_ bytes: [UInt8]) throws -> CheckpointValue {
        var reader = PickleReader(bytes) { key, type, count in
            guard count <= maxFuzzStorage else { throw TorchError.runtime("storage data/\(key) is larger than its record") }
            return try Storage(count: count, dtype: type, zeroed: true)
        }
        return try reader.load()
    }
}
