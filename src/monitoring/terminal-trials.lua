-- A terminal's recent wrong PINs (and approvals after one), for the card-testing rule
-- (src/monitoring/terminal-trials.ts, docs/MONITORING.md): a sorted set of the transactions' JSON
-- scored by the time the switch received them (`at`, ms), under the terminal's own hash tag.
-- KEYS: K_trials
-- ARGV: A_now (ms), A_window (ms the card-testing rules look back), A_at (the transaction's
--       `at`), A_tx (its JSON), A_max (the most kept: a terminal past it loses its oldest).
-- Drops the trials older than the window, answers the others (JSON, oldest first), then adds this
-- one; the key expires a window after its last trial.
local window = tonumber(A_window)
redis.call('ZREMRANGEBYSCORE', K_trials, '-inf', '(' .. (tonumber(A_now) - window))
local others = redis.call('ZRANGE', K_trials, 0, -1)
redis.call('ZADD', K_trials, tonumber(A_at), A_tx)
redis.call('ZREMRANGEBYRANK', K_trials, 0, -(tonumber(A_max) + 1))
redis.call('PEXPIRE', K_trials, window)
return others
