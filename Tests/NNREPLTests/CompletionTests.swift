import Foundation
import XCTest
@testable import NNREPL

/// Tab completion after subscripts, inside strings and for keyword arguments (issue 14).
final class CompletionTests: XCTestCase {
    static let setup = """
    import torch
    import torch.nn as nn
    class Block(nn.Module):
        def __init__(self, width, stride=1):
            super().__init__()
            self.conv1 = nn.Conv2d(width, width, 3, padding=1)
            self.conv2 = nn.Conv2d(width, width, 3, padding=1)
        def forward(self, x, scale=1.0):
            return self.conv2(self.conv1(x)) * scale
    net = nn.Sequential(Block(2), Block(2))
    heads = nn.ModuleDict({'cls': nn.Linear(2, 3)})
    sd = net.state_dict()
    x = torch.ones(3)
    layers = [nn.ReLU(), nn.Tanh()]
    def train(model, epochs=1, *, lr=0.1):
        pass

    """

    var completer: Completer!

    override func setUpWithError() throws {
        let session = Session()
        var err = ""
        session.interpreter.errorOutput = { err += $0 }
        XCTAssertEqual(ScriptRunner.run(source: Self.setup, fileName: "setup", in: session), .ok, err)
        completer = Completer(session: session)
    }

    func candidates(_ line: String) -> [String] { completer.complete(line: line, cursor: line.count).candidates }

    func testAfterASubscript() {
        XCTAssertEqual(completer.complete(line: "net[0].conv", cursor: 11), Completion(start: 0, candidates: ["net[0].conv1", "net[0].conv2"]))
        XCTAssertEqual(completer.complete(line: "y = net[1].conv1.we", cursor: 19), Completion(start: 4, candidates: ["net[1].conv1.weight"]))
        XCTAssertEqual(candidates("net[-1].conv2.bi"), ["net[-1].conv2.bias"])
        XCTAssertEqual(candidates("heads['cls'].out"), ["heads['cls'].out_features"])
    }

    func testNeverOffersInvalidCode() {
        let members = candidates("net.")
        XCTAssertTrue(members.contains("net[0]") && members.contains("net[1]"), "\(members)")
        XCTAssertFalse(members.contains { $0.hasPrefix("net.0") || $0.hasPrefix("net.1") }, "\(members)")
        XCTAssertEqual(candidates("net.0.con"), ["net[0].conv1", "net[0].conv2"])
        XCTAssertEqual(candidates("net.1"), ["net[1]"])
        // The editor replaces the typed word by the candidates' common part.
        XCTAssertEqual(CompletionPlanner.plan(line: "net.0.con", cursor: 9,
                                              completion: Completion(start: 0, candidates: ["net[0].conv1", "net[0].conv2"]),
                                              repeated: false),
                       .edit(deleteCount: 9, insert: "net[0].conv"))
    }

    func testIndicesAndKeysAfterAnOpenBracket() {
        XCTAssertEqual(candidates("net["), ["net[0]", "net[1]"])
        XCTAssertEqual(candidates("y = layers[1"), ["layers[1]"])
        XCTAssertEqual(candidates("heads["), ["heads['cls']"])
        XCTAssertEqual(candidates("x["), [])
    }

    func testInsideStringsDictKeysAndFileNames() throws {
        XCTAssertEqual(completer.complete(line: "w = sd['0.conv1.w", cursor: 17), Completion(start: 8, candidates: ["0.conv1.weight']"]))
        XCTAssertEqual(candidates("sd[\"1.conv2."), ["1.conv2.bias\"]", "1.conv2.weight\"]"])
        XCTAssertEqual(candidates("heads['c"), ["cls']"])
        let dir = try temporaryDirectory()
        FileManager.default.createFile(atPath: dir + "/weights.pth", contents: Data())
        try FileManager.default.createDirectory(atPath: dir + "/runs", withIntermediateDirectories: false)
        XCTAssertEqual(candidates("m = torch.load(\"\(dir)/wei"), ["\(dir)/weights.pth"])
        XCTAssertEqual(candidates("open('\(dir)/r"), ["\(dir)/runs/"])
        XCTAssertEqual(candidates("print('whi"), [], "no keywords inside a string")
        XCTAssertEqual(candidates("x.sum()  # net."), [], "nothing in a comment")
    }

    func testKeywordArguments() {
        XCTAssertEqual(completer.complete(line: "x.sum(di", cursor: 8), Completion(start: 6, candidates: ["dim="]))
        XCTAssertEqual(candidates("x.sum(dim=0, k"), ["keepdim="])
        XCTAssertFalse(candidates("x.sum(dim=0, ").contains("dim="))
        XCTAssertEqual(candidates("torch.zeros(2, d"), ["device=", "dtype="])
        XCTAssertEqual(candidates("layer = nn.Linear(2, 3, b"), ["bias="])
        XCTAssertEqual(candidates("train(net, ep"), ["epochs="])
        XCTAssertEqual(candidates("train(net, l"), ["lr="])
        XCTAssertEqual(candidates("b = Block(2, s"), ["stride="])
        XCTAssertEqual(candidates("net[0](x, sc"), ["scale="])
        XCTAssertEqual(candidates("torch.optim.SGD(net.parameters(), mom"), ["momentum="])
        // No parameter matches: the usual names.
        XCTAssertEqual(candidates("x.sum(le"), ["len"])
        XCTAssertEqual(candidates("torch.optim.RMSprop(net.parameters(), cen"), ["centered="])
        XCTAssertEqual(candidates("torch.optim.lr_scheduler.OneCycleLR(opt, 0.1, three"), ["three_phase="])
        XCTAssertEqual(Completer.keywordsGiven(in: "2, dim=1, x==3, keepdim = True"), ["dim", "keepdim"])
    }
}
