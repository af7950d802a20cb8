/// Reading and writing single server-sent events (WHATWG HTML §9.2).
enum SSEEvent {
    /// The `data` field values of one raw event joined with LF (one leading space after the colon
    /// removed), or nil when the event has no `data` field. Comment lines (`:`) and other fields are
    /// ignored; a line without a colon is a field with an empty value.
    static func data(of event: ArraySlice<UInt8>) -> [UInt8]? {
        var result: [UInt8] = []
        var found = false
        var i = event.startIndex
        let end = event.endIndex
        while i < end {
            var j = i
            while j < end, event[j] != HTTPByteClass.lf, event[j] != HTTPByteClass.cr { j += 1 }
            if j > i, event[i] != HTTPByteClass.colon {
                var c = i
                while c < j, event[c] != HTTPByteClass.colon { c += 1 }
                if c - i == 4, event[i] == 100, event[i + 1] == 97, event[i + 2] == 116, event[i + 3] == 97 {  // "data"
                    var v = min(c + 1, j)
                    if v < j, event[v] == HTTPByteClass.sp { v += 1 }
                    if found { result.append(HTTPByteClass.lf) }
                    result.append(contentsOf: event[v..<j])
                    found = true
                }
            }
            if j < end, event[j] == HTTPByteClass.cr, j + 1 < end, event[j + 1] == HTTPByteClass.lf { j += 1 }
            i = j + 1
        }
        return found ? result : nil
    }

    /// Appends `data: <payload>\n\n`; a payload spanning lines becomes one `data:` line per line.
    static func encode(data: some Collection<UInt8>, into out: inout [UInt8]) {
        out.append(literal: "data: ")
        var lastWasCR = false
        for b in data {
            if b == HTTPByteClass.lf, lastWasCR { lastWasCR = false; continue }
            lastWasCR = b == HTTPByteClass.cr
            if b == HTTPByteClass.lf || b == HTTPByteClass.cr {
                out.append(literal: "\ndata: ")
            } else {
                out.append(b)
            }
        }
        out.append(HTTPByteClass.lf)
        out.append(HTTPByteClass.lf)
    }
}
