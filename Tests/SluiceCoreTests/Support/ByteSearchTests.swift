import Testing
@testable import SluiceCore

@Suite struct ByteSearchTests {
    private func with<R>(_ s: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        Array(s.utf8).withUnsafeBytes(body)
    }

    @Test func indexOfByte_respectsFromAndTo() {
        with("a\\b\\c") { p in
            #expect(ByteSearch.index(of: 0x5C, in: p) == 1)
            #expect(ByteSearch.index(of: 0x5C, in: p, from: 2) == 3)
            #expect(ByteSearch.index(of: 0x5C, in: p, from: 2, to: 3) == nil)
            #expect(ByteSearch.index(of: 0x5C, in: p, from: 4) == nil)
            #expect(ByteSearch.index(of: 0x5C, in: p, from: 9) == nil)
        }
        [UInt8]().withUnsafeBytes { #expect(ByteSearch.index(of: 0x41, in: $0) == nil) }
    }

    @Test func lineBreak_firstOfCROrLF() {
        with("data: x\r\n\r\n") { #expect(ByteSearch.lineBreak(in: $0) == 7) }
        with("data: x\n\r") { #expect(ByteSearch.lineBreak(in: $0) == 7) }
        with("data: x\ny\r") { #expect(ByteSearch.lineBreak(in: $0, from: 8) == 9) }
        with("data: x") { #expect(ByteSearch.lineBreak(in: $0) == nil) }
        with("ab\ncd") { #expect(ByteSearch.lineBreak(in: $0, from: 0, to: 2) == nil) }
    }

    @Test func indexOfNeedle_findsEveryPosition() {
        let hay = String(repeating: "x", count: 100)
        for at in [0, 1, 31, 32, 33, 64, 90] {
            var s = Array(hay.utf8)
            s.replaceSubrange(at..<(at + 7), with: Array("\"usage\"".utf8))
            s.withUnsafeBytes { p in
                #expect(ByteSearch.index(of: "\"usage\"", in: p) == at)
                #expect(ByteSearch.index(of: "\"usage\"", in: p, from: at + 1) == nil)
            }
        }
        with("\"usag") { #expect(!ByteSearch.contains($0, "\"usage\"")) }
        with("") { #expect(!ByteSearch.contains($0, "x")) }
    }
}
