-- Checks and debits every budget one LinkedIn call needs, all or nothing, on Redis's clock.
-- KEYS: 1 app counter, 2 member counter, 3 rate bucket, 4 app cooldown, 5 member cooldown, 6 recent calls and refusals
-- ARGV: 1 app limit (already reduced by the post reserve for sync jobs), 2 member limit, 3 window ms,
--       4 rate per second (0 = none), 5 burst, 6 recent-calls window ms
-- Returns {1, app remaining, "go"} or {0, wait ms, reason}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[3])
local w = math.floor(now / window)
local window_end = (w + 1) * window

local cooldown = redis.call('PTTL', KEYS[4])
if cooldown > 0 then return {0, cooldown, 'cooldown'} end
cooldown = redis.call('PTTL', KEYS[5])
if cooldown > 0 then return {0, cooldown, 'member-cooldown'} end

-- A counter is {w = window number, n = calls, s = 1 once LinkedIn said the day's budget is spent}.
local function used(key)
  local v = redis.call('HMGET', key, 'w', 'n', 's')
  if tonumber(v[1]) ~= w then return 0, false end
  return tonumber(v[2]) or 0, v[3] == '1'
end

local app_used, app_spent = used(KEYS[1])
if app_spent or app_used + 1 > tonumber(ARGV[1]) then return {0, window_end - now, 'app-daily'} end
local member_used, member_spent = used(KEYS[2])
if member_spent or member_used + 1 > tonumber(ARGV[2]) then return {0, window_end - now, 'member-daily'} end

local rate = tonumber(ARGV[4])
if rate > 0 then
  local burst = tonumber(ARGV[5])
  local b = redis.call('HMGET', KEYS[3], 'tokens', 'at')
  local tokens = tonumber(b[1]) or burst
  local at = tonumber(b[2]) or now
  tokens = math.min(burst, tokens + (now - at) * rate / 1000)
  if tokens < 1 then return {0, math.ceil((1 - tokens) * 1000 / rate), 'rate'} end
  redis.call('HSET', KEYS[3], 'tokens', tokens - 1, 'at', now)
  redis.call('PEXPIRE', KEYS[3], math.ceil(burst * 1000 / rate) + 1000)
end

-- Calls made recently, in the same short window as the 429s counted against them (QuotaGate: one refusal in
-- many is noise). Whichever comes first opens the window.
redis.call('HINCRBY', KEYS[6], 'calls', 1)
if redis.call('PTTL', KEYS[6]) < 0 then redis.call('PEXPIRE', KEYS[6], tonumber(ARGV[6])) end

redis.call('HSET', KEYS[1], 'w', w, 'n', app_used + 1)
redis.call('PEXPIREAT', KEYS[1], window_end + 60000)
redis.call('HSET', KEYS[2], 'w', w, 'n', member_used + 1)
redis.call('PEXPIREAT', KEYS[2], window_end + 60000)
return {1, tonumber(ARGV[1]) - app_used - 1, 'go'}
