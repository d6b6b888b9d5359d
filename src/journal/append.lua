-- Appends postings to the journal stream, each posting id at most once (the relay may move a
-- posting twice: a crash between appending and clearing the outbox). One atomic step on the
-- {journal} hash tag: one slot on Redis Cluster.
-- KEYS: K_stream (the journal stream), K_seen (zset of posting ids by time)
-- ARGV: A_now (ms), A_forgetBefore (ms: ids seen before it are forgotten), then the tail
--       R_postings.. : pairs of posting id and posting JSON.
-- Returns how many were new.
local added = 0
for i = R_postings, #ARGV, 2 do
  if redis.call('ZADD', K_seen, 'NX', A_now, ARGV[i]) == 1 then
    redis.call('XADD', K_stream, '*', 'p', ARGV[i + 1])
    added = added + 1
  end
end
redis.call('ZREMRANGEBYSCORE', K_seen, '-inf', A_forgetBefore)
return added
