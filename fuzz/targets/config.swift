/// Fuzz target: `YAMLParser` and the whole config layer (`ConfigLoader.parse`: interpolation, typed
/// decoding, validation), with the JSON sources compiled in to check the effective-config dump.
///
/// Invariants besides "no crash":
/// - YAML errors and config diagnostics point at a real position (line 1...lines+1, column >= 1);
/// - every node of a parsed tree has a valid position;
/// - a config that loads yields a `redactedJSON` that is one valid JSON object, and a summary.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    FuzzConfig.run(input.bytes)
    return 0
}

/// Fixed variables and files: `${HOME}`/`${TOKEN}` resolve, everything else is unset.
private struct FuzzConfigEnvironment: ConfigEnvironment {
    func variable(_ name: String) -> String? {
        switch name {
        case "HOME": return "/home/fuzz"
        case "TOKEN": return "s3cret"
        case "EMPTY": return ""
        default: return nil
        }
    }

    func readFile(_ path: String) -> [UInt8]? {
        path.hasPrefix("/etc/") ? Array("file-content".utf8) : nil
    }
}

private enum FuzzConfig {
    static func run(_ bytes: [UInt8]) {
        let lines = bytes.reduce(1) { $1 == 10 ? $0 + 1 : $0 }
        do {
            if let root = try YAMLParser.parse(bytes) { checkPositions(root, lines: lines, depth: 0) }
        } catch {
            FuzzCheck.require(error.line >= 1 && error.line <= lines + 1 && error.column >= 1,
                              "YAML error at \(error.line):\(error.column) outside \(lines) lines: \(error.message)")
        }

        switch ConfigLoader.parse(bytes, file: "fuzz.yaml", environment: FuzzConfigEnvironment()) {
        case .failure(let errors):
            FuzzCheck.require(!errors.diagnostics.isEmpty, "failure without diagnostics")
            for d in errors.diagnostics {
                FuzzCheck.require(d.line >= 1 && d.line <= lines + 1 && d.column >= 1,
                                  "diagnostic at \(d.line):\(d.column) outside \(lines) lines: \(d.message)")
            }
        case .success(let config):
            var json = config.redactedJSON(generation: 1, sha256: "0")
            let valid = json.withUTF8 { JSONScanner.scanObject(UnsafeRawBufferPointer($0)) }
            if case .failure(let e) = valid {
                FuzzCheck.require(false, "redactedJSON is not a JSON object (\(e.reason) at \(e.offset)): \(json)")
            }
            _ = config.summary()
        }
    }

    static func checkPositions(_ node: YAMLNode, lines: Int, depth: Int) {
        FuzzCheck.require(node.line >= 1 && node.line <= lines + 1 && node.column >= 1,
                          "node at \(node.line):\(node.column) outside \(lines) lines")
        FuzzCheck.require(depth <= 66, "tree deeper than maxDepth allows")
        switch node.content {
        case .scalar: break
        case .sequence(let items): for i in items { checkPositions(i, lines: lines, depth: depth + 1) }
        case .mapping(let entries):
            for e in entries {
                FuzzCheck.require(e.keyLine >= 1 && e.keyColumn >= 1, "key position invalid")
                checkPositions(e.value, lines: lines, depth: depth + 1)
            }
        }
    }
}
