-- Checks and debits the budgets of a batch of LinkedIn calls of one resource, each call all or nothing, in order,
-- on Redis's clock: the same as one script run per call, one after another (QuotaLimiter gathers the calls).
-- KEYS: 1 app counter, 2 rate bucket, 3 app cooldown, 4 recent calls and refusals, 5 the window's calls per member
--       (a sorted set by member counter key, for the ops console's top members); then per call (i = 1..n):
--       5 + 2i - 1 member counter, 5 + 2i member cooldown
-- ARGV: 1 window ms, 2 rate per second (0 = none), 3 burst, 4 recent-calls window ms; then per call:
--       4 + 2i - 1 app limit (already reduced by the post reserve for sync jobs), 4 + 2i member limit
-- Returns, per call, {1, app remaining, "go"} or {0, wait ms, reason}, flattened: 3 values a call.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local w = math.floor(now / window)
local window_end = (w + 1) * window
local n = (#KEYS - 5) / 2
local out = {}

-- A counter is {w = window number, n = calls, s = 1 once LinkedIn said the day's budget is spent}.
local function used(key)
  local v = redis.call('HMGET', key, 'w', 'n', 's')
  if tonumber(v[1]) ~= w then return 0, false end
  return tonumber(v[2]) or 0, v[3] == '1'
end

local app_cooldown = redis.call('PTTL', KEYS[3])
local app_used, app_spent = used(KEYS[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tokens, rate_used = burst, false
if rate > 0 then
  local b = redis.call('HMGET', KEYS[2], 'tokens', 'at')
  local at = tonumber(b[2]) or now
  tokens = math.min(burst, (tonumber(b[1]) or burst) + (now - at) * rate / 1000)
end
local granted = 0

for i = 1, n do
  local member_key, member_cooldown_key = KEYS[5 + 2 * i - 1], KEYS[5 + 2 * i]
  local app_limit, member_limit = tonumber(ARGV[4 + 2 * i - 1]), tonumber(ARGV[4 + 2 * i])
  local answer
  if app_cooldown > 0 then
    answer = {0, app_cooldown, 'cooldown'}
  else
    local member_cooldown = redis.call('PTTL', member_cooldown_key)
    if member_cooldown > 0 then
      answer = {0, member_cooldown, 'member-cooldown'}
    elseif app_spent or app_used + 1 > app_limit then
      answer = {0, window_end - now, 'app-daily'}
    else
      local member_used, member_spent = used(member_key)
      if member_spent or member_used + 1 > member_limit then
        answer = {0, window_end - now, 'member-daily'}
      elseif rate > 0 and tokens < 1 then
        answer = {0, math.ceil((1 - tokens) * 1000 / rate), 'rate'}
      else
        if rate > 0 then tokens = tokens - 1; rate_used = true end
        app_used = app_used + 1
        granted = granted + 1
        -- Written at once: a later call of the same member in this batch reads it.
        redis.call('HSET', member_key, 'w', w, 'n', member_used + 1)
        redis.call('PEXPIREAT', member_key, window_end + 60000)
        redis.call('ZINCRBY', KEYS[5], 1, member_key)
        answer = {1, app_limit - app_used, 'go'}
      end
    end
  end
  out[#out + 1] = answer[1]
  out[#out + 1] = answer[2]
  out[#out + 1] = answer[3]
end

if rate_used then
  redis.call('HSET', KEYS[2], 'tokens', tokens, 'at', now)
  redis.call('PEXPIRE', KEYS[2], math.ceil(burst * 1000 / rate) + 1000)
end
if granted > 0 then
  -- Calls made recently, in the same short window as the 429s counted against them (QuotaGate: one refusal in
  -- many is noise). Whichever comes first opens the window.
  redis.call('HINCRBY', KEYS[4], 'calls', granted)
  if redis.call('PTTL', KEYS[4]) < 0 then redis.call('PEXPIRE', KEYS[4], tonumber(ARGV[4])) end
  redis.call('HSET', KEYS[1], 'w', w, 'n', app_used)
  redis.call('PEXPIREAT', KEYS[1], window_end + 60000)
  redis.call('PEXPIREAT', KEYS[5], window_end) -- a new window starts a new ranking
end
return out
