/// ASCII byte constants used by the JSON layer (named so the scanners read as the grammar does).
enum JSONByte {
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C
    static let slash: UInt8 = 0x2F
    static let colon: UInt8 = 0x3A
    static let comma: UInt8 = 0x2C
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D
    static let openBracket: UInt8 = 0x5B
    static let closeBracket: UInt8 = 0x5D
    static let minus: UInt8 = 0x2D
    static let plus: UInt8 = 0x2B
    static let dot: UInt8 = 0x2E
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39

    /// JSON insignificant whitespace: space, tab, LF, CR.
    @inline(__always)
    static func isWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
    }

    /// ASCII decimal digit.
    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b &- zero < 10 }

    /// Value of one hex digit, or nil.
    @inline(__always)
    static func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case 0x30...0x39: return UInt32(b &- 0x30)
        case 0x41...0x46: return UInt32(b &- 0x41 &+ 10)
        case 0x61...0x66: return UInt32(b &- 0x61 &+ 10)
        default: return nil
        }
    }
}
