// The nnrepl command line: `nnrepl` (interactive), `nnrepl FILE [ARGS…]`, `nnrepl -c CODE`,
// `nnrepl -i FILE`, `nnrepl -` (standard input), `--version`, `--help`.
// Exit status: 0 success, 1 uncaught error in the script, 2 bad usage.
import ArgumentParser
import Foundation
import NNLang
import NNREPL
import TensorRuntime

struct NNReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nnrepl",
        abstract: "Build and probe neural networks in a subset of Python with PyTorch's names.",
        usage: """
        nnrepl                      (interactive)
          nnrepl FILE.nnrepl [ARGS...]
          nnrepl -c CODE [ARGS...]
          nnrepl -i FILE.nnrepl       (run it, then stay interactive)
          nnrepl -                    (run standard input)
        """,
        discussion: """
        Without FILE, nnrepl starts the interactive REPL when standard input is a terminal, and \
        otherwise runs standard input as a script. Scripts may contain :commands at the start \
        of a line. Exit status: 0 on success, 1 when the script stops on an uncaught error, 2 \
        for bad usage. NNREPL_HISTORY sets the history file (empty: no history); NO_COLOR turns \
        colour off.
        """,
        version: NNReplCommand.versionText
    )

    /// `--version`: the release, then the BLAS library, its kernel on this CPU and the thread count.
    static var versionText: String { "nnrepl 0.1.0\n\(BLASInfo.current)\nCPU: \(CPUInfo.modelName) (\(CPUInfo.vectorUnitsName))" }

    @Option(name: .customShort("c"), parsing: .unconditional,
            help: ArgumentHelp("Run CODE as a script.", valueName: "CODE"))
    var code: String?

    @Flag(name: .customShort("i"), help: "Stay interactive after running FILE or CODE.")
    var interactive = false

    @ArgumentParser.Argument(help: ArgumentHelp("The script to run ('-' for standard input); the arguments after it are the script's.",
                                                valueName: "FILE"))
    var file: String?

    /// Splits argv (without the program name) into nnrepl's own part and the script's
    /// arguments: everything after FILE, `-` or `-c CODE` belongs to the script, as in Python.
    static func split(_ argv: [String]) -> (own: [String], script: [String]) {
        var i = 0
        while i < argv.count {
            let word = argv[i]
            if word == "-c" {
                let end = min(i + 2, argv.count)
                return (Array(argv[..<end]), Array(argv[end...]))
            }
            if word == "-" || !word.hasPrefix("-") {
                return (Array(argv[...i]), Array(argv[(i + 1)...]))
            }
            i += 1
        }
        return (argv, [])
    }

    /// What the parsed command line asks for.
    var invocation: Invocation { Invocation(code: code, interactive: interactive, file: file) }

    /// The common command lines (none, `FILE`, `-`, `-c CODE`) decided without ArgumentParser,
    /// whose reflection-driven setup is a noticeable part of startup; anything else (flags,
    /// `--help`, errors) goes through it. nil: let ArgumentParser decide.
    static func quickInvocation(_ own: [String]) -> Invocation? {
        switch own.count {
        case 0: return Invocation(code: nil, interactive: false, file: nil)
        case 1 where own[0] == "-" || !own[0].hasPrefix("-"):
            return Invocation(code: nil, interactive: false, file: own[0])
        case 2 where own[0] == "-c": return Invocation(code: own[1], interactive: false, file: nil)
        default: return nil
        }
    }
}

/// What to run: a script (`-c CODE` or FILE), then optionally the REPL.
struct Invocation {
    var code: String?
    var interactive: Bool
    var file: String?

    /// The script to run, if any: its text and the name tracebacks show.
    func script() throws -> (source: String, fileName: String)? {
        if let code { return (code, "<string>") }
        guard let path = file else { return nil }
        if path == "-" {
            return (try ScriptSource.decode(Array(FileHandle.standardInput.readDataToEndOfFile()), fileName: "<stdin>"), "<stdin>")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageFailure(message: "nnrepl: can't open file '\(path)'")
        }
        return (try ScriptSource.decode(Array(data), fileName: path), path)
    }

    /// Runs what the command line asks for; returns the exit status.
    func execute() -> Int32 {
        let session = Session()
        let script: (source: String, fileName: String)?
        do {
            script = try self.script()
        } catch let error as ScriptSource.EncodingError {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            return 1
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            return 2
        }
        let stdinIsTerminal = isatty(0) != 0
        if let script {
            let staysInteractive = interactive && file != "-"
            let status = ScriptRunner.runAsMain(source: script.source, fileName: script.fileName, in: session,
                                                stayInteractive: staysInteractive)
            guard staysInteractive else { return status }
            return REPL(session: session).run(showBanner: stdinIsTerminal)
        }
        if stdinIsTerminal || interactive {
            return REPL(session: session).run(showBanner: stdinIsTerminal)
        }
        do {
            let source = try ScriptSource.decode(Array(FileHandle.standardInput.readDataToEndOfFile()), fileName: "<stdin>")
            return ScriptRunner.runAsMain(source: source, fileName: "<stdin>", in: session)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            return 1
        }
    }
}

/// A usage problem found after parsing (exit status 2).
struct UsageFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// The command line parsed by ArgumentParser (exits on --help, --version and usage errors).
func parseWithArgumentParser(_ ownArguments: [String]) -> Invocation {
    do {
        let parsed = try NNReplCommand.parseAsRoot(ownArguments)
        guard let ours = parsed as? NNReplCommand else {
            // ArgumentParser's own help command (`--help`, `-h`) prints the help.
            var other = parsed
            try other.run()
            exit(0)
        }
        return ours.invocation
    } catch {
        // --help and --version exit 0 with their text; every parse error exits 2 (not EX_USAGE).
        let code = NNReplCommand.exitCode(for: error)
        let message = NNReplCommand.fullMessage(for: error)
        if code == .success {
            print(message)
            exit(0)
        }
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(2)
    }
}

// The script's own arguments (sys.argv[1:]) are split off unparsed and handed to `sys.argv`.
let (ownArguments, scriptArguments) = NNReplCommand.split(Array(CommandLine.arguments.dropFirst()))
let command = NNReplCommand.quickInvocation(ownArguments) ?? parseWithArgumentParser(ownArguments)
PythonStdlib.argv = [command.code != nil ? "-c" : (command.file ?? "")] + scriptArguments
let status = Interpreter.withLargeStack { command.execute() }
fflush(stdout)
exit(status)
