/// An HTTP field block: one byte storage plus the byte ranges of each field's name and value.
///
/// Names keep their original case; every lookup is ASCII case-insensitive and allocates nothing.
/// A parsed head copies its field section once into `storage`; `add` appends to it. Values are
/// stored as given: callers adding fields must pass valid names and values (no CR, LF, NUL),
/// see `isValidName`/`isValidValue`. A plain value type, owned by whoever holds it.
struct HTTPHeaders: Sendable {
    /// Byte ranges of one field inside `storage`.
    struct Field: Sendable, Equatable {
        var nameStart: Int
        var nameEnd: Int
        var valueStart: Int
        var valueEnd: Int
    }

    private(set) var storage: [UInt8]
    private(set) var fields: [Field]

    /// An empty block.
    init() {
        storage = []
        fields = []
    }

    /// A block over already validated bytes; used by the parsers.
    init(storage: [UInt8], fields: [Field]) {
        self.storage = storage
        self.fields = fields
    }

    /// Number of fields.
    var count: Int { fields.count }

    /// The name of field `i` as sent.
    func name(at i: Int) -> ArraySlice<UInt8> {
        let f = fields[i]
        return storage[f.nameStart..<f.nameEnd]
    }

    /// The value of field `i`, without surrounding whitespace.
    func value(at i: Int) -> ArraySlice<UInt8> {
        let f = fields[i]
        return storage[f.valueStart..<f.valueEnd]
    }

    /// Whether field `i` is named `lowercasedName` (ASCII case-insensitive).
    func nameEquals(at i: Int, _ lowercasedName: String) -> Bool {
        index(of: lowercasedName, from: i, limit: i + 1) != nil
    }

    /// Index of the first field at `from..<limit` named `name` (any case), or nil. Allocates nothing.
    func index(of name: String, from: Int = 0, limit: Int = Int.max) -> Int? {
        let end = min(limit, fields.count)
        guard from < end else { return nil }
        // Borrowed bytes (a `var` copy for `withUTF8` would retain the string on every lookup).
        if let found = name.utf8.withContiguousStorageIfAvailable({ index(of: $0, from: from, end: end) }) {
            return found
        }
        let bytes = Array(name.utf8)
        return bytes.withUnsafeBufferPointer { index(of: $0, from: from, end: end) }
    }

    private func index(of n: UnsafeBufferPointer<UInt8>, from: Int, end: Int) -> Int? {
        storage.withUnsafeBufferPointer { s in
            for i in from..<end where Self.matches(s, fields[i], n) { return i }
            return nil
        }
    }

    /// The first value of `name` (any case), or nil.
    func first(_ name: String) -> ArraySlice<UInt8>? {
        index(of: name).map { value(at: $0) }
    }

    /// The first value of `name` decoded as UTF-8, or nil.
    func firstString(_ name: String) -> String? {
        first(name).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether a field called `name` (any case) is present.
    func contains(_ name: String) -> Bool { index(of: name) != nil }

    /// All values of `name` in order.
    func all(_ name: String) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var i = 0
        while let k = index(of: name, from: i) {
            out.append(value(at: k))
            i = k + 1
        }
        return out
    }

    @inline(__always)
    private static func matches(_ s: UnsafeBufferPointer<UInt8>, _ f: Field, _ n: UnsafeBufferPointer<UInt8>) -> Bool {
        guard f.nameEnd - f.nameStart == n.count else { return false }
        var k = 0
        while k < n.count {
            if HTTPByteClass.lower(s[f.nameStart + k]) != HTTPByteClass.lower(n[k]) { return false }
            k += 1
        }
        return true
    }

    /// Appends a field.
    mutating func add(_ name: String, _ value: String) {
        add(name: name.utf8, value: value.utf8)
    }

    /// Appends a field from raw bytes.
    mutating func add(name: some Collection<UInt8>, value: some Collection<UInt8>) {
        let ns = storage.count
        storage.append(contentsOf: name)
        let vs = storage.count
        storage.append(contentsOf: value)
        fields.append(Field(nameStart: ns, nameEnd: vs, valueStart: vs, valueEnd: storage.count))
    }

    /// Removes every field called `name` (any case).
    mutating func remove(_ name: String) {
        var name = name
        let bytes = storage
        name.withUTF8 { n in
            bytes.withUnsafeBufferPointer { s in fields.removeAll { Self.matches(s, $0, n) } }
        }
        // Repeated set/remove leaves dead bytes behind; compact once they dominate.
        if storage.count > 4096, liveBytes * 2 < storage.count { compact() }
    }

    /// Replaces every field called `name` with one field.
    mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    /// Appends `Name: value\r\n` for each field.
    func write(into out: inout [UInt8]) {
        out.reserveCapacity(out.count + liveBytes + fields.count * 4)
        for f in fields {
            out.append(contentsOf: storage[f.nameStart..<f.nameEnd])
            out.append(HTTPByteClass.colon)
            out.append(HTTPByteClass.sp)
            out.append(contentsOf: storage[f.valueStart..<f.valueEnd])
            out.append(HTTPByteClass.cr)
            out.append(HTTPByteClass.lf)
        }
    }

    /// Whether `name` is a non-empty token (safe to add).
    static func isValidName(_ name: some Collection<UInt8>) -> Bool {
        !name.isEmpty && name.allSatisfy(HTTPByteClass.isToken)
    }

    /// Whether `value` holds only field-value bytes and no surrounding whitespace (safe to add).
    static func isValidValue(_ value: some Collection<UInt8>) -> Bool {
        guard value.allSatisfy(HTTPByteClass.isFieldValueChar) else { return false }
        guard let f = value.first, let l = value.reversed().first else { return true }
        return !HTTPByteClass.isOWS(f) && !HTTPByteClass.isOWS(l)
    }

    private var liveBytes: Int {
        var n = 0
        for f in fields { n += (f.nameEnd - f.nameStart) + (f.valueEnd - f.valueStart) }
        return n
    }

    /// Copies the live fields into fresh storage.
    func compacted(keeping keep: (Int) -> Bool = { _ in true }) -> HTTPHeaders {
        var out = HTTPHeaders()
        out.storage.reserveCapacity(liveBytes)
        out.fields.reserveCapacity(fields.count)
        for i in 0..<fields.count where keep(i) { out.add(name: name(at: i), value: value(at: i)) }
        return out
    }

    private mutating func compact() { self = compacted() }
}
