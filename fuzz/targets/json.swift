/// Fuzz target: `JSONScanner` (validate, scanObject, member walks), `JSONValue.parse`, the writers.
///
/// Invariants besides "no crash":
/// - `validate`, `parse` and (for object roots) `scanObject` accept exactly the same documents;
/// - a valid `scanObject` agrees with `JSONValue.parse`: same members in order, same decoded keys,
///   each value range parsing to the same value, and the last-duplicate lookup finding the same value;
/// - the compact serialisation parses back to the same value;
/// - the canonical form is idempotent: canonical(parse(canonical(x))) == canonical(x).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    input.bytes.withUnsafeBytes { FuzzJSON.run($0) }
    return 0
}

private enum FuzzJSON {
    static func run(_ p: UnsafeRawBufferPointer) {
        let validated = JSONScanner.validate(p)
        let parsed = JSONValue.parse(p)
        let scanned = JSONScanner.scanObject(p)
        guard case .success(let value) = parsed else {
            FuzzCheck.require(isFailure(validated), "parse failed where validate succeeded")
            FuzzCheck.require(isFailure(scanned), "scanObject succeeded where parse failed")
            return
        }
        guard case .success(let (kind, range)) = validated else {
            FuzzCheck.require(false, "validate failed where parse succeeded")
            return
        }
        FuzzCheck.require(matches(kind, value), "validate kind \(kind) for \(value)")
        FuzzCheck.require(range.lowerBound >= 0 && range.upperBound <= p.count, "root range out of bounds")

        if case .success(let index) = scanned {
            checkIndex(index, value, p)
        } else {
            FuzzCheck.require(kind != .object, "scanObject refused a valid object")
        }
        if kind == .array {
            let elements = JSONScanner.elements(ofArrayAt: range, in: p)
            guard case .array(let items) = value else { return }
            FuzzCheck.require(elements.count == items.count, "elements(ofArrayAt:) count differs")
        }

        let compact = value.serialized()
        FuzzCheck.require(JSONValue.parse(compact) == .success(value), "serialized() does not parse back: \(FuzzCheck.show(compact))")

        let c1 = value.canonicalBytes()
        guard case .success(let v2) = JSONValue.parse(c1) else {
            FuzzCheck.require(false, "canonical form does not parse: \(FuzzCheck.show(c1))")
            return
        }
        let c2 = v2.canonicalBytes()
        if c1 == c2 { return }
        #if FUZZ_STRICT
        FuzzCheck.require(false, "canonical not idempotent:\n  c1=\(FuzzCheck.show(c1))\n  c2=\(FuzzCheck.show(c2))")
        #else
        // Known issue (fuzz/README.md, KI-1): a non-integer of magnitude >= 1e21 is written in exponent
        // form ("1e+21"), which reads back as an integer and is then written out in full
        // ("1000000000000000000000"). Tolerated, so the run goes on, only when that is the whole
        // difference: same values as Doubles, and stable from the second round on.
        let stable = JSONValue.parse(c2).map { $0.canonicalBytes() } == .success(c2)
        FuzzCheck.require(stable && sameUpToNumberText(v2, value),
                          "canonical not idempotent:\n  c1=\(FuzzCheck.show(c1))\n  c2=\(FuzzCheck.show(c2))")
        #endif
    }

    /// Structural equality where numbers compare as Doubles (objects member by member, in order).
    static func sameUpToNumberText(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case let (.number(x), .number(y)): return Double(x) == Double(y)
        case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { sameUpToNumberText($0, $1) }
        case let (.object(x), .object(y)):
            // Canonical order sorts members, so compare as multisets of keys: sort both the same way.
            let sx = x.sorted { Array($0.0.utf16).lexicographicallyPrecedes(Array($1.0.utf16)) }
            let sy = y.sorted { Array($0.0.utf16).lexicographicallyPrecedes(Array($1.0.utf16)) }
            return sx.count == sy.count && zip(sx, sy).allSatisfy { $0.0 == $1.0 && sameUpToNumberText($0.1, $1.1) }
        default: return a == b
        }
    }

    static func checkIndex(_ index: JSONObjectIndex, _ value: JSONValue, _ p: UnsafeRawBufferPointer) {
        guard case .object(let members) = value else {
            FuzzCheck.require(false, "scanObject succeeded on a non-object")
            return
        }
        FuzzCheck.require(index.members.count == members.count, "member count differs scan/parse")
        let walked = JSONScanner.members(ofObjectAt: index.objectRange, in: p)
        FuzzCheck.require(walked.count == members.count, "members(ofObjectAt:) count differs")
        for (m, (key, v)) in zip(index.members, members) {
            let quoted = (m.keyRange.lowerBound - 1)..<(m.keyRange.upperBound + 1)
            let decoded = JSONScanner.decodeString(quoted, in: p)
            FuzzCheck.require(decoded.map { Array($0.utf8) } == Array(key.utf8), "decoded key differs scan/parse")
            let slice = UnsafeRawBufferPointer(rebasing: p[m.valueRange])
            FuzzCheck.require(JSONValue.parse(slice) == .success(v), "member value range parses differently")
            FuzzCheck.require(matches(m.kind, v), "member kind \(m.kind) for \(v)")
            // Last duplicate wins in both; compare by the scanner's byte-exact key match.
            if let found = index.member(key, in: p) {
                let last = members.last { Array($0.0.utf8) == Array(key.utf8) }?.1
                FuzzCheck.require(JSONValue.parse(UnsafeRawBufferPointer(rebasing: p[found.valueRange])).map { Optional($0) } == .success(last),
                                  "lookup of \(key) differs scan/parse")
            } else {
                FuzzCheck.require(false, "scanner lookup misses key \(key)")
            }
        }
    }

    static func isFailure<T>(_ r: Result<T, JSONError>) -> Bool {
        if case .failure = r { return true }
        return false
    }

    static func matches(_ kind: JSONKind, _ v: JSONValue) -> Bool {
        switch (kind, v) {
        case (.object, .object), (.array, .array), (.string, .string), (.number, .number), (.bool, .bool), (.null, .null):
            return true
        default:
            return false
        }
    }
}
