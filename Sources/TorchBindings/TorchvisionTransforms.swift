import NNLang
import TensorRuntime

/// `torchvision.transforms` on tensor images (…, C, H, W): `Compose`, `Normalize`, `Lambda`,
/// `RandomHorizontalFlip`, `RandomVerticalFlip`, `CenterCrop`, `RandomCrop`, `ConvertImageDtype`
/// and `ToTensor` (which, as in torchvision, only takes PIL images or arrays, so it refuses a
/// tensor). Each follows torchvision's tensor code: the random ones draw from torch's generator
/// exactly as torchvision does (`torch.rand(1) < p`, `torch.randint(0, h - th + 1, (1,))`), so a
/// seeded script gets torchvision's augmentations; reprs and error messages are torchvision's.
enum TorchvisionTransforms {
    static func make() -> Namespace {
        let ns = Namespace("torchvision.transforms")
        func declare(_ name: String, _ signature: String, _ doc: String,
                     _ make: @escaping (Bound, Evaluator) throws -> ImageTransform.Kind) {
            let sig = Signature(signature)
            let type = HostType(name, signature: sig, doc: doc, check: { v in
                if case .object(let o as ImageTransform) = v { return o.className == name }
                return false
            }, construct: { a, ev in .object(ImageTransform(name, try make(try sig.bind(a, name), ev))) })
            type.module = "torchvision.transforms.transforms"
            ns[name] = .object(type)
        }
        declare("Compose", "transforms", "Applies each transform of the list in turn.") { b, ev in
            .compose(try ev.iterate(b[0]))
        }
        declare("Normalize", "mean, std, inplace=False", "(image - mean) / std per channel.") { b, ev in
            .normalize(mean: b[0], std: b[1], inplace: try Convert.bool(b[2], default: false, ev))
        }
        declare("Lambda", "lambd", "Applies a user function as a transform.") { b, ev in
            guard isCallable(b[0], ev) else {
                throw PyError(.typeError, "Argument lambd should be callable, got '\(b[0].typeName)'")
            }
            return .lambda(b[0])
        }
        declare("RandomHorizontalFlip", "p=0.5", "Flips the image left-right with probability p.") { b, _ in
            .flip(probability: b[0], dim: -1)
        }
        declare("RandomVerticalFlip", "p=0.5", "Flips the image upside down with probability p.") { b, _ in
            .flip(probability: b[0], dim: -2)
        }
        declare("CenterCrop", "size", "Crops the centre (zero-padded when the crop is larger).") { b, ev in
            .centerCrop(size: try cropSize(b[0], ev))
        }
        declare("RandomCrop", "size, padding=None, pad_if_needed=False, fill=0, padding_mode='constant'",
                "Pads, then crops at a random position.") { b, ev in
            guard case .str("constant") = b[4] else {
                throw PyError(.notImplementedError, "RandomCrop: nnrepl supports padding_mode='constant' only")
            }
            var padding: [Int]?
            if isInt(b[1]) { padding = [try b[1].asInt("padding")] } else if !b[1].isNone {
                padding = try ev.iterate(b[1]).map { try $0.asInt("padding") }
            }
            if let padding, ![1, 2, 4].contains(padding.count) {
                throw PyError(.valueError, "Padding must be an int or a 1, 2, or 4 element tuple, not a \(padding.count) element tuple")
            }
            return .randomCrop(size: try cropSize(b[0], ev), padding: padding, paddingValue: b[1],
                               padIfNeeded: try Convert.bool(b[2], default: false, ev), fill: try b[3].asDouble("fill"))
        }
        declare("ConvertImageDtype", "dtype", "Converts the image's dtype, rescaling values.") { b, _ in
            guard let dtype = try Convert.dtype(b[0]) else { throw PyError(.typeError, "dtype must be a torch.dtype") }
            return .convertDtype(dtype)
        }
        declare("ToTensor", "", "Converts a PIL image or an array (not available in nnrepl).") { _, _ in .toTensor }
        return ns
    }

    /// Numbers, strings, tensors and containers are not callable; objects and modules are taken to be
    /// (calling one that is not raises Python's "object is not callable" then).
    private static func isCallable(_ v: Value, _ ev: Evaluator) -> Bool {
        switch v {
        case .object: return ev.builtinKind(v) == nil
        case .module: return true
        default: return false
        }
    }

    private static func isInt(_ v: Value) -> Bool {
        if case .int = v { return true }
        return false
    }

    /// torchvision's `_setup_size`: an int is (size, size); a sequence gives (h, w) or (s, s).
    private static func cropSize(_ v: Value, _ ev: Evaluator) throws -> [Int] {
        if isInt(v) { let s = try v.asInt("size"); return [s, s] }
        let items = try ev.iterate(v).map { try $0.asInt("size") }
        switch items.count {
        case 1: return [items[0], items[0]]
        case 2: return items
        default: throw PyError(.valueError, "Please provide only two dimensions (h, w) for size.")
        }
    }
}

/// One transform object; calling it applies it to a tensor image.
final class ImageTransform: PyObject {
    enum Kind {
        case compose([Value])
        case normalize(mean: Value, std: Value, inplace: Bool)
        case lambda(Value)
        case flip(probability: Value, dim: Int)
        case centerCrop(size: [Int])
        case randomCrop(size: [Int], padding: [Int]?, paddingValue: Value, padIfNeeded: Bool, fill: Double)
        case convertDtype(DType)
        case toTensor
    }

    let className: String
    let kind: Kind

    init(_ className: String, _ kind: Kind) {
        self.className = className
        self.kind = kind
    }

    override var typeName: String { className }

    override func repr(_ ev: Evaluator) throws -> String {
        switch kind {
        case .compose(let transforms):
            return "\(className)(" + (try transforms.map { "\n    " + (try ev.str($0)) }.joined()) + "\n)"
        case .normalize(let mean, let std, _): return "\(className)(mean=\(try ev.repr(mean)), std=\(try ev.repr(std)))"
        case .flip(let p, _): return "\(className)(p=\(try ev.repr(p)))"
        case .centerCrop(let size): return "\(className)(size=(\(size[0]), \(size[1])))"
        case .randomCrop(let size, _, let padding, _, _):
            return "\(className)(size=(\(size[0]), \(size[1])), padding=\(try ev.repr(padding)))"
        case .lambda, .convertDtype, .toTensor: return "\(className)()"
        }
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch (name, kind) {
        case ("transforms", .compose(let ts)): return ev.makeList(ts)
        case ("mean", .normalize(let mean, _, _)): return mean
        case ("std", .normalize(_, let std, _)): return std
        case ("p", .flip(let p, _)): return p
        case ("size", .centerCrop(let s)), ("size", .randomCrop(let s, _, _, _, _)): return ev.makeTuple(s.map { .int($0) })
        default: return nil
        }
    }

    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        guard args.positional.count == 1, args.keywords.isEmpty else {
            throw PyError(.typeError, "\(className).__call__() takes 1 positional argument but \(args.positional.count) were given")
        }
        let input = args.positional[0]
        switch kind {
        case .compose(let transforms):
            return try transforms.reduce(input) { img, t in try ev.call(t, Arguments([img])) }
        case .lambda(let f):
            return try ev.call(f, Arguments([input]))
        case .toTensor:
            let type: String
            if case .tensor = input { type = "torch.Tensor" } else { type = input.typeName }
            throw PyError(.typeError, "pic should be PIL Image or ndarray. Got <class '\(type)'>")
        case .normalize(let mean, let std, let inplace):
            return .tensor(try Self.normalize(try Self.image(input), mean, std, inplace: inplace, ev))
        case .flip(let p, let dim):
            let img = try Self.image(input)
            return .tensor(try Tensor.rand([1]).item().doubleValue < p.asDouble("p") ? try img.flip([dim]) : img)
        case .centerCrop(let size):
            return .tensor(try Self.centerCrop(try Self.image(input), height: size[0], width: size[1]))
        case .randomCrop(let size, let padding, _, let padIfNeeded, let fill):
            return .tensor(try Self.randomCrop(try Self.image(input), size: size, padding: padding, padIfNeeded: padIfNeeded, fill: fill))
        case .convertDtype(let dtype):
            return .tensor(try Self.convertImageDtype(try Self.image(input), dtype))
        }
    }

    /// The tensor image a tensor transform takes (torchvision's `_assert_image_tensor`).
    private static func image(_ input: Value) throws -> Tensor {
        guard case .tensor(let img) = input else {
            throw PyError(.typeError, "img should be Tensor Image. Got <class '\(input.typeName)'>")
        }
        guard img.dim >= 2 else { throw PyError(.typeError, "Tensor is not a torch image.") }
        return img
    }

    /// `RandomCrop.forward`: padding, padding up to the size if asked, then a crop at a random place.
    private static func randomCrop(_ img: Tensor, size: [Int], padding: [Int]?, padIfNeeded: Bool, fill: Double) throws -> Tensor {
        var img = img
        if let padding { img = try pad(img, padding, fill: fill) }
        let (height, width) = imageSize(img)
        if padIfNeeded, width < size[1] { img = try pad(img, [size[1] - width, 0], fill: fill) }
        if padIfNeeded, height < size[0] { img = try pad(img, [0, size[0] - height], fill: fill) }
        let (h, w) = imageSize(img), (th, tw) = (size[0], size[1])
        guard h >= th, w >= tw else {
            throw PyError(.valueError, "Required crop size (\(th), \(tw)) is larger than input image size (\(h), \(w))")
        }
        if h == th, w == tw { return img }
        let top = Int(try Tensor.randint(low: 0, high: h - th + 1, shape: [1]).item().doubleValue)
        let left = Int(try Tensor.randint(low: 0, high: w - tw + 1, shape: [1]).item().doubleValue)
        return try crop(img, top: top, left: left, height: th, width: tw)
    }

    private static func imageSize(_ img: Tensor) -> (height: Int, width: Int) {
        (img.shape[img.dim - 2], img.shape[img.dim - 1])
    }

    /// `F.normalize`: a float image, (image - mean[:, None, None]) / std[:, None, None].
    private static func normalize(_ img: Tensor, _ mean: Value, _ std: Value, inplace: Bool, _ ev: Evaluator) throws -> Tensor {
        guard img.dtype.isFloatingPoint else {
            throw PyError(.typeError, "Input tensor should be a float tensor. Got \(img.dtype.name).")
        }
        guard img.dim >= 3 else {
            throw PyError(.valueError, "Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = torch.Size([\(img.shape.map(String.init).joined(separator: ", "))])")
        }
        func channels(_ v: Value) throws -> Tensor {
            let t: Tensor
            if case .tensor(let given) = v { t = try given.converted(to: img.dtype) } else {
                let numbers = ev.builtinKind(v) == .list || ev.builtinKind(v) == .tuple ? try ev.iterate(v) : [v]
                t = try Tensor(doubles: numbers.map { try $0.asDouble("mean") }, shape: [numbers.count], dtype: img.dtype)
            }
            return t.dim == 1 ? try t.reshape([-1, 1, 1]) : t
        }
        let m = try channels(mean), s = try channels(std)
        if try s.eq(.int(0)).any().item().doubleValue != 0 {
            throw PyError(.valueError, "std evaluated to zero after conversion to \(img.dtype.name), leading to division by zero.")
        }
        let out = inplace ? img : try img.cloned()
        return try out.subInPlace(m).divInPlace(s)
    }

    /// `F.pad` with a constant: padding int (all sides), [left/right, top/bottom] or [l, t, r, b].
    private static func pad(_ img: Tensor, _ padding: [Int], fill: Double) throws -> Tensor {
        let (l, t, r, b): (Int, Int, Int, Int)
        switch padding.count {
        case 1: (l, t, r, b) = (padding[0], padding[0], padding[0], padding[0])
        case 2: (l, t, r, b) = (padding[0], padding[1], padding[0], padding[1])
        default: (l, t, r, b) = (padding[0], padding[1], padding[2], padding[3])
        }
        return try img.constantPad([l, r, t, b], value: .double(fill))
    }

    private static func crop(_ img: Tensor, top: Int, left: Int, height: Int, width: Int) throws -> Tensor {
        try img.narrow(dim: img.dim - 2, start: top, length: height).narrow(dim: img.dim - 1, start: left, length: width)
    }

    /// `F.center_crop`: zero padding when the crop is larger, then the rounded centre.
    private static func centerCrop(_ img: Tensor, height th: Int, width tw: Int) throws -> Tensor {
        var img = img
        var (h, w) = imageSize(img)
        if tw > w || th > h {
            img = try pad(img, [tw > w ? (tw - w) / 2 : 0, th > h ? (th - h) / 2 : 0,
                                tw > w ? (tw - w + 1) / 2 : 0, th > h ? (th - h + 1) / 2 : 0], fill: 0)
            (h, w) = imageSize(img)
            if tw == w, th == h { return img }
        }
        let top = Int((Double(h - th) / 2).rounded(.toNearestOrEven)), left = Int((Double(w - tw) / 2).rounded(.toNearestOrEven))
        return try crop(img, top: top, left: left, height: th, width: tw)
    }

    /// `F.convert_image_dtype`: floats rescale to [0, 1], integers to their full range.
    private static func convertImageDtype(_ img: Tensor, _ dtype: DType) throws -> Tensor {
        if img.dtype == dtype { return img }
        switch (img.dtype.isFloatingPoint, dtype.isFloatingPoint) {
        case (true, true): return try img.converted(to: dtype)
        case (false, true): return try img.converted(to: dtype).div(.double(Self.maxValue(img.dtype)))
        case (true, false):
            return try img.mul(.double(Self.maxValue(dtype) + 1 - 1e-3)).converted(to: dtype)
        case (false, false):
            throw PyError(.notImplementedError, "ConvertImageDtype between integer dtypes is not supported by nnrepl")
        }
    }

    private static func maxValue(_ dtype: DType) -> Double {
        switch dtype {
        case .uint8: return 255
        case .int8: return 127
        case .int16: return 32767
        case .int32: return 2147483647
        default: return 9223372036854775807
        }
    }
}
