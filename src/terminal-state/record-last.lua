-- Records an old terminal's last approved transaction, only if newer: a live record (the
-- request's own step) also at the same moment (two approvals in one ms, the same one again); a
-- late copy (the posting relay's, moved later) only if strictly newer, so that it can never
-- replace a later approval of the same millisecond, nor bring back one the switch reversed.
-- KEYS: K_terminal (the terminal's key)
-- ARGV: A_at (ms), A_when ('live' | 'late'), then the tail R_fields.. : field/value pairs.
-- Returns 1 when set, 0 when not.
local at = tonumber(redis.call('HGET', K_terminal, 'at') or '-1')
local t = tonumber(A_at)
if t < at or (t == at and A_when == 'late') then return 0 end
redis.call('DEL', K_terminal)
redis.call('HSET', K_terminal, 'at', A_at, unpack(ARGV, R_fields))
return 1
