-- Lifts a card's block: closes the open interval of its block history (status-at.lua), with a
-- blockLifted notice naming the block lifted. Includes owned.lua (KEYS and ARGV there) and
-- status-at.lua. A block made by the fraud monitoring is lifted by the card's issuer only
-- (docs/MONITORING.md, "Decision and action"): the block service (A_issuer '') is refused.
-- Returns { 'ok' | 'notFound' | 'forbidden' | 'conflict', detail }.
if (redis.call('HGET', K_card, 'block') or '') == '' then return {'conflict', 'card is not blocked'} end
local history = blockHistory()
local b = history[#history]
if b.by == 'monitoring' and A_issuer == '' then
  return {'conflict', "the block is the fraud monitoring's: only the card's issuer lifts it"}
end
b.liftedAt = tonumber(A_now)
b.liftedBy = A_issuer == '' and 'blockService' or A_issuer
redis.call('HSET', K_card, 'block', '', 'blockLiftedAt', A_now, 'blocks', cjson.encode(history))
notice('blockLifted', { reason = b.reason, by = b.liftedBy, blockedBy = b.by, reportedAt = b.reportedAt,
  blockedAt = b.blockedAt, reference = b.reference or '', liftedAt = b.liftedAt })
return {'ok', ''}
