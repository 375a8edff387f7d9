import NNLang
import TensorRuntime

/// `torch.contiguous_format`, `torch.channels_last`, `torch.channels_last_3d`,
/// `torch.preserve_format`: one object per format (so `is` holds), printed as PyTorch prints them,
/// of type `torch.memory_format` (TensorRuntime/MemoryFormat.swift says what nnrepl does with them).
final class MemoryFormatObject: PyObject {
    let format: MemoryFormat
    private init(_ format: MemoryFormat) { self.format = format }

    private static let all: [MemoryFormat: MemoryFormatObject] = Dictionary(uniqueKeysWithValues: MemoryFormat.allCases.map { ($0, MemoryFormatObject($0)) })

    static func of(_ format: MemoryFormat) -> MemoryFormatObject { all[format] ?? MemoryFormatObject(format) }

    override var typeName: String { "memory_format" }
    override func repr(_ ev: Evaluator) throws -> String { "torch." + format.rawValue }

    /// Adds the four formats and the `torch.memory_format` type to `torch`.
    static func install(_ torch: Namespace) {
        for f in MemoryFormat.allCases { torch[f.rawValue] = .object(of(f)) }
        torch["memory_format"] = .object(HostType("memory_format", check: { v in
            if case .object(let o) = v { return o is MemoryFormatObject }
            return false
        }))
    }
}

extension Convert {
    /// A `memory_format=` argument; nil when absent or None.
    static func memoryFormat(_ v: Value?, _ function: String) throws -> MemoryFormat? {
        guard let v, !v.isNone else { return nil }
        guard case .object(let o as MemoryFormatObject) = v else {
            throw PyError(.typeError, "\(function)(): argument 'memory_format' must be torch.memory_format, not \(v.typeName)")
        }
        return o.format
    }
}
