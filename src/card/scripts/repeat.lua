-- Shared by the scripts that record a transaction (authorize, complete, reverse: their specs
-- name it in `include`). A transaction record (hash, src/card/keys.ts transactionKey) holds:
--   sig, outcome, detail, approval   the answer given, for retransmissions
--   state    'authorized' (dual, awaiting completion) | 'posted' (single) | 'completed' | 'reversed'
--   msg      'single' | 'dual';  kind 'purchase' | 'refund';  amount (øre, authorised)
--   res      reservation id ('' none: a single-message approval holds its posting's amount
--            instead, under the posting's id, hold.lua);  posting  the posting JSON (for dual:
--            the one completion makes; once completed, the completion's)
--   completedAmount, reversedAmount
--
-- repeatOf(key, sig): nil for a new request; the first answer ({outcome, detail, 0, 0, approval,
-- '', 'repeat'}) for a retransmission; 'duplicateTransmission' when the same transaction key
-- arrives with other content.
-- remember(key, sig, outcome, detail, approval, keepFor): stores the answer.
local function repeatOf(key, sig)
  local r = redis.call('HMGET', key, 'sig', 'outcome', 'approval', 'detail')
  if not r[1] then return nil end
  if r[1] ~= sig then return {'duplicateTransmission', '', 0, 0, '', ''} end
  return {r[2], r[4] or '', 0, 0, r[3] or '', '', 'repeat'}
end
local function remember(key, sig, outcome, detail, approval, keepFor)
  redis.call('HSET', key, 'sig', sig, 'outcome', outcome, 'detail', detail, 'approval', approval)
  redis.call('PEXPIRE', key, keepFor)
end
