import TensorRuntime

/// The feed-forward activation of a transformer layer: `"relu"`/`"gelu"` (PyTorch stores
/// `F.relu`/`F.gelu`), a module (registered as the child `activation`), or any other callable.
public enum TransformerActivation {
    case relu, gelu
    case module(Module)
    case function((Tensor) throws -> Tensor)

    /// `activation_relu_or_gelu`: 1 for relu (F.relu or an nn.ReLU), 2 for gelu, else 0.
    var reluOrGelu: Int {
        switch self {
        case .relu: return 1
        case .gelu: return 2
        case .module(let m): return m is ReLU ? 1 : m is GELU ? 2 : 0
        case .function: return 0
        }
    }

    func apply(_ x: Tensor, in layer: Module) throws -> Tensor {
        switch self {
        case .relu: return try x.relu()
        case .gelu: return try x.gelu()
        case .function(let f): return try f(x)
        case .module: return try layer.callChild("activation", x)
        }
    }
}

extension Module {
    /// Calls the child `name` (hooks included) on one tensor, as `self.name(x)` does.
    func callChild(_ name: String, _ x: Tensor) throws -> Tensor {
        guard let m = child(name) else { throw TorchError(.attributeError, "'\(typeName)' object has no attribute '\(name)'") }
        return try m.callTensor([x], [])
    }

    /// `self(*tensors, **keywords)` for a layer called with tensors, optional masks (None when nil)
    /// and flags, as the transformer stacks call their layers (hooks included).
    func callTensor(_ tensors: [Tensor], _ keywords: [(String, Any?)]) throws -> Tensor {
        let kw: [(String, Any)] = keywords.map { name, v in
            if let t = v as? Tensor { return (name, ModuleValueBridge.wrap(t)) }
            if let b = v as? Bool { return (name, ForwardArgumentBridge.box(b)) }
            return (name, ForwardArgumentBridge.none)
        }
        let out = try call(arguments: tensors.map(ModuleValueBridge.wrap), keywords: kw)
        guard let t = ModuleValueBridge.tensor(from: out) else { throw TorchError.type("\(typeName) returned a non-tensor value") }
        return t
    }

    /// The child `name` as a MultiheadAttention.
    func attentionChild(_ name: String) throws -> MultiheadAttention {
        guard let m = child(name) as? MultiheadAttention else {
            throw TorchError(.attributeError, "'\(typeName)' object has no attribute '\(name)'")
        }
        return m
    }

    /// `copy.deepcopy(self)` for the built-in transformer layers: `make` rebuilds the layer
    /// without drawing random numbers, then every parameter and buffer takes a copy of this
    /// one's values (and requires_grad), and every submodule this one's training flag.
    func deepCopy<M: Module>(_ make: () throws -> M) throws -> M {
        let saved = Init.randomFillsDisabled
        Init.randomFillsDisabled = true
        defer { Init.randomFillsDisabled = saved }
        let copy = try make()
        for ((_, src), (_, dst)) in zip(namedParameters(removeDuplicate: false), copy.namedParameters(removeDuplicate: false)) {
            try dst.setData(try GradMode.withNoGrad { try src.detached().cloned() })
            try dst.setRequiresGrad(src.requiresGrad)
        }
        for ((_, src), (_, dst)) in zip(namedBuffers(removeDuplicate: false), copy.namedBuffers(removeDuplicate: false)) {
            try dst.setData(try GradMode.withNoGrad { try src.detached().cloned() })
        }
        for ((_, src), (_, dst)) in zip(namedModules(removeDuplicate: false), copy.namedModules(removeDuplicate: false)) {
            dst.training = src.training
        }
        return copy
    }
}

/// What a transformer encoder or decoder layer is built from (the constructor's arguments).
public struct TransformerLayerOptions {
    public var dModel, nhead: Int
    public var dimFeedforward = 2048
    /// Kept as written (an int stays an int in the child Dropouts' and LayerNorms' reprs).
    @WrittenFloat public var dropout = 0.1
    public var activation = TransformerActivation.relu
    @WrittenFloat public var layerNormEps = 1e-5
    public var batchFirst = false, normFirst = false, bias = true

    public init(dModel: Int, nhead: Int) { self.dModel = dModel; self.nhead = nhead }
}

/// `nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=2048, dropout=0.1,
/// activation=relu, layer_norm_eps=1e-05, batch_first=False, norm_first=False, bias=True)`:
/// self-attention then a feed-forward block, each with a residual connection and a LayerNorm
/// (after, or before with `norm_first`). Children in PyTorch's order: self_attn, linear1,
/// dropout, linear2, norm1, norm2, dropout1, dropout2 (and activation when it is a module).
open class TransformerEncoderLayer: Module {
    public let options: TransformerLayerOptions
    public var normFirst: Bool

    public init(_ o: TransformerLayerOptions) throws {
        options = o
        normFirst = o.normFirst
        super.init()
        try addModule("self_attn", try MultiheadAttention(o.dModel, o.nhead, dropout: o.dropout, bias: o.bias, batchFirst: o.batchFirst))
        try addFeedForward(o, norms: 2)
    }

    override open var pythonModuleName: String { "torch.nn.modules.transformer" }

    override open var hyperparameters: [(String, HyperValue)] {
        [("norm_first", .bool(normFirst)), ("activation_relu_or_gelu", .int(options.activation.reluOrGelu))]
    }

    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        guard name == "norm_first", case .bool(let b) = value else { return false }
        normFirst = b
        return true
    }

    /// `copy.deepcopy(layer)` (what TransformerEncoder does to its layer).
    open func deepCopied() throws -> TransformerEncoderLayer {
        try deepCopy { try TransformerEncoderLayer(options) }
    }

    override open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let a = try ForwardArguments(typeName, names: ["src", "src_mask", "src_key_padding_mask", "is_causal"], required: 1, arguments, keywords)
        return ModuleValueBridge.wrap(try encode(try a.requiredTensor(0), mask: try a.tensor(1), keyPaddingMask: try a.tensor(2),
                                                 isCausal: a.flag(3) ?? false))
    }

    public func encode(_ src: Tensor, mask: Tensor? = nil, keyPaddingMask: Tensor? = nil, isCausal: Bool = false) throws -> Tensor {
        let padding = try canonicalMask(keyPaddingMask, "src_key_padding_mask", other: mask, otherName: "src_mask", target: src.dtype)
        let mask = try canonicalMask(mask, "src_mask", other: nil, otherName: "", target: src.dtype)
        let attention = try attentionChild("self_attn")
        func selfAttention(_ x: Tensor) throws -> Tensor {
            let out = try attention.attend(x, x, x, keyPaddingMask: padding, needWeights: false, attnMask: mask, isCausal: isCausal).0
            return try callChild("dropout1", out)
        }
        if normFirst {
            let x = try src.add(try selfAttention(try callChild("norm1", src)))
            return try x.add(try feedForward(try callChild("norm2", x), dropout: "dropout2"))
        }
        let x = try callChild("norm1", try src.add(try selfAttention(src)))
        return try callChild("norm2", try x.add(try feedForward(x, dropout: "dropout2")))
    }
}

extension Module {
    /// linear1, dropout, linear2, the norms, the residual dropouts and a module activation, in
    /// PyTorch's registration order (after the attention blocks).
    fileprivate func addFeedForward(_ o: TransformerLayerOptions, norms: Int) throws {
        try addModule("linear1", try Linear(o.dModel, o.dimFeedforward, bias: o.bias))
        try addModule("dropout", try dropout(o))
        try addModule("linear2", try Linear(o.dimFeedforward, o.dModel, bias: o.bias))
        for i in 1...norms {
            let norm = try LayerNorm([o.dModel], eps: o.layerNormEps, bias: o.bias)
            norm.$eps = o.$layerNormEps
            try addModule("norm\(i)", norm)
        }
        for i in 1...norms { try addModule("dropout\(i)", try dropout(o)) }
        if case .module(let m) = o.activation { try addModule("activation", m) }
    }

    /// A Dropout child with the layer's `dropout` as written.
    private func dropout(_ o: TransformerLayerOptions) throws -> Dropout {
        let d = try Dropout(p: o.dropout)
        d.$p = o.$dropout
        return d
    }

    /// `_ff_block`: linear2(dropout(activation(linear1(x)))), then the residual dropout.
    fileprivate func feedForward(_ x: Tensor, dropout residual: String) throws -> Tensor {
        let activation = (self as? TransformerEncoderLayer)?.options.activation ?? (self as? TransformerDecoderLayer)?.options.activation ?? .relu
        let hidden = try activation.apply(try callChild("linear1", x), in: self)
        return try callChild(residual, try callChild("linear2", try callChild("dropout", hidden)))
    }
}

/// `nn.TransformerDecoderLayer(d_model, nhead, …)`: self-attention, attention over the encoder's
/// output (`memory`), feed-forward; children self_attn, multihead_attn, linear1, dropout, linear2,
/// norm1-3, dropout1-3.
open class TransformerDecoderLayer: Module {
    public let options: TransformerLayerOptions
    public var normFirst: Bool

    public init(_ o: TransformerLayerOptions) throws {
        options = o
        normFirst = o.normFirst
        super.init()
        try addModule("self_attn", try MultiheadAttention(o.dModel, o.nhead, dropout: o.dropout, bias: o.bias, batchFirst: o.batchFirst))
        try addModule("multihead_attn", try MultiheadAttention(o.dModel, o.nhead, dropout: o.dropout, bias: o.bias, batchFirst: o.batchFirst))
        try addFeedForward(o, norms: 3)
    }

    override open var pythonModuleName: String { "torch.nn.modules.transformer" }
    override open var hyperparameters: [(String, HyperValue)] { [("norm_first", .bool(normFirst))] }

    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        guard name == "norm_first", case .bool(let b) = value else { return false }
        normFirst = b
        return true
    }

    open func deepCopied() throws -> TransformerDecoderLayer {
        try deepCopy { try TransformerDecoderLayer(options) }
    }

    static let forwardNames = ["tgt", "memory", "tgt_mask", "memory_mask", "tgt_key_padding_mask", "memory_key_padding_mask",
                               "tgt_is_causal", "memory_is_causal"]

    override open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let a = try ForwardArguments(typeName, names: Self.forwardNames, required: 2, arguments, keywords)
        return ModuleValueBridge.wrap(try decode(try a.requiredTensor(0), memory: try a.requiredTensor(1), tgtMask: try a.tensor(2),
                                                 memoryMask: try a.tensor(3), tgtKeyPaddingMask: try a.tensor(4),
                                                 memoryKeyPaddingMask: try a.tensor(5), tgtIsCausal: a.flag(6) ?? false,
                                                 memoryIsCausal: a.flag(7) ?? false))
    }

    public func decode(_ tgt: Tensor, memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil, tgtKeyPaddingMask: Tensor? = nil,
                       memoryKeyPaddingMask: Tensor? = nil, tgtIsCausal: Bool = false, memoryIsCausal: Bool = false) throws -> Tensor {
        let selfAttn = try attentionChild("self_attn"), crossAttn = try attentionChild("multihead_attn")
        func selfBlock(_ x: Tensor) throws -> Tensor {
            try callChild("dropout1", try selfAttn.attend(x, x, x, keyPaddingMask: tgtKeyPaddingMask, needWeights: false,
                                                          attnMask: tgtMask, isCausal: tgtIsCausal).0)
        }
        func crossBlock(_ x: Tensor) throws -> Tensor {
            try callChild("dropout2", try crossAttn.attend(x, memory, memory, keyPaddingMask: memoryKeyPaddingMask, needWeights: false,
                                                           attnMask: memoryMask, isCausal: memoryIsCausal).0)
        }
        if normFirst {
            var x = try tgt.add(try selfBlock(try callChild("norm1", tgt)))
            x = try x.add(try crossBlock(try callChild("norm2", x)))
            return try x.add(try feedForward(try callChild("norm3", x), dropout: "dropout3"))
        }
        var x = try callChild("norm1", try tgt.add(try selfBlock(tgt)))
        x = try callChild("norm2", try x.add(try crossBlock(x)))
        return try callChild("norm3", try x.add(try feedForward(x, dropout: "dropout3")))
    }
}

/// `_detect_is_causal_mask`: an explicit flag wins; with None, a mask equal to
/// `generate_square_subsequent_mask(size)` means causal.
func detectCausal(_ mask: Tensor?, _ isCausal: Bool?, size: Int?) throws -> Bool {
    if let isCausal { return isCausal }
    guard let mask, mask.dim >= 2 else { return false }
    let sz = size ?? mask.shape[mask.dim - 2]
    guard mask.shape == [sz, sz] else { return false }
    let reference = try Transformer.squareSubsequentMask(sz, dtype: mask.dtype)
    return try mask.equal(reference)
}

/// `_get_seq_len`: the sequence length of a (batched or not) input.
func sequenceLength(_ src: Tensor, batchFirst: Bool) -> Int? {
    if src.dim == 2 { return src.shape[0] }
    guard src.dim >= 2 else { return nil }
    return src.shape[batchFirst ? 1 : 0]
}

/// `nn.TransformerEncoder(encoder_layer, num_layers, norm=None, enable_nested_tensor=True,
/// mask_check=True)`: `layers` is a ModuleList of `num_layers` deep copies of the layer (all
/// starting from its weights), then the optional `norm`.
open class TransformerEncoder: Module {
    public let numLayers: Int
    public let enableNestedTensor, maskCheck: Bool
    public private(set) var useNestedTensor: Bool

    public init(_ layer: TransformerEncoderLayer, numLayers: Int, norm: Module? = nil, enableNestedTensor: Bool = true,
                maskCheck: Bool = true) throws {
        self.numLayers = numLayers
        self.enableNestedTensor = enableNestedTensor
        self.maskCheck = maskCheck
        useNestedTensor = enableNestedTensor
        super.init()
        try addModule("layers", ModuleList(try (0..<max(numLayers, 0)).map { _ in try layer.deepCopied() }))
        if let norm { try addModule("norm", norm) }
        if enableNestedTensor, let reason = try Self.whyNotSparsityFastPath(layer) {
            NNWarnings.warn("enable_nested_tensor is True, but self.use_nested_tensor is False because \(reason)")
            useNestedTensor = false
        }
    }

    private static func whyNotSparsityFastPath(_ layer: TransformerEncoderLayer) throws -> String? {
        let attention = try layer.attentionChild("self_attn")
        if layer.normFirst { return "encoder_layer.norm_first was True" }
        if !attention.batchFirst { return "encoder_layer.self_attn.batch_first was not True(use batch_first for better inference performance)" }
        if !attention.qkvSameEmbedDim { return "encoder_layer.self_attn._qkv_same_embed_dim was not True" }
        if attention.parameter("in_proj_bias") == nil { return "encoder_layer.self_attn was passed bias=False" }
        if layer.options.activation.reluOrGelu == 0 { return "encoder_layer.activation_relu_or_gelu was not True" }
        let eps1 = (layer.child("norm1") as? LayerNorm)?.eps, eps2 = (layer.child("norm2") as? LayerNorm)?.eps
        if eps1 != eps2 { return "encoder_layer.norm1.eps was not equal to encoder_layer.norm2.eps" }
        if attention.numHeads % 2 == 1 { return "encoder_layer.self_attn.num_heads is odd" }
        return nil
    }

    override open var pythonModuleName: String { "torch.nn.modules.transformer" }

    override open var hyperparameters: [(String, HyperValue)] {
        [("num_layers", .int(numLayers)), ("enable_nested_tensor", .bool(enableNestedTensor)),
         ("use_nested_tensor", .bool(useNestedTensor)), ("mask_check", .bool(maskCheck))]
    }

    override open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let a = try ForwardArguments(typeName, names: ["src", "mask", "src_key_padding_mask", "is_causal"], required: 1, arguments, keywords)
        return ModuleValueBridge.wrap(try encode(try a.requiredTensor(0), mask: try a.tensor(1), keyPaddingMask: try a.tensor(2), isCausal: a.flag(3)))
    }

    public func encode(_ src: Tensor, mask: Tensor? = nil, keyPaddingMask: Tensor? = nil, isCausal: Bool? = nil) throws -> Tensor {
        let padding = try canonicalMask(keyPaddingMask, "src_key_padding_mask", other: mask, otherName: "mask", target: src.dtype)
        let mask = try canonicalMask(mask, "mask", other: nil, otherName: "", target: src.dtype)
        let layers = child("layers")?.children() ?? []
        // PyTorch reads `self.layers[0]` here: an empty stack is its ModuleList's IndexError.
        guard !layers.isEmpty else { throw TorchError.index("index 0 is out of range") }
        let batchFirst = (layers.first?.child("self_attn") as? MultiheadAttention)?.batchFirst ?? false
        let causal = try detectCausal(mask, isCausal, size: sequenceLength(src, batchFirst: batchFirst))
        var output = src
        for layer in layers {
            output = try layer.callTensor([output], [("src_mask", mask), ("is_causal", causal), ("src_key_padding_mask", padding)])
        }
        if let padded = try nestedPadding(src, padding, mask: mask, firstLayer: layers.first) {
            // PyTorch's sparsity fast path runs on a nested tensor and pads it back with zeros.
            output = try output.maskedFill(try padded.unsqueeze(-1), .double(0))
        }
        if child("norm") != nil { output = try callChild("norm", output) }
        return output
    }

    /// The padded positions (bool `[N, S]`) when PyTorch would take its sparsity fast path (eval,
    /// batched, a left-aligned key padding mask and no attention mask, no gradient to record):
    /// there the layers see only the real tokens, and the padded outputs come back as zeros.
    private func nestedPadding(_ src: Tensor, _ padding: Tensor?, mask: Tensor?, firstLayer: Module?) throws -> Tensor? {
        guard useNestedTensor, let padding, mask == nil, src.dim == 3, let firstLayer, !firstLayer.training else { return nil }
        if GradMode.isEnabled && (src.requiresGrad || firstLayer.parameters().contains { $0.requiresGrad }) { return nil }
        let padded = try padding.ne(.int(0))
        if maskCheck {
            // Left-aligned: in every row, no real token after a padded one.
            let flags = padded.toDoubles(), s = padded.shape.last ?? 0
            for row in 0..<(s == 0 ? 0 : flags.count / s) {
                let r = flags[(row * s)..<(row * s + s)]
                if let first = r.firstIndex(of: 1), r[first...].contains(0) { return nil }
            }
        }
        return padded
    }
}

/// `nn.TransformerDecoder(decoder_layer, num_layers, norm=None)`.
open class TransformerDecoder: Module {
    public let numLayers: Int

    public init(_ layer: TransformerDecoderLayer, numLayers: Int, norm: Module? = nil) throws {
        self.numLayers = numLayers
        super.init()
        try addModule("layers", ModuleList(try (0..<max(numLayers, 0)).map { _ in try layer.deepCopied() }))
        if let norm { try addModule("norm", norm) }
    }

    override open var pythonModuleName: String { "torch.nn.modules.transformer" }
    override open var hyperparameters: [(String, HyperValue)] { [("num_layers", .int(numLayers))] }

    override open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let a = try ForwardArguments(typeName, names: TransformerDecoderLayer.forwardNames, required: 2, arguments, keywords)
        return ModuleValueBridge.wrap(try decode(try a.requiredTensor(0), memory: try a.requiredTensor(1), tgtMask: try a.tensor(2),
                                                 memoryMask: try a.tensor(3), tgtKeyPaddingMask: try a.tensor(4),
                                                 memoryKeyPaddingMask: try a.tensor(5), tgtIsCausal: a.flag(6),
                                                 memoryIsCausal: a.flag(7) ?? false))
    }

    public func decode(_ tgt: Tensor, memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil, tgtKeyPaddingMask: Tensor? = nil,
                       memoryKeyPaddingMask: Tensor? = nil, tgtIsCausal: Bool? = nil, memoryIsCausal: Bool = false) throws -> Tensor {
        let layers = child("layers")?.children() ?? []
        guard !layers.isEmpty else { throw TorchError.index("index 0 is out of range") }
        let batchFirst = (layers.first?.child("self_attn") as? MultiheadAttention)?.batchFirst ?? false
        let causal = try detectCausal(tgtMask, tgtIsCausal, size: sequenceLength(tgt, batchFirst: batchFirst))
        var output = tgt
        for layer in layers {
            output = try layer.callTensor([output, memory], [("tgt_mask", tgtMask), ("memory_mask", memoryMask),
                                                             ("tgt_key_padding_mask", tgtKeyPaddingMask),
                                                             ("memory_key_padding_mask", memoryKeyPaddingMask),
                                                             ("tgt_is_causal", causal), ("memory_is_causal", memoryIsCausal)])
        }
        if child("norm") != nil { output = try callChild("norm", output) }
        return output
    }
}

/// `nn.Transformer(d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, …)`: an
/// encoder and a decoder stack, each ending in a LayerNorm; every parameter with more than one
/// dimension re-initialised with xavier_uniform_ (PyTorch's `_reset_parameters`).
open class Transformer: Module {
    public let dModel, nhead: Int
    /// Settable after construction, as in PyTorch (only the batch-size check in forward reads it).
    public var batchFirst: Bool

    public init(_ o: TransformerLayerOptions, numEncoderLayers: Int = 6, numDecoderLayers: Int = 6,
                customEncoder: Module? = nil, customDecoder: Module? = nil) throws {
        dModel = o.dModel
        nhead = o.nhead
        batchFirst = o.batchFirst
        super.init()
        if let customEncoder {
            try addModule("encoder", customEncoder)
        } else {
            try addModule("encoder", try TransformerEncoder(try TransformerEncoderLayer(o), numLayers: numEncoderLayers,
                                                            norm: try LayerNorm([o.dModel], eps: o.layerNormEps, bias: o.bias)))
        }
        if let customDecoder {
            try addModule("decoder", customDecoder)
        } else {
            try addModule("decoder", try TransformerDecoder(try TransformerDecoderLayer(o), numLayers: numDecoderLayers,
                                                            norm: try LayerNorm([o.dModel], eps: o.layerNormEps, bias: o.bias)))
        }
        for p in parameters() where p.dim > 1 { try Init.xavierUniform_(p) }
    }

    override open var pythonModuleName: String { "torch.nn.modules.transformer" }

    override open var hyperparameters: [(String, HyperValue)] {
        [("d_model", .int(dModel)), ("nhead", .int(nhead)), ("batch_first", .bool(batchFirst))]
    }

    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        guard name == "batch_first", case .bool(let b) = value else { return false }
        batchFirst = b
        return true
    }

    /// `generate_square_subsequent_mask(sz)`: a float `[sz, sz]` mask, −inf above the diagonal.
    public static func squareSubsequentMask(_ sz: Int, dtype: DType = .float32) throws -> Tensor {
        guard sz >= 0 else { throw TorchError.runtime("Trying to create tensor with negative dimension \(sz): [\(sz), \(sz)]") }
        return try Tensor.zeros([sz, sz], dtype: dtype).maskedFill(try Functional.causalMask(sz, sz), .double(-.infinity))
    }

    static let forwardNames = ["src", "tgt", "src_mask", "tgt_mask", "memory_mask", "src_key_padding_mask", "tgt_key_padding_mask",
                               "memory_key_padding_mask", "src_is_causal", "tgt_is_causal", "memory_is_causal"]

    override open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let a = try ForwardArguments(typeName, names: Self.forwardNames, required: 2, arguments, keywords)
        let src = try a.requiredTensor(0), tgt = try a.requiredTensor(1)
        if src.dim == 3 && tgt.dim == 3 && src.shape[batchFirst ? 0 : 1] != tgt.shape[batchFirst ? 0 : 1] {
            throw TorchError.runtime("the batch number of src and tgt must be equal")
        }
        if src.shape.last != dModel || tgt.shape.last != dModel {
            throw TorchError.runtime("the feature number of src and tgt must be equal to d_model")
        }
        guard let encoder = child("encoder") as? TransformerEncoder, let decoder = child("decoder") as? TransformerDecoder else {
            throw TorchError(.notImplementedError, "nn.Transformer with a custom encoder or decoder is not supported by nnrepl")
        }
        let memory = try encoder.encode(src, mask: try a.tensor(2), keyPaddingMask: try a.tensor(5), isCausal: a.flag(8))
        return ModuleValueBridge.wrap(try decoder.decode(tgt, memory: memory, tgtMask: try a.tensor(3), memoryMask: try a.tensor(4),
                                                         tgtKeyPaddingMask: try a.tensor(6), memoryKeyPaddingMask: try a.tensor(7),
                                                         tgtIsCausal: a.flag(9), memoryIsCausal: a.flag(10) ?? false))
    }
}
