-- Clears an old terminal's last approved transaction once the switch has reversed it, only if
-- it still names that transaction: what is left is its time alone (no transaction), which keeps
-- a late copy of it out.
-- KEYS: K_terminal (the terminal's key)  ARGV: A_txn (the transaction reversed)
-- Returns 1 when cleared, 0 when not.
if redis.call('HGET', K_terminal, 'txn') ~= A_txn then return 0 end
local at = redis.call('HGET', K_terminal, 'at')
redis.call('DEL', K_terminal)
redis.call('HSET', K_terminal, 'at', at)
return 1
