-- Calls used in one counter's current window, on Redis's clock, as debit.lua counts them.
-- KEYS: 1 counter; ARGV: 1 window ms. Returns {used, 1 if LinkedIn said the day's budget is spent else 0}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local w = math.floor(now / tonumber(ARGV[1]))
local v = redis.call('HMGET', KEYS[1], 'w', 'n', 's')
if tonumber(v[1]) ~= w then return {0, 0} end
return {tonumber(v[2]) or 0, v[3] == '1' and 1 or 0}
