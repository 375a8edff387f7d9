import XCTest
@testable import NNLang
@testable import TorchBindings

/// torch.load of a pickle whose containers are shared through its memo: the script sees one
/// shared object per container, as Python's unpickler gives, never an expanded copy.
final class CheckpointSharingTests: XCTestCase {
    /// A "billion laughs" .pth written by Python's zipfile: level k is the tuple (level k-1, level k-1),
    /// 60 levels over the int 1 (2^60 leaves if expanded) in a 427-byte pickle.
    static let laughs = "UEsDBBQAAAAAAAodhl3SxzdGqwEAAKsBAAAPAAAAbGF1Z2hzL2RhdGEucGtsgAJLAXEAaABoAIZxAWgBaAGGcQJoAmgChnEDaANoA4ZxBGgEaASGcQVoBWgFhnEGaAZoBoZxB2gHaAeGcQhoCGgIhnEJaAloCYZxCmgKaAqGcQtoC2gLhnEMaAxoDIZxDWgNaA2GcQ5oDmgOhnEPaA9oD4ZxEGgQaBCGcRFoEWgRhnESaBJoEoZxE2gTaBOGcRRoFGgUhnEVaBVoFYZxFmgWaBaGcRdoF2gXhnEYaBhoGIZxGWgZaBmGcRpoGmgahnEbaBtoG4ZxHGgcaByGcR1oHWgdhnEeaB5oHoZxH2gfaB+GcSBoIGgghnEhaCFoIYZxImgiaCKGcSNoI2gjhnEkaCRoJIZxJWglaCWGcSZoJmgmhnEnaCdoJ4ZxKGgoaCiGcSloKWgphnEqaCpoKoZxK2graCuGcSxoLGgshnEtaC1oLYZxLmguaC6GcS9oL2gvhnEwaDBoMIZxMWgxaDGGcTJoMmgyhnEzaDNoM4ZxNGg0aDSGcTVoNWg1hnE2aDZoNoZxN2g3aDeGcThoOGg4hnE5aDloOYZxOmg6aDqGcTtoO2g7hnE8LlBLAwQUAAAAAAAKHYZd0Z5nVQIAAAACAAAADgAAAGxhdWdocy92ZXJzaW9uMwpQSwECFAMUAAAAAAAKHYZd0sc3RqsBAACrAQAADwAAAAAAAAAAAAAAgAEAAAAAbGF1Z2hzL2RhdGEucGtsUEsBAhQDFAAAAAAACh2GXdGeZ1UCAAAAAgAAAA4AAAAAAAAAAAAAAIAB2AEAAGxhdWdocy92ZXJzaW9uUEsFBgAAAAACAAIAeQAAAAYCAAAAAA=="

    func testSharedLevelsLoadAsSharedObjects() throws {
        let path = NSTemporaryDirectory() + "laughs-\(getpid()).pth"
        try XCTUnwrap(Data(base64Encoded: Self.laughs)).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var out = "", err = ""
        let interpreter = Interpreter(host: TorchHost(moduleBase: Interpreter.moduleBaseType))
        interpreter.output = { out += $0 }
        interpreter.errorOutput = { err += $0 }
        _ = try interpreter.execute(source: """
        import torch
        x = torch.load('\(path)')
        depth = 0
        while isinstance(x, tuple):
            assert x[0] is x[1]
            x = x[0]
            depth += 1
        print(depth, x)
        """, fileName: "<test>")
        XCTAssertEqual(err, "")
        XCTAssertEqual(out, "60 1\n")
    }
}
