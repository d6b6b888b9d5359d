-- The issuer's feedback on a monitoring block (docs/MONITORING.md, "Feedback and tuning"): was the
-- block justified? Kept on the block's interval of the card's history (status-at.lua) as
-- feedback = { verdict, text?, at }; a later verdict replaces the earlier one. Includes owned.lua
-- (A_issuer: only the card's issuer answers) and status-at.lua.
-- ARGV (after owned.lua's): A_blockedAt (ms: the monitoring block to answer; '' for the latest),
--       A_verdict ('justified' | 'unjustified'), A_text (the issuer's words, '' if none).
-- Returns { 'ok', the block's rule, the previous verdict ('' if none), the block's blockedAt (ms) },
-- { 'conflict', why } when the card has no such monitoring block, or owned.lua's refusals.
local history = blockHistory()
local wanted = A_blockedAt ~= '' and tonumber(A_blockedAt) or nil
local b
for i = #history, 1, -1 do
  local h = history[i]
  if h.by == 'monitoring' and (wanted == nil or h.blockedAt == wanted) then
    b = h
    break
  end
end
if b == nil then
  if wanted == nil then return {'conflict', 'the card has no monitoring block'} end
  return {'conflict', 'the card has no monitoring block made at that time'}
end
local previous = b.feedback and b.feedback.verdict or ''
local feedback = { verdict = A_verdict, at = tonumber(A_now) }
if A_text ~= '' then feedback.text = A_text end
b.feedback = feedback
redis.call('HSET', K_card, 'blocks', cjson.encode(history))
return {'ok', b.rule or '', previous, tostring(b.blockedAt)}
