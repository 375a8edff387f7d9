/// Namedtuple instances for the bindings (`default_collate` rebuilds a batch of namedtuples as
/// one namedtuple of batches, as PyTorch does).
public enum NamedTuples {
    /// The class and the items of a `collections.namedtuple` instance; nil for anything else.
    public static func parts(_ v: Value) -> (type: Value, items: [Value])? {
        guard case .object(let o as NamedTupleValue) = v else { return nil }
        return (.object(o.type), o.tuple.items)
    }
}
