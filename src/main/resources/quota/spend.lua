-- LinkedIn answered 429 "... DAY limit": the counter is spent until its window ends, whatever Courier counted.
-- KEYS: 1 counter; ARGV: 1 window ms
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local w = math.floor(now / window)
local v = redis.call('HMGET', KEYS[1], 'w', 'n')
local n = 0
if tonumber(v[1]) == w then n = tonumber(v[2]) or 0 end
redis.call('HSET', KEYS[1], 'w', w, 'n', n, 's', 1)
redis.call('PEXPIREAT', KEYS[1], (w + 1) * window + 60000)
return {(w + 1) * window - now}
