-- Completion of a dual-message authorization (1220/0220): posts the final amount, which may be
-- lower than authorised (fuel: authorise a maximum, complete with what was pumped). The whole
-- reservation is given back and a debit posting holds the final amount until it is booked at
-- delivery (hold.lua, book.lua): from here on the reservation's lapse frees nothing, so the
-- money is never counted twice nor freed before it is booked. One card's keys (one hash tag):
-- the check that the original is completed at most once and the posting it makes are one atomic
-- step, also with two switch processes.
--
-- KEYS: K_card, K_reservations, K_reservationAmounts, K_own (the completion's own record),
--       K_original (the original's record), K_posts (posting outbox), K_holds (postings' holds)
-- ARGV: A_now (ms: when the switch received the completion)  A_signature (request signature)
--       A_amount (final amount, minor units of the authorization's currency)
--       A_keepFor (record lifetime, ms)  A_postingId  A_currency (field 49, '' when absent)
-- The final amount is converted at the rate kept in the authorization's posting (one from before
-- the conversion, without a rate, was in DKK); the posting keeps its purchase and authorization
-- times and gets the completion's receipt time.
-- Returns: { outcome, detail, 0, 0, approval code of the original, posting JSON }
-- Includes repeat.lua (repeatOf, remember), release.lua (release), hold.lua (hold) and
-- convert.lua (toDkk).

local sig, amount, keepFor = A_signature, tonumber(A_amount), tonumber(A_keepFor)
if redis.call('EXISTS', K_card) == 0 then return {'notRegistered', '', 0, 0, '', ''} end
local seen = repeatOf(K_own, sig)
if seen then return seen end

local o = redis.call('HMGET', K_original, 'state', 'msg', 'amount', 'res', 'posting', 'approval')
local outcome, detail, posting = 'approved', '', ''
local p = o[5] and cjson.decode(o[5]) or {}
local authorised, dkk = tonumber(o[3]), amount
if p.rate then authorised, dkk = p.originalAmount, toDkk(amount, p.rate, p.originalExponent) end
if not o[1] then outcome = 'originalNotFound'
elseif o[2] ~= 'dual' then outcome, detail = 'invalidTransaction', 'not a dual-message authorization'
elseif o[1] == 'completed' then outcome = 'alreadyCompleted'
elseif o[1] == 'reversed' then outcome = 'alreadyReversed'
elseif A_currency ~= '' and A_currency ~= (p.originalCurrency or p.currency) then
  outcome, detail = 'invalidTransaction', "field 49 is not the authorization's currency"
elseif amount > authorised then outcome = 'amountExceedsAuthorized'
else
  release(o[4], nil)
  p.id, p.amount = A_postingId, dkk
  if p.rate then p.originalAmount = amount end
  p.receivedAt, p.authorizedAt = tonumber(A_now), p.authorizedAt or p.receivedAt
  if p.direction == 'D' then hold(A_postingId, dkk) end
  posting = cjson.encode(p)
  redis.call('RPUSH', K_posts, posting)
  redis.call('HSET', K_original, 'state', 'completed', 'completedAmount', dkk, 'posting', posting)
end
local approval = ''
if outcome == 'approved' then approval = o[6] or '' end
remember(K_own, sig, outcome, detail, approval, keepFor)
return {outcome, detail, 0, 0, approval, posting}
