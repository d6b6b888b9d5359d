-- Fires a fault rule once, if it still exists and has times left, counting it down in the same
-- step: so a rule for N times fires N times in all, whichever switches the terminal talks to.
-- KEYS: K_rules, K_left, K_fired (hash id -> times fired), K_version  ARGV: A_id
-- Returns -1 when it is gone (removed, or spent by another switch); else the times it has left
-- after this one, -2 for "always". A rule with none left is deleted.
if redis.call('HEXISTS', K_rules, A_id) == 0 then return -1 end
local left = redis.call('HGET', K_left, A_id)
if not left then
  redis.call('HINCRBY', K_fired, A_id, 1)
  return -2
end
local n = tonumber(left) - 1
if n > 0 then
  redis.call('HSET', K_left, A_id, n)
  redis.call('HINCRBY', K_fired, A_id, 1)
  return n
end
redis.call('HDEL', K_rules, A_id)
redis.call('HDEL', K_left, A_id)
redis.call('HDEL', K_fired, A_id)
redis.call('INCR', K_version)
return 0
