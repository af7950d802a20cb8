/// The `listen.tls` server context of one config generation. Immutable and shared by every loop;
/// each accepted connection takes the context of the snapshot current at accept, so a reload that
/// rotates the certificate serves new connections with the new one while open connections keep
/// their session.
///
/// The files are read again at every reload (a rotated Secret keeps its paths). When neither their
/// paths nor their bytes changed, the previous context is kept, and with it its session-ticket
/// key: clients go on resuming their sessions across reloads.
final class ListenTLS: Sendable {
    let context: TLSContext
    let certFile: String
    let keyFile: String
    /// SHA-256 of the certificate file's bytes, then of the key file's.
    let fingerprint: [UInt8]

    private init(context: TLSContext, certFile: String, keyFile: String, fingerprint: [UInt8]) {
        self.context = context
        self.certFile = certFile
        self.keyFile = keyFile
        self.fingerprint = fingerprint
    }

    /// Builds (or keeps `previous`) the context for `files`. A file that cannot be read or used
    /// (not PEM, not a certificate, a key that does not match) is a config error at the line of
    /// `cert_file` or `key_file` in `configFile`.
    static func make(_ files: TLSFilesConfig, configFile: String, previous: ListenTLS?,
                     readFile: (String) -> [UInt8]? = { ProcessEnvironment().readFile($0) }) throws(ConfigErrors) -> ListenTLS {
        func diagnostic(_ message: String, at location: ConfigLocation) -> ConfigErrors {
            ConfigErrors(diagnostics: [ConfigDiagnostic(file: configFile, line: location.line, column: location.column,
                                                        message: "listen.tls: \(message)")])
        }
        guard let cert = readFile(files.certFile) else {
            throw diagnostic("cannot read certificate file '\(files.certFile)'", at: files.certLocation)
        }
        guard let key = readFile(files.keyFile) else {
            throw diagnostic("cannot read key file '\(files.keyFile)'", at: files.keyLocation)
        }
        let fingerprint = SHA256Digest.digest(cert) + SHA256Digest.digest(key)
        if let previous, previous.certFile == files.certFile, previous.keyFile == files.keyFile,
           previous.fingerprint == fingerprint {
            return previous
        }
        do {
            let context = try TLSContext.server(certFile: files.certFile, keyFile: files.keyFile)
            return ListenTLS(context: context, certFile: files.certFile, keyFile: files.keyFile, fingerprint: fingerprint)
        } catch {
            throw diagnostic(error.description, at: error.file == files.keyFile ? files.keyLocation : files.certLocation)
        }
    }
}
