-- Blocks a card, with the notice that causes (monitoringBlock for fraud, else blockRegistered),
-- and opens an interval in the card's block history (status-at.lua). Includes owned.lua (KEYS and
-- first ARGV there) and status-at.lua.
-- A card already blocked keeps its block. An issuer's second block is refused; a holder's report
-- through the block service (A_issuer '') is kept (001 §14: the report time counts): added to the
-- open interval's reports, with a reportOnBlockedCard notice to the issuer.
-- ARGV: A_reason (src/card/block-history.ts BLOCK_REASONS), A_reportedAt (ms the holder reported
--       it; the block's own time is A_now), A_report (JSON of what the holder said, '' if none),
--       A_reference (reference number, '' if none), A_sms (the SMS receipt's text, '' if none).
-- Returns { 'ok', '' }, { 'already', JSON of the block in force { reason, by?, reportedAt,
-- blockedAt } } for a report kept on a blocked card, or { 'notFound' | 'forbidden' | 'conflict', detail }.
local f = redis.call('HMGET', K_card, 'status', 'block')
if f[1] == 'deleted' then return {'conflict', 'card is deleted'} end
local blocked = (f[2] or '') ~= ''
if blocked and A_issuer ~= '' then return {'conflict', 'card is already blocked'} end
local now, reportedAt = tonumber(A_now), tonumber(A_reportedAt)
local by = A_issuer == '' and 'blockService' or A_issuer
-- Everything that can fail (cjson refuses some text) before the first write: Redis does not roll back a script that stops halfway.
local extra = { reason = A_reason, reportedAt = reportedAt, reference = A_reference, by = by }
if A_report ~= '' then extra.report = cjson.decode(A_report) end
if A_sms ~= '' then extra.smsReceipt = A_sms end
local history = blockHistory()
if blocked then
  local current = history[#history]
  local reports = current.reports or {}
  local kept = { reportedAt = reportedAt, at = now, reason = A_reason }
  if A_reference ~= '' then kept.reference = A_reference end
  reports[#reports + 1] = kept
  current.reports = reports
  extra.block = { reason = current.reason, by = current.by, reportedAt = current.reportedAt, blockedAt = current.blockedAt }
  redis.call('HSET', K_card, 'blocks', cjson.encode(history))
  notice('reportOnBlockedCard', extra)
  return {'already', cjson.encode(extra.block)}
end
local entry = { reason = A_reason, by = by, reportedAt = reportedAt, blockedAt = now }
if A_reference ~= '' then entry.reference = A_reference end
history[#history + 1] = entry
extra.blockedAt = now
redis.call('HSET', K_card, 'block', A_reason, 'blockedAt', A_now, 'blockReportedAt', A_reportedAt, 'blockReference', A_reference,
  'blocks', cjson.encode(history))
notice(A_reason == 'fraud' and 'monitoringBlock' or 'blockRegistered', extra)
return {'ok', ''}
