-- An offline advice (1220 / 0220 without field 56; repeat 1221 / 0221): a purchase or refund the
-- terminal approved offline, below its floor limit, without asking the switch (001 §17). The
-- money has been handed over, so the advice is never refused for the card's status: a blocked,
-- PIN-blocked, expired, deleted or not activated card is posted all the same, with no PIN check
-- and no balance check; the posting keeps the card's status at the purchase time (status-at.lua),
-- so that the issuer can return a purchase made on a card blocked then (001 §36). One card's keys
-- (one hash tag): the check that the advice is posted once and the posting are one atomic step,
-- also with two switch processes.
--
-- Money (docs/SCHEME.md, "Balance"): a purchase holds its amount until the posting is booked at
-- delivery (hold.lua, book.lua), like a single-message approval; the card's available amount may
-- go below zero. A refund is a credit, booked at delivery.
--
-- KEYS: K_card, K_transaction (the advice's record: transaction id of terminal, local time and
--       STAN), K_posts (posting outbox), K_holds (postings' holds), K_outbox (notice outbox)
-- ARGV: A_now (ms)  A_signature (what a repeat must repeat)  A_kind ('purchase' | 'refund')
--       A_amount (øre)  A_approvalCode (field 38, the terminal's own; '' none)  A_keepFor (record
--       lifetime, ms)  A_noticeId, then the posting's own fields as authorize.lua takes them
--       (A_postingId ... A_authorization, without A_track: an offline advice is no old
--       terminal's request)
-- Returns: { 'approved' | 'notRegistered' | 'duplicateTransmission', detail (the card's status
--   at the purchase time), notices written, 0, approval code, posting JSON ('' none), 'repeat'
--   for a repeated advice }
-- A repeat (1221, or the same advice again) gets the first answer and posts nothing; the same
-- transaction id with another message class, processing code or amount is a duplicate
-- transmission. An offline transaction is recorded as a posted single-message one (state
-- 'posted'), so a reversal advice naming it reverses it as any other.
-- Includes repeat.lua (repeatOf, remember), hold.lua (hold), status-at.lua (statusAt) and
-- new-posting.lua (newPosting).

local now, amount, keepFor = tonumber(A_now), tonumber(A_amount), tonumber(A_keepFor)
local f = redis.call('HMGET', K_card, 'status', 'issuer', 'maskedPan', 'panEnc')
if not f[1] then return {'notRegistered', '', 0, 0, '', ''} end
local seen = repeatOf(K_transaction, A_signature)
if seen then return seen end

-- The switch authorised nothing before: the advice is its first sight of the transaction.
local p = newPosting(amount, f[2], f[3], f[4], A_approvalCode)
if p.direction == 'D' then hold(A_postingId, amount) end
local posting = cjson.encode(p)
redis.call('RPUSH', K_posts, posting)

-- The issuer learns of money spent offline on a card blocked or deleted at the time: it may
-- return the purchase in full (001 §36).
local notices = 0
if p.cardStatus ~= 'active' then
  notices = 1
  redis.call('RPUSH', K_outbox, cjson.encode({ id = A_noticeId .. '-1', type = 'offlineOnBlockedCard', issuer = f[2],
    card = p.card, maskedPan = f[3], at = now, terminal = A_postingTerminal, txn = A_txn, amount = amount,
    direction = p.direction, purchasedAt = p.purchasedAt, cardStatus = p.cardStatus }))
end

remember(K_transaction, A_signature, 'approved', p.cardStatus, A_approvalCode, keepFor)
redis.call('HSET', K_transaction, 'state', 'posted', 'msg', 'single', 'kind', A_kind, 'amount', amount, 'res', '',
  'posting', posting)
return {'approved', p.cardStatus, notices, 0, A_approvalCode, posting}
