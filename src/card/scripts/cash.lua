-- Cash at ATMs (docs/SCHEME.md, Channels; 004 §1.2, §1.4). Shared by authorize (the withdrawal
-- limits and the fee of a withdrawal) and reverse (a reversed withdrawal gives back its fee and
-- no longer counts against the day); their specs name it in `include`, after hold.lua.
--
-- The card record keeps `cashDay` (the local date of the card's last withdrawal, 'YYYY-MM-DD'
-- in the register's time zone) and `cashSum` (øre withdrawn that day, less what was reversed);
-- a withdrawal's transaction record keeps its `cashDay` and its fee's posting (`fee`).
--
-- cashTerms(card, json, owner, abroad, day, amount): the card product's terms (json: see
--   src/card/cash-terms.ts) applied to a withdrawal of `amount` øre at an ATM of `owner` (abroad
--   when true) on `day`. Returns the limit it would pass ('perWithdrawal' | 'perDay') or nil, the
--   fee (øre), and what the card withdrew that day before it.
-- cashWithdrawn(card, day, sum): the day's withdrawals are now `sum`.
-- cashReversed(card, day, amount): a withdrawal of `day` was reversed by `amount` øre; a reversal
--   on a later day leaves that day alone (what it withdrew then is not the new day's).
-- feePostingOf(p, id, fee): the fee's posting beside the withdrawal's `p` (same transaction, in DKK).
-- feeReversalOf(f, id, reason, now): the fee posting `f` (decoded) given back: a credit posting of
--   type fee with the withdrawal's transaction id, the reversal's reason and receipt time.

-- fixed + amount × perMille / 1000 rounded half up, at least the minimum. amount × perMille stays
-- below 10^15 (field 4 has 12 digits), exact in Lua's doubles.
local function cashFee(f, amount)
  local fee = f.fixed + math.floor((amount * f.perMille + 500) / 1000)
  if fee < f.minimum then fee = f.minimum end
  return fee
end

local function cashTerms(card, json, owner, abroad, day, amount)
  local c = cjson.decode(json)
  local r = redis.call('HMGET', card, 'product', 'issuer', 'cashDay', 'cashSum')
  local terms = c.products[r[1] or ''] or c.default
  local today = 0
  if r[3] == day then today = tonumber(r[4] or '0') end
  if amount > terms.perWithdrawal then return 'perWithdrawal', 0, today end
  if today + amount > terms.perDay then return 'perDay', 0, today end
  local where = 'other'
  if abroad then where = 'abroad' elseif owner == r[2] then where = 'own' end
  return nil, cashFee(terms.fees[where], amount), today
end

local function cashWithdrawn(card, day, sum)
  redis.call('HSET', card, 'cashDay', day, 'cashSum', sum)
end

local function cashReversed(card, day, amount)
  local r = redis.call('HMGET', card, 'cashDay', 'cashSum')
  if r[1] ~= day then return end
  local left = tonumber(r[2] or '0') - amount
  if left < 0 then left = 0 end
  redis.call('HSET', card, 'cashSum', left)
end

local function feePostingOf(p, id, fee)
  local q = {}
  for k, v in pairs(p) do q[k] = v end
  -- The fee is the issuer's, in DKK: sent as it is debited.
  q.id, q.type, q.amount = id, 'fee', fee
  q.originalAmount, q.originalCurrency, q.originalExponent, q.rate = fee, p.currency, 2, 1000000
  return cjson.encode(q)
end

local function feeReversalOf(f, id, reason, now)
  f.id, f.direction, f.reverses, f.reason, f.receivedAt = id, 'C', f.txn, reason, now
  return cjson.encode(f)
end
