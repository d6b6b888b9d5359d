-- The fraud monitoring blocks the card (docs/MONITORING.md, "Decision and action"): reason
-- 'fraud' (suspected third-party misuse), by 'monitoring', with the rule and the transactions that
-- made it in the block's interval of the card's history (status-at.lua), and a monitoringBlock
-- notice to the issuer naming them. A card already blocked, for whatever reason, keeps its block
-- and nothing more happens; a deleted card is not blocked. Includes owned.lua (A_issuer '': the
-- monitoring may block any card) and status-at.lua.
-- ARGV (after owned.lua's): A_rule (the rule's id), A_description (the rule's), A_transactions
--       (JSON array of the pattern's transaction ids on this card).
-- Returns { 'ok' | 'already' | 'deleted', the card's issuer } or owned.lua's { 'notFound', '' }.
local f = redis.call('HMGET', K_card, 'status', 'block')
if f[1] == 'deleted' then return {'deleted', owner} end
if (f[2] or '') ~= '' then return {'already', owner} end
local now = tonumber(A_now)
local transactions = cjson.decode(A_transactions)
local history = blockHistory()
-- cjson writes an empty table as {}: a block naming no transactions (the seeded test card's) leaves the field out.
local named = #transactions > 0 and transactions or nil
history[#history + 1] = { reason = 'fraud', by = 'monitoring', reportedAt = now, blockedAt = now, rule = A_rule,
  transactions = named }
redis.call('HSET', K_card, 'block', 'fraud', 'blockedAt', A_now, 'blockReportedAt', A_now, 'blockReference', '',
  'blocks', cjson.encode(history))
notice('monitoringBlock', { reason = 'fraud', by = 'monitoring', rule = A_rule, description = A_description,
  transactions = named, blockedAt = now, reportedAt = now })
return {'ok', owner}
