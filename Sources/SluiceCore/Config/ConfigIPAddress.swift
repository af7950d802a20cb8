/// Numeric IP parsing for addresses and CIDRs in the config (no resolver, no libc).
enum ConfigIPAddress {
    /// Dotted-quad IPv4 to 4 bytes.
    static func parseIPv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.utf8.count <= 3, part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                  let v = Int(part), v <= 255 else { return nil }
            out.append(UInt8(v))
        }
        return out
    }

    /// IPv6 text (with `::` compression and an optional trailing IPv4) to 16 bytes.
    static func parseIPv6(_ text: String) -> [UInt8]? {
        guard text.contains(":") else { return nil }
        let halves = text.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { return nil }
        func groups(_ s: Substring) -> [UInt8]? {
            if s.isEmpty { return [] }
            var out: [UInt8] = []
            let fields = s.split(separator: ":", omittingEmptySubsequences: false)
            for (i, field) in fields.enumerated() {
                if i == fields.count - 1, field.contains("."), let v4 = parseIPv4(String(field)) {
                    out += v4
                    continue
                }
                guard !field.isEmpty, field.utf8.count <= 4, let v = UInt16(field, radix: 16) else { return nil }
                out += [UInt8(v >> 8), UInt8(v & 0xFF)]
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

/// A network in CIDR notation (`10.0.0.0/8`, `fd00::/8`); a bare address is a single host.
struct CIDRConfig: Sendable, Equatable, CustomStringConvertible {
    /// 4 or 16 network-order bytes, host bits cleared.
    var network: [UInt8]
    var prefixLength: Int

    /// `address/prefix` as parsed.
    var description: String {
        if network.count == 4 { return network.map(String.init).joined(separator: ".") + "/\(prefixLength)" }
        var groups: [String] = []
        for i in stride(from: 0, to: 16, by: 2) { groups.append(String(UInt16(network[i]) << 8 | UInt16(network[i + 1]), radix: 16)) }
        return groups.joined(separator: ":") + "/\(prefixLength)"
    }

    /// True when `address` (4 or 16 bytes) lies in this network.
    func contains(_ address: [UInt8]) -> Bool {
        guard address.count == network.count else { return false }
        var bits = prefixLength
        for i in 0..<address.count where bits > 0 {
            let take = min(8, bits)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
            if address[i] & mask != network[i] { return false }
            bits -= take
        }
        return true
    }

    /// Parses `a.b.c.d[/n]` or `v6[/n]`.
    static func parse(_ text: String) -> CIDRConfig? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let first = parts.first else { return nil }
        guard let bytes = ConfigIPAddress.parseIPv4(String(first)) ?? ConfigIPAddress.parseIPv6(String(first)) else { return nil }
        var prefix = bytes.count * 8
        if parts.count == 2 {
            guard parts[1].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let p = Int(parts[1]), p <= prefix else { return nil }
            prefix = p
        }
        var network = bytes
        var bits = prefix
        for i in 0..<network.count {
            let keep = max(0, min(8, bits))
            network[i] &= keep == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
            bits -= 8
        }
        return CIDRConfig(network: network, prefixLength: prefix)
    }
}

fileprivate extension String {
    /// Splits at `::` (at most meaningful once in IPv6 text).
    func components(separatedByDoubleColon _: Void) -> [Substring] {
        var result: [Substring] = []
        var start = startIndex
        var i = startIndex
        while i < endIndex {
            let next = index(after: i)
            if self[i] == ":", next < endIndex, self[next] == ":" {
                result.append(self[start..<i])
                start = index(after: next)
                i = start
                continue
            }
            i = next
        }
        result.append(self[start...])
        return result
    }
}
