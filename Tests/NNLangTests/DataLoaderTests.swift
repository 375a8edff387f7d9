import XCTest
@testable import NNLang
@testable import TorchBindings
import TensorRuntime

/// `torch.utils.data` and `torch.bincount`: values and random-stream use checked directly
/// (the goldens `data_*` and `index_bincount` compare whole scripts with PyTorch's output).
final class DataLoaderTests: XCTestCase {
    private func output(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        let (status, out, err) = TorchGoldenTests.run(source)
        XCTAssertEqual(status, 0, err, file: file, line: line)
        return out
    }

    func testBincountCountsAndWeights() throws {
        let x = try TensorFactoryHelpers.int64s([1, 1, 3, 0, 3, 3])
        let counts = try x.bincount()
        XCTAssertEqual(counts.shape, [4])
        XCTAssertEqual((0..<4).map { counts.storage.pointer(Int64.self)[$0] }, [1, 2, 0, 3])
        let padded = try x.bincount(minlength: 6)
        XCTAssertEqual(padded.shape, [6])
        let w = try Tensor([0.5, 1, 2, 4, 8, 16], shape: [6])
        let sums = try x.bincount(weights: w)
        XCTAssertEqual(sums.dtype, .float32)
        XCTAssertEqual((0..<4).map { sums.storage.pointer(Float.self)[$0] }, [4, 1.5, 0, 26])
        XCTAssertThrowsError(try TensorFactoryHelpers.int64s([-1]).bincount())
        XCTAssertThrowsError(try w.bincount())
        XCTAssertThrowsError(try x.bincount(minlength: -1))
    }

    /// One shuffled epoch draws 2 × 64 bits from the default generator (the loader's base seed
    /// and RandomSampler's seed); an unshuffled one draws the base seed only.
    func testShuffledEpochDrawsTwoSeedsFromTheDefaultGenerator() {
        let out = output("""
        import torch
        from torch.utils.data import TensorDataset, DataLoader
        ds = TensorDataset(torch.arange(6))
        torch.manual_seed(5)
        batches = [b[0].tolist() for b in DataLoader(ds, batch_size=4, shuffle=True)]
        after_shuffled = torch.randint(0, 1000, (1,)).item()
        torch.manual_seed(5)
        torch.randint(0, 2 ** 40, (2,))
        after_two_draws = torch.randint(0, 1000, (1,)).item()
        print(after_shuffled == after_two_draws, sorted(sum(batches, [])), [len(b) for b in batches])
        torch.manual_seed(5)
        for b in DataLoader(ds, batch_size=4):
            pass
        x = torch.randint(0, 1000, (1,)).item()
        torch.manual_seed(5)
        torch.randint(0, 2 ** 40, (1,))
        print(x == torch.randint(0, 1000, (1,)).item())
        """)
        XCTAssertEqual(out, "True [0, 1, 2, 3, 4, 5] [4, 2]\nTrue\n")
    }

    func testScriptDatasetAndCollateFn() {
        let out = output("""
        import torch
        from torch.utils.data import Dataset, DataLoader
        class Squares(Dataset):
            def __len__(self):
                return 5
            def __getitem__(self, i):
                return i * i
        dl = DataLoader(Squares(), batch_size=2, collate_fn=lambda b: sum(b))
        print(len(dl), list(dl))
        print(list(DataLoader(Squares(), batch_size=3)))
        """)
        XCTAssertEqual(out, "3 [1, 13, 16]\n[tensor([0, 1, 4]), tensor([ 9, 16])]\n")
    }

    func testRangeAndListSubscripts() {
        let out = output("""
        import torch
        x = torch.arange(6).view(2, 3)
        print(x[range(2), [2, 0]].tolist(), x[:, range(1, 3)].tolist())
        """)
        XCTAssertEqual(out, "[2, 3] [[1, 2], [4, 5]]\n")
    }

    /// From `inspect.signature(DataLoader.__init__)` in PyTorch 2.15 (annotations dropped).
    func testDataLoaderSignatureIsPyTorchs() {
        XCTAssertEqual(DataLoader.signature.text, "dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, "
            + "num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None, "
            + "multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False, "
            + "pin_memory_device='', in_order=True")
    }

    func testGeneratorsAreIndependentOfTheDefaultOne() {
        let out = output("""
        import torch
        torch.manual_seed(0)
        a = torch.rand(1)
        torch.manual_seed(0)
        g = torch.Generator().manual_seed(1)
        torch.randperm(10, generator=g)
        print(torch.equal(a, torch.rand(1)), g.initial_seed(), torch.initial_seed())
        """)
        XCTAssertEqual(out, "True 1 0\n")
    }
}

/// int64 tensors for the tests.
enum TensorFactoryHelpers {
    static func int64s(_ values: [Int64]) throws -> Tensor {
        let t = try Tensor(shape: [values.count], dtype: .int64)
        for (i, v) in values.enumerated() { t.storage.pointer(Int64.self)[i] = v }
        return t
    }
}
