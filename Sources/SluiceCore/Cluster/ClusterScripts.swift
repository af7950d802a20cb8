/// The server-side scripts of the cluster store. Each runs atomically in Redis, reads the time
/// from Redis (`TIME`) rather than from a replica's clock, and keeps a bucket as a hash
/// `{l: level, t: ms}` where the level is tokens × window-milliseconds — integers, so refill and
/// take are exact like the local `TokenBucket` (exact up to 2^53: burst × window_ms below 9e15,
/// e.g. a burst of a million tokens over a day). An absent key is a full bucket, and every write
/// sets the key to expire once it would be full again, so idle buckets cost Redis nothing.
enum ClusterScripts {
    /// Shared head of the bucket scripts: `now` in Redis milliseconds, and `load(key, now, limit, cap)`
    /// giving a bucket's level refilled to `now` (a missing key is full) and whether the key exists.
    static let prelude = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local function load(key, now, limit, cap)
          local s = redis.call('HMGET', key, 'l', 't')
          if not s[1] then return cap, false end
          local level, ts = tonumber(s[1]), tonumber(s[2])
          if now > ts and level < cap then level = math.min(cap, level + (now - ts) * limit) end
          return level, true
        end

        """

    /// Admission: KEYS = buckets; per bucket six ARGV: cost, limit, window_ms, burst, extra, shadow.
    /// Refills every bucket; when every enforced (non-shadow) bucket holds its cost, each bucket that
    /// holds its cost takes it plus up to `extra` more (a lease; 0 in exact mode). Shadow buckets never
    /// refuse. Reply: [admitted, then per bucket: taken, remaining, ms until the cost is there,
    /// ms until full].
    static let admit = RedisScript(name: "admit", source: prelude + """
        local n = #KEYS
        local lv = {}
        local ok = true
        for i = 1, n do
          local b = (i - 1) * 6
          local cost, limit, win, burst = tonumber(ARGV[b+1]), tonumber(ARGV[b+2]), tonumber(ARGV[b+3]), tonumber(ARGV[b+4])
          local cap = burst * win
          local level, held = load(KEYS[i], now, limit, cap)
          lv[i] = level
          if level < cost * win and ARGV[b+6] == '0' then ok = false end
        end
        local out = {ok and 1 or 0}
        for i = 1, n do
          local b = (i - 1) * 6
          local cost, limit, win, burst = tonumber(ARGV[b+1]), tonumber(ARGV[b+2]), tonumber(ARGV[b+3]), tonumber(ARGV[b+4])
          local cap = burst * win
          local taken = 0
          if ok and lv[i] >= cost * win then
            local spare = math.floor((lv[i] - cost * win) / win)
            local extra = tonumber(ARGV[b+5])
            if extra > spare then extra = spare end
            if extra < 0 then extra = 0 end
            taken = cost + extra
            lv[i] = lv[i] - taken * win
            redis.call('HSET', KEYS[i], 'l', lv[i], 't', now)
            redis.call('PEXPIRE', KEYS[i], math.ceil((cap - lv[i]) / limit) + 1000)
          end
          local rem = math.floor(lv[i] / win)
          local waitc, full = 0, 0
          if lv[i] < cost * win then waitc = math.ceil((cost * win - lv[i]) / limit) end
          if lv[i] < cap then full = math.ceil((cap - lv[i]) / limit) end
          out[#out + 1] = taken
          out[#out + 1] = rem
          out[#out + 1] = waitc
          out[#out + 1] = full
        end
        return out
        """)

    /// Settlement: KEYS = buckets; per bucket four ARGV: delta (tokens to charge, negative to refund),
    /// limit, window_ms, burst. Refill, then level −= delta, capped at burst (debt allowed).
    static let reconcile = RedisScript(name: "reconcile", source: prelude + """
        for i = 1, #KEYS do
          local b = (i - 1) * 4
          local delta, limit, win, burst = tonumber(ARGV[b+1]), tonumber(ARGV[b+2]), tonumber(ARGV[b+3]), tonumber(ARGV[b+4])
          local cap = burst * win
          local level, held = load(KEYS[i], now, limit, cap)
          local after = math.min(cap, level - delta * win)
          if held or after < cap then
            redis.call('HSET', KEYS[i], 'l', after, 't', now)
            redis.call('PEXPIRE', KEYS[i], math.ceil((cap - after) / limit) + 1000)
          end
        end
        return #KEYS
        """)

    /// Heartbeat: KEYS[1] = the replica set; ARGV = replica id, ttl ms. Registers this replica, drops
    /// the ones not seen within the ttl, and answers how many are alive.
    static let heartbeat = RedisScript(name: "heartbeat", source: """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local ttl = tonumber(ARGV[2])
        redis.call('ZADD', KEYS[1], now, ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
        redis.call('PEXPIRE', KEYS[1], ttl * 2)
        return redis.call('ZCARD', KEYS[1])
        """)

    /// Purge: ARGV[1] = a SCAN pattern. Unlinks every matching key (`DELETE /cache` of a shared cache).
    static let purge = RedisScript(name: "purge", source: """
        local cursor = '0'
        local n = 0
        repeat
          local r = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
          cursor = r[1]
          for _, k in ipairs(r[2]) do
            redis.call('UNLINK', k)
            n = n + 1
          end
        until cursor == '0'
        return n
        """)

    /// `text` with the glob characters of SCAN's MATCH escaped.
    static func globEscaped(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "*" || c == "?" || c == "[" || c == "]" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
