import XCTest
@testable import Checkpoints
import TensorRuntime

/// Where `torch.save` writes (issue 15): through symlinks to their target, into devices and FIFOs
/// directly, keeping an existing file's permissions; a write error is an OSError and never
/// destroys the previous file.
final class SaveTargetTests: XCTestCase {
    private var dir = ""
    override func setUpWithError() throws { dir = try makeTempDir() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    private func checkpoint(_ values: [Float]) throws -> CheckpointValue {
        .dict([(.string("w"), .tensor(try floats(values, [values.count])))])
    }

    private func savedValues(_ path: String) throws -> [Scalar]? {
        try CheckpointIO.load(from: path)["w"]?.tensorValue?.toScalars()
    }

    private func mode(_ path: String, followingLinks: Bool = true) -> mode_t {
        var info = stat()
        _ = followingLinks ? stat(path, &info) : lstat(path, &info)
        return info.st_mode
    }

    func testSavingThroughSymlinkWritesTheTargetAndKeepsItsMode() throws {
        for ext in ["pth", "safetensors"] {
            let target = dir + "/real.\(ext)", link = dir + "/link.\(ext)"
            try CheckpointIO.save(try checkpoint([1]), to: target)
            XCTAssertEqual(chmod(target, 0o600), 0)
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real.\(ext)")

            try CheckpointIO.save(try checkpoint([2, 3]), to: link)
            XCTAssertEqual(mode(link, followingLinks: false) & S_IFMT, S_IFLNK, "the link is still a link")
            XCTAssertEqual(try savedValues(target), [.double(2), .double(3)])
            XCTAssertEqual(mode(target) & 0o7777, 0o600)
        }
    }

    func testSavingThroughDanglingSymlinkCreatesItsTarget() throws {
        let link = dir + "/link.pth"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: dir + "/new.pth")
        try CheckpointIO.save(try checkpoint([4]), to: link)
        XCTAssertEqual(mode(link, followingLinks: false) & S_IFMT, S_IFLNK)
        XCTAssertEqual(try savedValues(dir + "/new.pth"), [.double(4)])

        let loop = dir + "/loop.pth"
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: loop)
        assertTorchError(.osError, ["[Errno 40] Too many levels of symbolic links: '\(loop)'"]) {
            try CheckpointIO.save(try checkpoint([1]), to: loop)
        }
    }

    func testNewFileGetsUmaskModeAndExistingFileKeepsItsMode() throws {
        let mask = umask(0o022); umask(mask)
        let fresh = dir + "/fresh.pth"
        try CheckpointIO.save(try checkpoint([1]), to: fresh)
        XCTAssertEqual(mode(fresh) & 0o777, 0o666 & ~mask)
        XCTAssertEqual(chmod(fresh, 0o640), 0)
        try CheckpointIO.save(try checkpoint([5]), to: fresh)
        XCTAssertEqual(mode(fresh) & 0o7777, 0o640)
        XCTAssertEqual(try savedValues(fresh), [.double(5)])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["fresh.pth"], "no temporary file left")
    }

    /// A FIFO is written into, not replaced by a regular file; what comes out is the checkpoint.
    func testSavingToFIFOWritesIntoIt() throws {
        let fifo = dir + "/pipe.pth"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let received = dir + "/received.pth"
        let reader = Thread {
            guard let handle = FileHandle(forReadingAtPath: fifo), let data = try? handle.readToEnd() else { return }
            FileManager.default.createFile(atPath: received, contents: data)
        }
        reader.start()
        try CheckpointIO.save(try checkpoint([6, 7]), to: fifo)
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: received) { usleep(10_000) }
        XCTAssertEqual(mode(fifo) & S_IFMT, S_IFIFO, "still a FIFO")
        XCTAssertEqual(try savedValues(received), [.double(6), .double(7)])
    }

    /// /dev/null is written (nothing to read back) and stays the device; /dev/full reports
    /// ENOSPC as Python's OSError does.
    func testSavingToDevicesWritesDirectly() throws {
        for device in ["/dev/null", "/dev/full"] where mode(device) & S_IFMT != S_IFCHR {
            throw XCTSkip("\(device) is not a character device here")
        }
        try CheckpointIO.save(try checkpoint([1]), to: "/dev/null")
        XCTAssertEqual(mode("/dev/null") & S_IFMT, S_IFCHR)
        assertTorchError(.osError, ["[Errno 28] No space left on device: '/dev/full'"]) {
            try CheckpointIO.save(try checkpoint([1]), to: "/dev/full")
        }
        XCTAssertEqual(mode("/dev/full") & S_IFMT, S_IFCHR)
    }

    /// A full disk: an OSError naming the file, and the previous checkpoint is left as it was.
    /// Needs a tiny tmpfs (root with mount rights); skipped where it cannot be mounted.
    func testFullDiskIsAnOSErrorAndKeepsTheOldFile() throws {
        let mountPoint = dir + "/tiny"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard mount("tmpfs", mountPoint, "tmpfs", 0, "size=64k") == 0 else { throw XCTSkip("cannot mount a tmpfs here") }
        defer { umount(mountPoint) }
        for ext in ["pth", "safetensors"] {
            let path = mountPoint + "/model.\(ext)"
            try CheckpointIO.save(try checkpoint([1, 2]), to: path)
            assertTorchError(.osError, ["[Errno 28] No space left on device: '\(path)'"]) {
                try CheckpointIO.save(try checkpoint([Float](repeating: 3, count: 40_000)), to: path)
            }
            XCTAssertEqual(try savedValues(path), [.double(1), .double(2)])
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: mountPoint), ["model.\(ext)"])
            try FileManager.default.removeItem(atPath: path)
        }
    }
}
