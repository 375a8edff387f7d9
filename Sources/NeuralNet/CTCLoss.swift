import TensorRuntime

extension ModuleValueBridge {
    /// A tuple or list of ints crossing `Module.call` (CTCLoss's lengths), nil for anything else;
    /// the bindings install the reader of the language's values.
    nonisolated(unsafe) public static var intSequence: (Any) -> [Int]? = { $0 as? [Int] }
}

/// `nn.CTCLoss(blank=0, reduction='mean', zero_infinity=False)`:
/// `forward(log_probs, targets, input_lengths, target_lengths)`, the lengths as tensors or as
/// tuples/lists of ints (`Functional.ctcLoss`).
open class CTCLoss: LossModule {
    public var blank: Int
    public var zeroInfinity: Bool

    public init(blank: Int = 0, reduction: String = "mean", zeroInfinity: Bool = false) throws {
        self.blank = blank
        self.zeroInfinity = zeroInfinity
        try super.init(reduction: reduction)
    }

    override open var hyperparameters: [(String, HyperValue)] {
        [("reduction", .string(reduction)), ("blank", .int(blank)), ("zero_infinity", .bool(zeroInfinity))]
    }

    override open var forwardParameterNames: [String] { ["log_probs", "targets", "input_lengths", "target_lengths"] }

    override open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let names = forwardParameterNames
        let bound = try bindForwardArguments(arguments, keywords, names: names, required: names.count).compactMap { $0 }
        func tensor(_ i: Int) throws -> Tensor {
            guard let t = ModuleValueBridge.tensor(from: bound[i]) else { throw TorchError.type("\(typeName).forward(): argument '\(names[i])' must be a Tensor") }
            return t
        }
        func lengths(_ i: Int) throws -> [Int] {
            if let t = ModuleValueBridge.tensor(from: bound[i]) { return t.toScalars().map { Int($0.doubleValue) } }
            guard let ints = ModuleValueBridge.intSequence(bound[i]) else {
                throw TorchError.type("\(typeName).forward(): argument '\(names[i])' must be a Tensor or a tuple of ints")
            }
            return ints
        }
        return ModuleValueBridge.wrap(try Functional.ctcLoss(try tensor(0), targets: try tensor(1), inputLengths: try lengths(2),
                                                             targetLengths: try lengths(3), blank: blank, reduction: reduction,
                                                             zeroInfinity: zeroInfinity))
    }
}
