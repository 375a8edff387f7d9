import Foundation
import TensorRuntime

/// `torch.save` / `torch.load`: PyTorch's own zip checkpoint format (`.pth`, `.pt`, anything not
/// ending in `.safetensors`) and the safetensors format (paths ending in `.safetensors`).
///
/// - Saving writes what `open(path, "wb")` would reach: a symlink is followed to its target, and
///   a device or FIFO (`/dev/null`, a pipe) is written directly. A regular file (new or existing)
///   is written to a temporary file in its folder that then replaces it, with the old file's
///   permissions, so a failed save (a full disk, an error mid-way) leaves any previous file intact.
///   Write errors are `OSError`s (`[Errno 28] No space left on device: 'x.pth'`).
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
        let destination = try followSymlinks(path)
        var info = stat()
        let exists = stat(destination, &info) == 0
        let kind = info.st_mode & S_IFMT
        if exists && kind == S_IFDIR { throw TorchError(.osError, "[Errno 21] Is a directory: '\(path)'") }
        if exists && kind != S_IFREG {
            // A device, FIFO or socket: replacing it by a regular file would be wrong (and, as
            // root, would replace /dev/null), so write into it as open() would.
            return try write(value, to: destination, displayPath: path)
        }
        let url = URL(fileURLWithPath: destination)
        let folder = url.deletingLastPathComponent().path
        var folderInfo = stat()
        guard stat(folder, &folderInfo) == 0, folderInfo.st_mode & S_IFMT == S_IFDIR else {
            throw TorchError.runtime("Parent directory \(folder) does not exist.")
        }
        let temp = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try write(value, to: temp, displayPath: path)
            // Keep the permissions (and, when allowed, the owner) of the file being replaced.
            if exists {
                guard chmod(temp, info.st_mode & 0o7777) == 0 else { throw OutputFile.osError(path) }
                _ = chown(temp, info.st_uid, info.st_gid)
            }
            guard rename(temp, destination) == 0 else { throw OutputFile.osError(path) }
        } catch {
            unlink(temp)
            throw error
        }
    }

    /// Writes `value` in the format `displayPath`'s extension names.
    private static func write(_ value: CheckpointValue, to file: String, displayPath: String) throws {
        if isSafetensorsPath(displayPath) {
            try Safetensors.write(value, to: file, displayPath: displayPath)
        } else {
            try TorchZipFormat.write(value, to: file, displayPath: displayPath, archiveName: archiveName(for: displayPath))
        }
    }

    /// The path a write to `path` reaches: symlinks followed (the last one may dangle, as
    /// `open(..., "w")` then creates its target), at most 40 deep as Linux allows.
    static func followSymlinks(_ path: String) throws -> String {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, buffer.count - 1)
            guard n >= 0 else { throw OutputFile.osError(path) }
            let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = target.hasPrefix("/") ? target : URL(fileURLWithPath: current).deletingLastPathComponent().path + "/" + target
        }
        throw TorchError(.osError, "[Errno 40] Too many levels of symbolic links: '\(path)'")
    }

    /// `torch.save(value, io.BytesIO())`: the bytes PyTorch's zip format holds for `value`, with
    /// the folder `archive` as PyTorch names it for a file object. (Written through a temporary
    /// file, so the zip writer and its checks are the ones files use.)
    public static func serialize(_ value: CheckpointValue) throws -> [UInt8] {
        let temp = temporaryPath()
        defer { unlink(temp) }
        try TorchZipFormat.write(value, to: temp, displayPath: "<BytesIO>", archiveName: "archive")
        guard let data = FileManager.default.contents(atPath: temp) else { throw OutputFile.osError(temp) }
        return Array(data)
    }

    /// `torch.load(io.BytesIO)`: the checkpoint in `bytes` (PyTorch's zip format), as `load(from:)`.
    public static func load(bytes: [UInt8], allowsObjects: Bool = false) throws -> CheckpointValue {
        let temp = temporaryPath()
        defer { unlink(temp) }
        guard FileManager.default.createFile(atPath: temp, contents: Data(bytes)) else { throw OutputFile.osError(temp) }
        return try read(temp, allowsObjects: allowsObjects)
    }

    /// A new path in the temporary folder for an in-memory save or load.
    private static func temporaryPath() -> String {
        NSTemporaryDirectory() + "/nnrepl-bytesio-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).pt"
    }

    /// Loads the checkpoint at `path` (format chosen by extension, then by the file's first bytes).
    /// `allowsObjects` (`weights_only=False`) also accepts whole objects of the classes
    /// `PickleReader.isAllowedObjectClass` names, as `CheckpointObject`s.
    public static func load(from path: String, allowsObjects: Bool = false) throws -> CheckpointValue {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw TorchError(.fileNotFoundError, "[Errno 2] No such file or directory: '\(path)'")
        }
        if isDir.boolValue { throw TorchError(.osError, "[Errno 21] Is a directory: '\(path)'") }
        do {
            return try read(path, allowsObjects: allowsObjects)
        } catch let e as TorchError {
            throw TorchError(e.kind, (e.message.isEmpty ? "" : e.message + " ") + "(while loading '\(path)')")
        } catch {
            throw TorchError.runtime("\(error) (while loading '\(path)')")
        }
    }

    /// The checkpoint in the existing file `path`; errors name no file.
    private static func read(_ path: String, allowsObjects: Bool) throws -> CheckpointValue {
        // stat, not lstat: through a symlink, the size is the target's.
        var info = stat()
        guard stat(path, &info) == 0 else { throw OutputFile.osError(path) }
        // A FIFO or socket cannot be read twice (magic bytes, then the reader): PyTorch's error.
        let kind = info.st_mode & S_IFMT
        if kind == S_IFIFO || kind == S_IFSOCK { throw TorchError(.osError, "[Errno 29] Illegal seek") }
        let fileSize = UInt64(max(0, info.st_size))
        if isSafetensorsPath(path) { return try Safetensors.read(from: path, fileSize: fileSize) }
        let magic = try firstBytes(of: path, count: 4)
        if magic.starts(with: [0x50, 0x4b]) { // "PK": a zip archive
            return try TorchZipFormat.read(from: path, fileSize: fileSize, allowsObjects: allowsObjects)
        }
        // pickle's EOFError: PyTorch's weights-only unpickler gives it no message.
        guard let first = magic.first else { throw TorchError(.eofError, allowsObjects ? "Ran out of input" : "") }
        if first == 0x80 {
            throw TorchError(.unpicklingError, "this is a legacy (PyTorch < 1.6) checkpoint, which nnrepl cannot read; re-save it with torch.save in PyTorch ≥ 1.6")
        }
        throw TorchError(.unpicklingError, "invalid load key, '\(describe(first))'. (not a PyTorch checkpoint)")
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
