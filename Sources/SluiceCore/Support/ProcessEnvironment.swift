import Glibc

/// The real `ConfigEnvironment`: process environment variables and the file system.
struct ProcessEnvironment: ConfigEnvironment {
    func variable(_ name: String) -> String? {
        guard let v = getenv(name) else { return nil }
        return String(cString: v)
    }

    func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            // Config and certificate files are small; refuse anything absurd.
            if out.count > 64 * 1024 * 1024 { return nil }
        }
        return out
    }
}
