-- Releases the daily-file maker's lock, only if it is still the holder's.
-- KEYS: K_lock  ARGV: A_token (the holder's)
-- Returns 1 when released, 0 when another holds it (or nobody).
if redis.call('GET', K_lock) == A_token then return redis.call('DEL', K_lock) end
return 0
