-- Records the terminal's issuer script results (9F5B, EMV Book 4 Annex A5) on the card's scripts.
-- Only a script sent and waiting takes a result: a repeated advice changes nothing, and a result
-- for a script id the card never had (or one queued again meanwhile) is ignored.
-- KEYS: K_scripts   ARGV: A_now  A_txn (the request reporting them)
--   A_results JSON [{ id, status (0 not performed, 1 failed, 2 successful), sequence }]
-- Returns the number of results recorded.
local STATUS = { [0] = 'notPerformed', [1] = 'failed', [2] = 'succeeded' }
local recorded = 0
for _, r in ipairs(cjson.decode(A_results)) do
  local json = redis.call('HGET', K_scripts, r.id)
  if json then
    local s = cjson.decode(json)
    if s.status == 'sent' then
      s.status = STATUS[r.status] or 'failed'
      s.result = { status = r.status, sequence = r.sequence, at = tonumber(A_now), txn = A_txn }
      redis.call('HSET', K_scripts, s.id, cjson.encode(s))
      recorded = recorded + 1
    end
  end
end
return recorded
