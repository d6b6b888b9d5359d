-- Blocks a card, with the notice that causes (monitoringBlock for fraud, else blockRegistered).
-- A block of a blocked card keeps the first block. Includes owned.lua (KEYS and first ARGV there).
-- ARGV: A_reason (lost | stolen | fraud | issuer), A_reportedAt (ms the holder reported it; the
--       block's own time is A_now), A_report (JSON of what the holder said, '' if none),
--       A_reference (reference number, '' if none).
-- Returns { 'ok' | 'notFound' | 'forbidden' | 'conflict', detail }.
local f = redis.call('HMGET', K_card, 'status', 'block')
if f[1] == 'deleted' then return {'conflict', 'card is deleted'} end
if (f[2] or '') ~= '' then return {'conflict', 'card is already blocked'} end
-- Everything that can fail (cjson refuses some text) before the first write: Redis does not roll back a script that stops halfway.
local extra = { reason = A_reason, reportedAt = tonumber(A_reportedAt), blockedAt = tonumber(A_now), reference = A_reference }
if A_report ~= '' then extra.report = cjson.decode(A_report) end
redis.call('HSET', K_card, 'block', A_reason, 'blockedAt', A_now, 'blockReportedAt', A_reportedAt, 'blockReference', A_reference)
notice(A_reason == 'fraud' and 'monitoringBlock' or 'blockRegistered', extra)
return {'ok', ''}
