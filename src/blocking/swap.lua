-- Moves a fetcher's mark only if nobody moved it meanwhile (compare and set).
-- KEYS: K_key  ARGV: A_expected (its value now), A_value (the new one)
-- Returns 1 when set, 0 when the value was another.
if redis.call('GET', K_key) ~= A_expected then return 0 end
redis.call('SET', K_key, A_value)
return 1
