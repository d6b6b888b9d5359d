-- The whole decision for one request, as one Lua script: one round trip, atomic, so two switch
-- processes sharing a Redis can never let a 4th wrong PIN through or overspend a balance.
-- All keys are one card's (same hash tag), so it runs unchanged on Redis Cluster.
--
-- Order (docs/PROTOCOL.md, "Precedence"): not registered -> deleted -> expired -> not activated
-- -> blocked -> PIN-blocked -> chip (cryptogram and ATC: chip.lua) -> remote (expiry, CVC, series, holder authentication: remote.lua)
-- -> PIN check -> contactless/CVM (then the unattended limit, unattended.lua; an ATM's PIN and
-- withdrawal limits, cash.lua) -> balance. The three-strikes rule is the "PIN check" block: the
-- 3rd wrong PIN in a row PIN-blocks the card; a correct PIN after the 1st or 2nd resets the
-- count; the count never expires; a notice goes to the card's outbox for each wrong try and for
-- the PIN block, none for a reset.
--
-- The same call records the transaction (its answer, so that a retransmission gets the first
-- answer and changes nothing; on approval its state and posting) and, for a single-message
-- approval, puts the posting in the card's posting outbox: the posting exists before the answer
-- leaves the switch (src/journal/posting-relay.ts moves it to the journal).
--
-- Balance (docs/SCHEME.md, "Balance"): available = balance - reserved - unbooked. A dual-message
-- purchase reserves its amount (a reservation lapsing after the card product's lifetime); a
-- single-message purchase posts at once and holds its amount in `unbooked` until the posting is
-- booked at delivery (book.lua). A hold never lapses.
--
-- KEYS (src/card/scripts/authorize.ts declares them, in this order):
--   K_card                card hash
--   K_reservations        reservations zset (reservation id by lapse time)
--   K_reservationAmounts  reservation amounts hash
--   K_outbox              notice outbox list
--   K_transaction         transaction record hash
--   K_posts               posting outbox list
--   K_holds               held amounts of debit postings not yet booked (hash, hold.lua)
--   K_series              the card's series of stored-card payments: first txn id -> merchant (hash, remote.lua)
-- ARGV:
--   A_now (ms)   A_yymm  now as YYMM (local)   A_kind  'purchase' | 'refund' | 'withdrawal'
--   A_amount (øre)
--   A_pvv        PIN verification value of the PIN entered, '' when no PIN was given, '!' for a
--                PIN block that could not be decrypted or read
--   A_contactless  '1' when contactless   A_chip  '1' when read from the chip (card inserted)
--   A_contactlessLimit   A_contactlessMaxCount   A_contactlessMaxSum
--   A_reserve    '1' to hold the amount on approval (a reservation, or for a single-message
--                approval the posting's hold)   A_reservation  reservation id
--   A_lapse      reservation lifetime (ms)   A_lapses  JSON {product: lifetime (ms)} of the products
--                with their own ('' none): a reservation lapses after the card product's lifetime
--   A_unattended  A_unattendedLimit  A_unattendedLimits   an unattended machine's purchase without
--                cardholder verification and its limits (unattended.lua says what each means)
--   A_noticeId   notice id prefix   A_terminal  terminal id
--   A_signature  request signature (what a retransmission must repeat; '' records nothing)
--   A_message    'single' | 'dual'   A_approvalCode   A_keepFor  transaction record lifetime (ms)
--   then the posting's own fields (the card record gives the rest; no JSON on the switch's hot
--   path): A_postingId  A_txn  A_postingType  A_direction  A_currency  A_postingTerminal
--   A_merchant  A_stan  A_localTime  A_receivedAt (ms)  A_track ('1' when the terminal's last
--   approval is tracked)  A_originalAmount (field 4, minor units)  A_originalCurrency (field 49)
--   A_originalExponent  A_rate (millionths of a DKK per unit; A_amount is the DKK amount it gave)
--   A_purchasedAt (field 12 as ms)  A_merchantName  A_merchantCity  A_mcc  A_entryMode
--   A_verification  A_terminalKind  A_channel  A_authentication  A_initiatedBy  A_series
--   A_authorization  A_tvr  A_cvmResults  A_cvr (a chip transaction's, hex; '' none: also kept
--   on the transaction record, declined or not); the posting's authorizedAt is A_receivedAt
--   A_remote  A_expiry  A_cvc  A_unauthenticated  A_authDefault  A_authProducts: a remote
--   purchase's checks (remote.lua's header says what each is)
--   a withdrawal's (cash.lua; '' for anything else): A_cash  the card products' cash terms (JSON,
--   src/card/cash-terms.ts)  A_atmOwner  the issuer owning the ATM  A_abroad '1' abroad
--   A_day  the local date the daily limit counts  A_feePostingId  the fee's posting id
--   A_atc  A_cryptogram  A_chipProducts: a chip read's ATC, the cryptogram's verdict, the products with chip keys (chip.lua's header)
-- Returns: { outcome, detail, notices written, available after (øre), approval code, posting JSON
--   ('' unless a posting was made) }
--   A retransmission returns the first outcome and detail, and 'repeat' after the posting; the
--   same transaction with other content returns 'duplicateTransmission'. A withdrawal with a fee
--   returns '' and the fee's posting JSON after the posting.
-- Includes repeat.lua (repeatOf), hold.lua (hold), status-at.lua (statusAt), new-posting.lua
-- (newPosting), unattended.lua (unattendedRefusal), remote.lua (remoteRefusal, recordSeries),
-- cash.lua and chip.lua (chipRefusal).

local now, amount = tonumber(A_now), tonumber(A_amount)
local contactless, chip = A_contactless == '1', A_chip == '1'
local clLimit, clMaxCount, clMaxSum = tonumber(A_contactlessLimit), tonumber(A_contactlessMaxCount), tonumber(A_contactlessMaxSum)
local reserve, lapse = A_reserve == '1', tonumber(A_lapse)
local sig, approval, keepFor = A_signature, A_approvalCode, tonumber(A_keepFor)

-- Every card record has a status: none means no card (one read for both, no EXISTS first). The
-- same read gives the posting's cardStatus its fields (deletedAt, blocks, block: status-at.lua
-- statusOf); nothing this script writes changes them.
local f = redis.call('HMGET', K_card, 'status', 'expiry', 'block', 'pinBlocked', 'pinTries', 'pvv',
  'balance', 'reserved', 'unbooked', 'clCount', 'clSum', 'issuer', 'maskedPan', 'panEnc', 'product', 'cvcVerification', 'atc', 'atcSeen', 'psn',
  'deletedAt', 'blocks')
if not f[1] then return {'notRegistered', '', 0, 0, '', ''} end

-- No signature: a call that only applies the rules (seeding), with nothing to record.
local record = sig ~= ''
if record then
  local seen = repeatOf(K_transaction, sig)
  if seen then return seen end
end

local status, expiry, block, pinBlocked = f[1], f[2], f[3] or '', f[4] == '1'
local tries = tonumber(f[5] or '0')
local balance, reserved, unbooked = tonumber(f[7] or '0'), tonumber(f[8] or '0'), tonumber(f[9] or '0')
local clCount, clSum = tonumber(f[10] or '0'), tonumber(f[11] or '0')

local notices = 0
local function notice(kind, extra)
  notices = notices + 1
  local n = { id = A_noticeId .. '-' .. notices, type = kind, issuer = f[12], card = string.match(K_card, '{(.-)}'),
    maskedPan = f[13], at = now, terminal = A_terminal }
  for k, v in pairs(extra) do n[k] = v end
  redis.call('RPUSH', K_outbox, cjson.encode(n))
end

local reservedId = ''
-- A withdrawal's fee, and what the card withdrew that day before it (cash.lua).
local fee, withdrawn = 0, 0
local function decide()
  if status == 'deleted' then return {'deleted', '', 0, 0} end
  if expiry < A_yymm then return {'expired', '', 0, 0} end
  if status ~= 'active' then return {'notActivated', '', 0, 0} end
  if block ~= '' then return {'blocked', block, 0, 0} end
  if pinBlocked then return {'pinTriesExceeded', '', 0, 0} end

  local chipOut = chipRefusal(f[17], f[18], f[15], f[19], notice)
  if chipOut then return {chipOut[1], chipOut[2], notices, 0} end

  local remote = remoteRefusal(expiry, f[16], f[15])
  if remote then return remote end

  -- A PIN block that could not be decrypted or read is no try at all.
  if A_pvv == '!' then return {'invalidPinBlock', '', 0, 0} end

  -- Three strikes.
  local pinVerified = false
  if A_pvv ~= '' then
    if A_pvv ~= f[6] then
      tries = tries + 1
      redis.call('HSET', K_card, 'pinTries', tries)
      notice('wrongPin', { tries = tries })
      if tries >= 3 then
        redis.call('HSET', K_card, 'pinBlocked', '1', 'pinBlockedAt', now)
        notice('pinBlocked', { tries = tries })
        return {'pinTriesExceeded', tostring(tries), notices, 0}
      end
      return {'wrongPin', tostring(tries), notices, 0}
    end
    pinVerified = true
    if tries > 0 then redis.call('HSET', K_card, 'pinTries', 0) end
  end

  -- Contactless without PIN: up to the limit, and only so many (or so much) in a row. Over the
  -- limit the PIN at the reader will do (004 §1.1); below it, a payment that would pass the
  -- in-a-row count or sum is the occasional challenge, which only the chip with its PIN meets
  -- (004: "the chip and the PIN"): a PIN at the reader neither meets it nor resets the counters.
  if contactless then
    local inRow = clCount + 1 > clMaxCount or clSum + amount > clMaxSum
    if not pinVerified and amount > clLimit then return {'pinRequired', 'limit', 0, 0} end
    if inRow and (not pinVerified or amount <= clLimit) then return {'chipAndPinRequired', 'cumulative', 0, 0} end
  end
  if pinVerified and chip and (clCount > 0 or clSum > 0) then redis.call('HSET', K_card, 'clCount', 0, 'clSum', 0) end
  local unattended = unattendedRefusal(amount)
  if unattended then return unattended end

  -- Cash at an ATM: always the PIN, online; then the card product's withdrawal limits and its fee.
  if A_kind == 'withdrawal' then
    if not pinVerified then return {'pinRequired', 'atm', 0, 0} end
    local limit
    limit, fee, withdrawn = cashTerms(K_card, A_cash, A_atmOwner, A_abroad == '1', A_day, amount)
    if limit then return {'withdrawalLimitExceeded', limit, 0, 0} end
  end

  -- Balance control: lapsed reservations are released first.
  local lapsed = redis.call('ZRANGEBYSCORE', K_reservations, '-inf', now)
  for _, id in ipairs(lapsed) do
    reserved = reserved - tonumber(redis.call('HGET', K_reservationAmounts, id) or '0')
    redis.call('HDEL', K_reservationAmounts, id)
    redis.call('ZREM', K_reservations, id)
  end
  if #lapsed > 0 then redis.call('HSET', K_card, 'reserved', reserved) end
  local available = balance - reserved - unbooked
  if A_kind ~= 'refund' then
    -- A withdrawal's fee is paid from the account too: the balance must cover both.
    if amount + fee > available then return {'insufficientFunds', '', notices, available} end
    if reserve and A_message == 'single' and record then
      -- Posted now (below): held until the posting is booked.
      hold(A_postingId, amount)
      if fee > 0 then hold(A_feePostingId, fee) end
      available = available - amount - fee
    elseif reserve then
      if A_lapses ~= '' then
        local own = cjson.decode(A_lapses)[f[15] or '']
        if own then lapse = tonumber(own) end
      end
      redis.call('ZADD', K_reservations, now + lapse, A_reservation)
      redis.call('HSET', K_reservationAmounts, A_reservation, amount)
      reserved = reserved + amount
      redis.call('HSET', K_card, 'reserved', reserved)
      available = available - amount
      reservedId = A_reservation
    end
  end
  if contactless and not pinVerified then
    redis.call('HSET', K_card, 'clCount', clCount + 1, 'clSum', clSum + amount)
  end
  if A_kind == 'withdrawal' then cashWithdrawn(K_card, A_day, withdrawn + amount) end
  return {'approved', '', notices, available}
end

local r = decide()
local posting, feePosting = '', ''
if r[1] ~= 'approved' then approval = '' end
if not record then return {r[1], r[2], r[3], r[4], '', ''} end
-- The transaction record in one write: the answer; on approval its state and posting (and a
-- withdrawal's day and fee); then a chip transaction's results, declined or not.
local rec
if r[1] ~= 'approved' then
  rec = {'sig', sig, 'outcome', r[1], 'detail', r[2], 'approval', approval}
else
  local p = newPosting(amount, f[12], f[13], f[14], approval, {f[20], f[21], f[3]})
  if A_track == '1' then p.track = 1 end
  local json = cjson.encode(p)
  recordSeries()
  local state = 'authorized'
  if A_message == 'single' then
    state = 'posted'
    posting = json
    redis.call('RPUSH', K_posts, posting)
    if fee > 0 then
      feePosting = feePostingOf(p, A_feePostingId, fee)
      redis.call('RPUSH', K_posts, feePosting)
    end
  end
  -- A dual-message authorization keeps the posting its completion will make: what a
  -- retransmission gets back, and what a completion or reversal finds.
  rec = {'sig', sig, 'outcome', r[1], 'detail', r[2], 'approval', approval,
    'state', state, 'msg', A_message, 'kind', A_kind, 'amount', amount, 'res', reservedId, 'posting', json}
  if A_kind == 'withdrawal' then
    local n = #rec
    rec[n + 1], rec[n + 2], rec[n + 3], rec[n + 4] = 'cashDay', A_day, 'fee', feePosting
  end
end
if A_tvr ~= '' or A_cvmResults ~= '' or A_cvr ~= '' then
  local n = #rec
  rec[n + 1], rec[n + 2], rec[n + 3], rec[n + 4], rec[n + 5], rec[n + 6] = 'tvr', A_tvr, 'cvm', A_cvmResults, 'cvr', A_cvr
end
redis.call('HSET', K_transaction, unpack(rec))
redis.call('PEXPIRE', K_transaction, keepFor)
if feePosting ~= '' then return {r[1], r[2], r[3], r[4], approval, posting, '', feePosting} end
return {r[1], r[2], r[3], r[4], approval, posting}
