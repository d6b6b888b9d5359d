-- Seals delivery n of a day: takes, in one atomic step, every journal entry after the previous
-- seal up to the journal's end, and remembers the range, so each posting falls in exactly one
-- delivery however often (or by however many workers) a cut-off is run. Keys share the
-- journal's hash tag (one slot on Redis Cluster).
-- KEYS: K_deliveries (hash 'date#nn' -> JSON), K_sealedTo (the last sealed journal id),
--       K_journal (the journal stream)
-- ARGV: A_field ('date#nn'), A_delivery (JSON of date, number, cutoff), A_empty ('1': seal it
--       empty, at the previous seal's end: a delivery whose cut-off passed while none was made)
-- Returns the delivery's JSON (existing or new), with its range from (exclusive) .. to.
local existing = redis.call('HGET', K_deliveries, A_field)
if existing then return existing end
local d = cjson.decode(A_delivery)
d.from = redis.call('GET', K_sealedTo) or '0-0'
local last = redis.call('XREVRANGE', K_journal, '+', '-', 'COUNT', 1)
d.to = d.from
if last[1] and A_empty ~= '1' then d.to = last[1][1] end
local json = cjson.encode(d)
redis.call('HSET', K_deliveries, A_field, json)
redis.call('SET', K_sealedTo, d.to)
return json
