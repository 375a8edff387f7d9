import Foundation
import TensorRuntime

/// `torch.save` / `torch.load`: PyTorch's own zip checkpoint format (`.pth`, `.pt`, anything not
/// ending in `.safetensors`) and the safetensors format (paths ending in `.safetensors`).
///
/// - Saving writes a temporary file in the destination folder and renames it over `path`, so a
///   failed save leaves any previous file intact.
/// - Loading never executes anything from the file: the pickle is read by a data-only VM that
///   refuses every global beyond tensor rebuilding and `OrderedDict` (as `weights_only=True`).
///   Tensors sharing a storage in the file share one `Storage`; views keep their strides and
///   offset; parameters come back with `isParameter` and `requires_grad`.
/// - Errors are `TorchError`s: `.fileNotFoundError` (`[Errno 2] No such file or directory: 'x.pth'`),
///   `.unpicklingError` for a bad or unsafe pickle, `.runtimeError` for a bad archive or header;
///   messages about a file's contents end with `(while loading 'path')`.
public enum CheckpointIO {
    /// Saves `value` to `path`. For `.safetensors` paths `value` must be a dict or OrderedDict of
    /// str → tensor (a TypeError otherwise).
    public static func save(_ value: CheckpointValue, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw TorchError.runtime("Parent directory \(folder) does not exist.")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            throw TorchError(.osError, "[Errno 21] Is a directory: '\(path)'")
        }
        let base = url.lastPathComponent
        let temp = folder + "/." + base + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            if isSafetensorsPath(path) {
                try Safetensors.write(value, to: temp)
            } else {
                try TorchZipFormat.write(value, to: temp, archiveName: archiveName(for: path))
            }
            guard rename(temp, path) == 0 else {
                throw TorchError(.osError, "[Errno \(errno)] \(String(cString: strerror(errno))): '\(path)'")
            }
        } catch let e as TorchError {
            unlink(temp)
            // Name the destination, not the temporary file, in messages.
            throw TorchError(e.kind, e.message.replacingOccurrences(of: temp, with: path))
        } catch {
            unlink(temp)
            throw error
        }
    }

    /// Loads the checkpoint at `path` (format chosen by extension, then by the file's first bytes).
    public static func load(from path: String) throws -> CheckpointValue {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw TorchError(.fileNotFoundError, "[Errno 2] No such file or directory: '\(path)'")
        }
        if isDir.boolValue { throw TorchError(.osError, "[Errno 21] Is a directory: '\(path)'") }
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let fileSize = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
            if isSafetensorsPath(path) { return try Safetensors.read(from: path, fileSize: fileSize) }
            let magic = try firstBytes(of: path, count: 4)
            if magic.starts(with: [0x50, 0x4b]) { // "PK": a zip archive
                return try TorchZipFormat.read(from: path, fileSize: fileSize)
            }
            guard let first = magic.first else { throw TorchError(.unpicklingError, "Ran out of input (the file is empty)") }
            if first == 0x80 {
                throw TorchError(.unpicklingError, "this is a legacy (PyTorch < 1.6) checkpoint, which nnrepl cannot read; re-save it with torch.save in PyTorch ≥ 1.6")
            }
            throw TorchError(.unpicklingError, "invalid load key, '\(describe(first))'. (not a PyTorch checkpoint)")
        } catch let e as TorchError {
            throw TorchError(e.kind, "\(e.message) (while loading '\(path)')")
        } catch {
            throw TorchError.runtime("\(error) (while loading '\(path)')")
        }
    }

    /// True when `path` names a safetensors file (by extension, case-insensitive).
    public static func isSafetensorsPath(_ path: String) -> Bool {
        path.lowercased().hasSuffix(".safetensors")
    }

    /// The archive's top folder: the file name without its last extension, as PyTorch names it.
    static func archiveName(for path: String) -> String {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return stem.isEmpty || stem.hasPrefix(".") ? "archive" : stem
    }

    private static func firstBytes(of path: String, count: Int) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TorchError(.osError, "[Errno 13] Permission denied: '\(path)'")
        }
        defer { try? handle.close() }
        return Array(try handle.read(upToCount: count) ?? Data())
    }

    /// A byte as Python shows it inside `invalid load key, '…'`.
    private static func describe(_ b: UInt8) -> String {
        (0x20..<0x7f).contains(b) ? String(Character(Unicode.Scalar(b))) : "\\x" + String(format: "%02x", b)
    }
}
