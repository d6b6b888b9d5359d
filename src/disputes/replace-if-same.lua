-- Changes one record of the disputes (a case, a nota: dispute-store.ts replace) only if it is still
-- as the caller read it, and puts the postings the change makes (redebits, chargebacks) in the due
-- set at their time, all at once: two changes of the same case at the same moment cannot both be
-- made (one representment, one contest, one decision), and no posting is due without its case.
-- Every key is under {disputes}: one slot.
--
-- KEYS: K_hash (field -> JSON), K_due (chargeback and redebit JSON by the time they are due)
-- ARGV: A_field, A_before (the JSON as read; '' for none), A_after (the new JSON), A_dueAt (ms)
--       then R_postings: posting JSON, each due at A_dueAt
-- Returns 'ok', or 'changed' (nothing written: the record is no longer A_before).
local now = redis.call('HGET', K_hash, A_field)
if (now or '') ~= A_before then return 'changed' end
redis.call('HSET', K_hash, A_field, A_after)
for i = R_postings, #ARGV do
  redis.call('ZADD', K_due, A_dueAt, ARGV[i])
end
return 'ok'
