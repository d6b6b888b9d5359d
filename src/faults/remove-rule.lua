-- Removes a fault rule: it never fires again, on any switch.
-- KEYS: K_rules, K_left, K_fired, K_version  ARGV: A_id
-- Returns 1 when removed, 0 when there was no such rule.
if redis.call('HDEL', K_rules, A_id) == 0 then return 0 end
redis.call('HDEL', K_left, A_id)
redis.call('HDEL', K_fired, A_id)
redis.call('INCR', K_version)
return 1
