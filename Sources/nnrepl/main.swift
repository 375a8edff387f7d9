// Minimal script runner (the front end with argument parsing and the REPL replaces it):
// `nnrepl FILE`, `nnrepl -c CODE`, `nnrepl -` (stdin).
import Foundation
import NNLang

let arguments = CommandLine.arguments.dropFirst()
var source: String?
var fileName = "<string>"
if arguments.first == "-c", arguments.count >= 2 {
    source = arguments[arguments.index(after: arguments.startIndex)]
} else if arguments.first == "-" {
    source = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    fileName = "<stdin>"
} else if let path = arguments.first {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        FileHandle.standardError.write("nnrepl: can't open file '\(path)'\n".data(using: .utf8) ?? Data())
        exit(2)
    }
    source = text
    fileName = path
}
guard let script = source else {
    FileHandle.standardError.write("usage: nnrepl FILE | -c CODE | -\n".data(using: .utf8) ?? Data())
    exit(2)
}
let status = Interpreter.withLargeStack {
    let interpreter = Interpreter(host: Interpreter.makeDefaultHost?())
    let code = interpreter.runScript(source: script, fileName: fileName)
    fflush(stdout)
    return code
}
exit(status)
