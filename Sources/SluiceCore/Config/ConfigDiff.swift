/// Differences between two configs that a reload cannot apply live (SPEC §8).
enum ConfigDiff {
    /// Which of `listen`, `admin`, `server.workers`, `cluster` changed: those need a restart. The admin
    /// token is applied live, so only the admin address counts; so is `listen.tls` (each new
    /// connection takes the context of the current generation), so only the listen address counts.
    static func restartRequired(old: GatewayConfig, new: GatewayConfig) -> [String] {
        var out: [String] = []
        if old.listen.address != new.listen.address { out.append("listen") }
        if old.admin.address != new.admin.address { out.append("admin") }
        if old.server.workers != new.server.workers { out.append("server.workers") }
        if old.cluster != new.cluster { out.append("cluster") }
        return out
    }
}
