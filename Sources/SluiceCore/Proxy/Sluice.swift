import Glibc

/// The `sluice` command line (SPEC §1). The executable's `main.swift` only calls into here, so
/// the whole daemon stays in the testable module.
public enum Sluice {
    static let version = "0.1.0"

    public static func blockSignals() -> Int32 { Gateway.blockSignals() }

    /// Runs the command line; returns the exit status.
    public static func main(arguments: [String], signalFD: Int32) -> Int32 {
        let env = ProcessEnvironment()
        var configPath = env.variable("SLUICE_CONFIG") ?? "config/sluice.yaml"
        var check = false
        var i = 1
        while i < arguments.count {
            switch arguments[i] {
            case "--version", "-V":
                print("sluice \(version)")
                return 0
            case "--check":
                check = true
            case "--config", "-c":
                guard i + 1 < arguments.count else {
                    Logger.announce("sluice: --config needs a file")
                    return 2
                }
                i += 1
                configPath = arguments[i]
            case "--help", "-h":
                print("usage: sluice [--config FILE] [--check] [--version]")
                return 0
            default:
                Logger.announce("sluice: unknown argument '\(arguments[i])' (usage: sluice [--config FILE] [--check] [--version])")
                return 2
            }
            i += 1
        }
        let loaded = Gateway.loadConfig(path: configPath, environment: env)
        switch loaded {
        case .failure(let errs):
            for d in errs.diagnostics { Logger.announce(d.description) }
            return 1
        case .success(let (config, digest)):
            for w in config.warnings { Logger.announce(w) }
            if check {
                // Loading the certificate and key is the one check the config layer cannot make.
                if let files = config.listen.tls {
                    do {
                        _ = try ListenTLS.make(files, configFile: configPath, previous: nil)
                    } catch {
                        for d in error.diagnostics { Logger.announce(d.description) }
                        return 1
                    }
                }
                print(config.summary())
                return 0
            }
            do {
                let gateway = try Gateway(configPath: configPath, config: config, digest: digest, environment: env)
                try gateway.start()
                return gateway.waitForSignals(signalFD: signalFD)
            } catch let errs as ConfigErrors {
                for d in errs.diagnostics { Logger.announce(d.description) }
                return 1
            } catch {
                Logger.announce("sluice: \(error)")
                return 1
            }
        }
    }
}
