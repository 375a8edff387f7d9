/// Python's `__future__`: every feature is already on in Python 3 except `annotations`
/// (PEP 563), whose import the compiler sees (Compiler.stringAnnotations). The features print
/// as CPython's `_Feature` objects.
enum FutureModule {
    static func module() -> Namespace {
        let m = Namespace("__future__")
        let features: [(String, String)] = [
            ("nested_scopes", "(2, 1, 0, 'beta', 1), (2, 2, 0, 'alpha', 0), 16"),
            ("generators", "(2, 2, 0, 'alpha', 1), (2, 3, 0, 'final', 0), 0"),
            ("division", "(2, 2, 0, 'alpha', 2), (3, 0, 0, 'alpha', 0), 131072"),
            ("absolute_import", "(2, 5, 0, 'alpha', 1), (3, 0, 0, 'alpha', 0), 262144"),
            ("with_statement", "(2, 5, 0, 'alpha', 1), (2, 6, 0, 'alpha', 0), 524288"),
            ("print_function", "(2, 6, 0, 'alpha', 2), (3, 0, 0, 'alpha', 0), 1048576"),
            ("unicode_literals", "(2, 6, 0, 'alpha', 2), (3, 0, 0, 'alpha', 0), 2097152"),
            ("barry_as_FLUFL", "(3, 1, 0, 'alpha', 2), (4, 0, 0, 'alpha', 0), 4194304"),
            ("generator_stop", "(3, 5, 0, 'beta', 1), (3, 7, 0, 'alpha', 0), 8388608"),
            ("annotations", "(3, 7, 0, 'beta', 1), None, 16777216"),
        ]
        for (name, fields) in features { m[name] = .object(FutureFeature(fields)) }
        m["all_feature_names"] = .object(PyList(features.map { .str($0.0) }))
        return m
    }
}

/// A `__future__` feature (`_Feature(optional, mandatory, compiler_flag)`).
final class FutureFeature: PyObject {
    let fields: String
    init(_ fields: String) {
        self.fields = fields
        super.init()
    }
    override var typeName: String { "_Feature" }
    override func repr(_ ev: Evaluator) throws -> String { "_Feature(\(fields))" }
}
