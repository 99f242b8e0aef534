-- LinkedIn answered a short-term 429 (no "DAY limit"): decides, for every pod at once, who holds back.
-- KEYS: 1 recent calls and refusals (as in debit.lua), 2 member strike, 3 member cooldown, 4 app cooldown
-- ARGV: 1 recent window ms (= courier.quota.cooldown), 2 Retry-After ms (0 = none), 3 app-cooldown-after,
--       4 app-cooldown-share
-- Returns {refusals in the window, calls in the window, member held back 0/1, app held back 0/1}.
local window = tonumber(ARGV[1])
local retry_after = tonumber(ARGV[2])
local pause = window
if retry_after > 0 then pause = retry_after end

local refused = redis.call('HINCRBY', KEYS[1], 'refused', 1)
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], window) end
local calls = tonumber(redis.call('HGET', KEYS[1], 'calls') or '0')

-- The member: when LinkedIn said how long (Retry-After), or on its second refusal within the window. A lone 429
-- without Retry-After is most often infrastructure protection (linkedin-api.md §4), which the refused job's own
-- backoff answers; holding the member back for it would delay jobs LinkedIn never refused.
local member = 0
if retry_after > 0 or not redis.call('SET', KEYS[2], '1', 'PX', window, 'NX') then
  redis.call('SET', KEYS[3], '1', 'PX', pause)
  member = 1
end

-- Everyone: once refusals are a pattern, not noise.
local app = 0
if refused >= tonumber(ARGV[3]) and refused >= tonumber(ARGV[4]) * math.max(1, calls) then
  redis.call('SET', KEYS[4], '1', 'PX', pause)
  app = 1
end
return {refused, calls, member, app}
