import Foundation
import XCTest
@testable import NNLang
@testable import NNREPL

/// The `tqdm` module: tqdm's `format_meter` layout (checked against tqdm 4's output for the
/// same numbers: the strings below are tqdm 4.67's `format_meter` output), the bar drawn on stderr when it is a terminal and nothing otherwise.
final class TqdmTests: XCTestCase {
    func testMeterLayoutMatchesTqdm() {
        // tqdm.format_meter(4, 10, 1.0, ncols=60, prefix='train', postfix='loss=0.5')
        XCTAssertEqual(Tqdm.meter(n: 4, total: 10, elapsed: 1.0, desc: "train", postfix: "loss=0.5", ncols: 60),
                       "train:  40%|██▊    | 4/10 [00:01<00:01,  4.00it/s, loss=0.5]")
        // tqdm.format_meter(3, None, 2.0, ncols=80)
        XCTAssertEqual(Tqdm.meter(n: 3, total: nil, elapsed: 2.0, desc: "", postfix: "", ncols: 80),
                       "3it [00:02,  1.50it/s]")
        // tqdm.format_meter(1, 5, 4.0, ncols=40): a rate below 1 is shown as s/it.
        XCTAssertEqual(Tqdm.meter(n: 1, total: 5, elapsed: 4.0, desc: "", postfix: "", ncols: 40),
                       " 20%|█    | 1/5 [00:04<00:16,  4.00s/it]")
        XCTAssertEqual(Tqdm.meter(n: 0, total: 5, elapsed: 0, desc: "", postfix: "", ncols: 36),
                       "  0%|         | 0/5 [00:00<?, ?it/s]")
        XCTAssertEqual(Tqdm.interval(3723), "1:02:03")
        // tqdm.format_meter(4, 4, 1.0, ncols=200, postfix='loss=0.25, step=3'), and ncols=0 (no bar).
        XCTAssertTrue(Tqdm.meter(n: 4, total: 4, elapsed: 1, desc: "", postfix: "loss=0.25, step=3", ncols: 200)
            .hasSuffix("| 4/4 [00:01<00:00,  4.00it/s, loss=0.25, step=3]"))
        XCTAssertEqual(Tqdm.meter(n: 4, total: 4, elapsed: 1, desc: "", postfix: "", ncols: 0), "100% 4/4 [00:01<00:00,  4.00it/s]")
    }

    func run(_ source: String, drawing: Bool) -> (out: String, err: String) {
        let saved = Tqdm.drawsBars
        Tqdm.drawsBars = drawing
        defer { Tqdm.drawsBars = saved }
        let session = Session()
        var out = "", err = ""
        session.interpreter.output = { out += $0 }
        session.interpreter.errorOutput = { err += $0 }
        _ = ScriptRunner.run(source: source, fileName: "t.py", in: session)
        return (out, err)
    }

    static let script = """
    from tqdm import tqdm, trange
    total = 0
    for i in tqdm([1, 2, 3], desc="sum", ncols=50):
        total += i
    print(total)
    with tqdm(total=4, leave=False, ncols=50) as bar:
        for k in range(4):
            bar.update(1)
            bar.set_postfix(loss=1 / (k + 1), step=k)
    print(bar.n, bar.total, list(trange(2, 8, 3)), len(tqdm(range(7))))

    """

    func testScriptPrintsWhatPythonPrintsAndDrawsOnlyOnATerminal() {
        let quiet = run(Self.script, drawing: false)
        // python3 with tqdm installed prints the same stdout.
        XCTAssertEqual(quiet.out, "6\n4 4 [2, 5] 7\n")
        XCTAssertEqual(quiet.err, "")

        let drawn = run(Self.script, drawing: true)
        XCTAssertEqual(drawn.out, quiet.out)
        let lines = drawn.err.components(separatedBy: "\r").filter { !$0.isEmpty }
        XCTAssertEqual(lines.first, "sum:   0%|                  | 0/3 [00:00<?, ?it/s]", drawn.err)
        XCTAssertTrue(drawn.err.contains("sum: 100%|███") && drawn.err.contains("| 3/3 [00:00<00:00, "), drawn.err)
        XCTAssertTrue(drawn.err.contains("100%|█| 4/4 [00:00<00:00, "), drawn.err.debugDescription)
        XCTAssertTrue(drawn.err.components(separatedBy: "\r").filter { $0.contains("/4 ") }.allSatisfy { $0.count <= 50 },
                      "cut to ncols=50")
        // leave=True keeps the first bar on its own line; leave=False erases the second.
        XCTAssertTrue(drawn.err.contains("it/s]\n"), drawn.err)
    }

    func testArgumentErrors() {
        XCTAssertTrue(run("from tqdm import tqdm\ntqdm([1], colour='red', bogus=1)\n", drawing: false).err
            .hasSuffix("TypeError: tqdm() got an unexpected keyword argument 'bogus'\n"))
        XCTAssertTrue(run("from tqdm import trange\ntrange(1, 5, 0)\n", drawing: false).err
            .hasSuffix("ValueError: range() arg 3 must not be zero\n"))
    }
}
