-- Commits a daily block-list file made: the snapshot updated to the list the file leaves the
-- terminals with, the date entered in the chain of files, its counts kept; all in one step on
-- the {blocklist} hash tag. Refuses when the date was made meanwhile or another file came in
-- between (the maker's lock had lapsed).
-- KEYS: K_snapshot (hash card id -> JSON), K_days (zset of dates by day number),
--       K_made (hash date -> JSON of counts)
-- ARGV: A_date, A_day (its day number), A_latest (the latest date the diff was made against,
--       '' none), A_made (JSON), A_removed (how many card ids the tail starts with), then the
--       tail R_changes.. : the removed card ids, then card id/JSON pairs to set.
-- Returns 'ok', 'made' or 'moved'.
if redis.call('HEXISTS', K_made, A_date) == 1 then return 'made' end
local last = redis.call('ZRANGE', K_days, -1, -1)[1] or ''
if last ~= A_latest then return 'moved' end
local n = tonumber(A_removed)
for i = R_changes, R_changes + n - 1 do redis.call('HDEL', K_snapshot, ARGV[i]) end
for i = R_changes + n, #ARGV, 2 do redis.call('HSET', K_snapshot, ARGV[i], ARGV[i + 1]) end
redis.call('ZADD', K_days, A_day, A_date)
redis.call('HSET', K_made, A_date, A_made)
return 'ok'
