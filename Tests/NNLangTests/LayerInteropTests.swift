import XCTest

/// Recurrent and attention layers' state_dicts move between PyTorch and nnrepl: the ones real
/// PyTorch wrote (Golden/fixtures/layer_state_dicts.pth: LSTM with proj_size, bidirectional and two
/// layers, bidirectional GRU, MultiheadAttention with kdim/vdim, TransformerEncoderLayer) load with
/// PyTorch's keys and shapes, and each layer's output on PyTorch's input equals PyTorch's.
final class LayerInteropTests: XCTestCase {
    func testPyTorchWrittenLayerStateDictsLoad() throws {
        try OptimInteropTests.runFixtureScript("layer_state_dicts")
    }
}
