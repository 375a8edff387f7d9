/// A float setting that remembers how the user wrote it: PyTorch stores the argument as given, so
/// `nn.Dropout(p=1)` prints `p=1` and `nn.BatchNorm1d(3, eps=1)` prints `eps=1`. The wrapped value
/// is the number the layer computes with; `$name` is the value as written (an int stays an int),
/// which reprs and `hyperparameters` show. Assigning the wrapped value writes a float.
@propertyWrapper public struct WrittenFloat {
    public var projectedValue: HyperValue
    public var wrappedValue: Double {
        get { projectedValue.number ?? 0 }
        set { projectedValue = .double(newValue) }
    }
    public init(wrappedValue: Double) { projectedValue = .double(wrappedValue) }
}

/// `WrittenFloat` for a setting that may be None (`momentum=None`, `max_norm=None`).
@propertyWrapper public struct WrittenOptionalFloat {
    public var projectedValue: HyperValue
    public var wrappedValue: Double? {
        get { projectedValue.number }
        set { projectedValue = newValue.map { .double($0) } ?? .none }
    }
    public init(wrappedValue: Double?) { projectedValue = wrappedValue.map { .double($0) } ?? .none }
}
