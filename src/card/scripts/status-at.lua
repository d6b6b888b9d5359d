-- The card's block history and its status at a given time, for the scripts that include it
-- (block, lift-block, and authorize and offline-advice for a posting's cardStatus). Uses K_card only.
--
-- The history is the record's field 'blocks': a JSON array, oldest first, of the card's block
-- intervals { reason, by ('blockService' or the issuer id), reportedAt, blockedAt (ms),
-- reference?, liftedAt?, liftedBy?, reports? }. The last one is open (no liftedAt) while the card
-- is blocked. `reports` are the holders' later reports on the card while it was blocked (001 §14):
-- { reportedAt, at (when the switch took the report), reason, reference }. The history is never
-- shortened: lifting closes the open interval, deleting the card leaves it as it is.
--
-- blockHistory(): the history as a Lua array. A block made before the history was kept (the
-- record has a block and no open interval) is given one from the record's own fields.
-- statusAt(ms): the card's status at that time, in the form of a posting's cardStatus:
-- 'deleted' from the card's deletion on, else 'blocked:<reason>' inside a block interval
-- (blocked from blockedAt, inclusive, to liftedAt, exclusive), else 'active'. Whether the card
-- was activated or expired at that time is not part of it (the record does not keep when it was
-- activated; expiry follows from the card's month).
-- statusOf(ms, deletedAt, blocks, block): the same from those record fields, read by the caller.
-- src/card/block-history.ts does the same in TypeScript (cardStatusAt); a test holds them equal.
local function blockHistory()
  local f = redis.call('HMGET', K_card, 'blocks', 'block', 'blockedAt', 'blockReportedAt', 'blockReference')
  local history = {}
  if f[1] and f[1] ~= '' then history = cjson.decode(f[1]) end
  local last = history[#history]
  if (f[2] or '') ~= '' and (last == nil or last.liftedAt ~= nil) then
    local blockedAt = tonumber(f[3] or '0')
    local entry = { reason = f[2], blockedAt = blockedAt, reportedAt = tonumber(f[4] or '') or blockedAt }
    if (f[5] or '') ~= '' then entry.reference = f[5] end
    history[#history + 1] = entry
  end
  return history
end

-- statusOf(ms, deletedAt, blocks, block): statusAt(ms) from the record's fields deletedAt, blocks
-- and block as HMGET gives them (false when absent), for a script that has read them already
-- (authorize.lua, in its one HMGET of the card): no second read of the record.
local function statusOf(ms, deletedAt, blocks, block)
  if deletedAt and ms >= tonumber(deletedAt) then return 'deleted' end
  -- Never blocked: the common case, without decoding anything.
  if not blocks and (block or '') == '' then return 'active' end
  local history = blockHistory()
  for i = #history, 1, -1 do
    local b = history[i]
    if ms >= b.blockedAt and (b.liftedAt == nil or ms < b.liftedAt) then return 'blocked:' .. b.reason end
  end
  return 'active'
end

local function statusAt(ms)
  local f = redis.call('HMGET', K_card, 'deletedAt', 'blocks', 'block')
  return statusOf(ms, f[1], f[2], f[3])
end
