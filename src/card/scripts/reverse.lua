-- Reversal of a transaction: a PSAM's reversal advice (1420/0420) or the switch's own for an
-- old terminal whose answer was lost. Each original is reversed at most once (one card's keys,
-- one hash tag: the check and the posting are one atomic step). A posted original gets a
-- posting of A_postingType (reversal, or cancellation: src/journal/reversal-reasons.ts) with its
-- transaction id and (up to) its amount; an authorization not yet completed only gives its
-- reservation back. An unknown original posts nothing ('unmatched').
-- Money (docs/SCHEME.md, "Balance"): reversing a debit gives back at once what its posting
-- still holds (up to the reversed amount; nothing when it is booked already) and the credit
-- posting books the rest back at delivery; reversing a credit makes a debit posting, held
-- until booked like any other.
--
-- KEYS: K_card, K_reservations, K_reservationAmounts, K_own (the advice's own record; for the
--       switch's own reversal, which has none, the original's again), K_original (the original's
--       record), K_posts (posting outbox), K_holds (postings' holds)
-- ARGV: A_now (ms: when the switch received the advice, or made its own reversal)
--       A_signature (request signature)  A_amount (minor units of the original's currency to
--       reverse, converted at the original posting's rate; 0 = all: exactly the DKK posted)
--       A_keepFor (record lifetime, ms)  A_postingId  A_postingType ('reversal' | 'cancellation')
--       A_reason  A_hasOwn ('1' when K_own is the advice's own record)  A_feePostingId (the id of
--       a withdrawal's fee given back)
-- Returns: { 'reversalAccepted' | 'duplicateTransmission', detail ('posted' | 'released' |
--   'alreadyReversed' | 'unmatched'), 0, 0, '', posting JSON, 'repeat' for a repeated advice
--   ('' otherwise), the fee's reversal JSON when a withdrawal's fee was given back }
-- The reversal keeps its original's purchase and authorization times (authorizedAt: the
-- original's, or its receipt time for a single-message original).
-- Cash at ATMs (cash.lua): a withdrawal reversed in full (the ATM paid nothing out) gives its fee
-- back too, a credit posting of type fee; a partial one (a partial dispense) leaves the fee. What
-- is reversed no longer counts against the day's withdrawal limit.
-- Includes repeat.lua (repeatOf, remember), release.lua (release), hold.lua (hold, unhold),
-- convert.lua (toDkk) and cash.lua.

local now, sig, amount, keepFor = tonumber(A_now), A_signature, tonumber(A_amount), tonumber(A_keepFor)
local hasOwn = A_hasOwn == '1'
if redis.call('EXISTS', K_card) == 0 then return {'reversalAccepted', 'unmatched', 0, 0, '', ''} end
if hasOwn then
  local seen = repeatOf(K_own, sig)
  if seen then return seen end
end

local o = redis.call('HMGET', K_original, 'state', 'amount', 'res', 'posting', 'completedAmount', 'cashDay', 'fee')
local detail, posting, feeBack = 'posted', '', ''
if not o[1] then detail = 'unmatched'
elseif o[1] == 'reversed' then detail = 'alreadyReversed'
elseif o[1] == 'authorized' then
  release(o[3], nil)
  redis.call('HSET', K_original, 'state', 'reversed', 'reversedAmount', 0)
  detail = 'released'
else
  local p = cjson.decode(o[4])
  local posted = tonumber(o[5] or o[2])
  -- A partial amount is in the original's currency (DKK for a posting without a rate).
  local postedOriginal = p.originalAmount or posted
  local full = amount <= 0 or amount >= postedOriginal
  if full then amount = posted
  else
    if p.rate then p.originalAmount, amount = amount, toDkk(amount, p.rate, p.originalExponent) end
    if amount > posted then amount = posted end
  end
  -- A posting made before holds existed kept a reservation instead (its record's res).
  if p.direction == 'D' then
    release(o[3], amount)
    unhold(p.id, amount)
  else
    hold(A_postingId, amount)
  end
  p.authorizedAt = p.authorizedAt or p.receivedAt
  p.id, p.type, p.amount, p.reverses, p.reason, p.receivedAt = A_postingId, A_postingType, amount, p.txn, A_reason, now
  if p.direction == 'D' then p.direction = 'C' else p.direction = 'D' end
  p.track = nil
  posting = cjson.encode(p)
  redis.call('RPUSH', K_posts, posting)
  redis.call('HSET', K_original, 'state', 'reversed', 'reversedAmount', amount)
  if o[6] then cashReversed(K_card, o[6], amount) end
  if full and o[7] and o[7] ~= '' then
    local f = cjson.decode(o[7])
    unhold(f.id, f.amount)
    feeBack = feeReversalOf(f, A_feePostingId, A_reason, now)
    redis.call('RPUSH', K_posts, feeBack)
  end
end
if hasOwn then remember(K_own, sig, 'reversalAccepted', detail, '', keepFor) end
if feeBack ~= '' then return {'reversalAccepted', detail, 0, 0, '', posting, '', feeBack} end
return {'reversalAccepted', detail, 0, 0, '', posting}
