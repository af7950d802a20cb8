import CSluiceLinux
import Glibc

/// Searches over raw bytes through libc's `memchr`/`memmem`, which compare many bytes per instruction:
/// the hot scans (SSE line ends, JSON keys in stream events, escapes in prompt strings) skip ordinary
/// bytes at memory speed instead of one compare per byte.
enum ByteSearch {
    /// Offset of the first `byte` in `p[from..<to]`, or nil.
    @inline(__always)
    static func index(of byte: UInt8, in p: UnsafeRawBufferPointer, from: Int = 0, to: Int? = nil) -> Int? {
        let end = to ?? p.count
        guard from < end, let base = p.baseAddress else { return nil }
        guard let hit = memchr(base + from, Int32(byte), end - from) else { return nil }
        return UnsafeRawPointer(hit) - base
    }

    /// Offset of the first CR or LF in `p[from..<to]`, or nil.
    @inline(__always)
    static func lineBreak(in p: UnsafeRawBufferPointer, from: Int = 0, to: Int? = nil) -> Int? {
        let lf = index(of: 0x0A, in: p, from: from, to: to)
        return index(of: 0x0D, in: p, from: from, to: lf ?? to) ?? lf
    }

    /// Offset of the first occurrence of `needle` in `p[from...]`, or nil (nil for an empty needle).
    @inline(__always)
    static func index(of needle: StaticString, in p: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        guard from < p.count, let base = p.baseAddress, needle.utf8CodeUnitCount > 0 else { return nil }
        guard let hit = CSluiceLinux_memmem(base + from, p.count - from, needle.utf8Start, needle.utf8CodeUnitCount) else {
            return nil
        }
        return UnsafeRawPointer(hit) - base
    }

    /// True when `needle` occurs in `p`.
    @inline(__always)
    static func contains(_ p: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
        index(of: needle, in: p) != nil
    }
}
