/// `torch.set_num_threads(n)` / `torch.get_num_threads()`: the intra-op thread count a script asks
/// for. It changes what PyTorch's thread count changes in results — the grouping of large float
/// sums (`CascadeSum`) — and `1` runs every parallel kernel serially; more threads than
/// `kernelThreads` (the cores) are reported but not started.
public enum IntraOpThreads {
    nonisolated(unsafe) public static var requested: Int?
    /// The count `torch.get_num_threads()` reports: the requested one, else the cores.
    public static var current: Int { requested ?? kernelThreads }
}
