import { REPEAT_LUA } from './transactions.js';

/**
 * The whole decision for one request, as one Lua script: one round trip, atomic, so two switch
 * processes sharing a Redis can never let a 4th wrong PIN through or overspend a balance.
 * All keys are one card's (same hash tag), so it runs unchanged on Redis Cluster.
 *
 * Order (docs/PROTOCOL.md, "Precedence"): not registered -> deleted -> expired -> not activated
 * -> blocked -> PIN-blocked -> PIN check -> contactless/CVM -> balance. The three-strikes rule is
 * the "PIN check" block: the 3rd wrong PIN in a row PIN-blocks the card; a correct PIN after
 * the 1st or 2nd resets the count; the count never expires; a notice goes to the card's outbox
 * for each wrong try and for the PIN block, none for a reset.
 *
 * The same call records the transaction (its answer, so that a retransmission gets the first
 * answer and changes nothing; on approval its state and posting) and, for a single-message
 * approval, puts the posting in the card's posting outbox: the posting exists before the answer
 * leaves the switch (src/journal/posting-relay.ts moves it to the journal).
 *
 * KEYS: 1 card hash, 2 reservations zset, 3 reservation amounts hash, 4 notice outbox list,
 *       5 transaction record hash, 6 posting outbox list
 * ARGV: 1 now (ms)  2 now as YYMM (local)  3 'purchase' | 'refund'  4 amount (øre)
 *       5 PIN verification value of the PIN entered, '' when no PIN was given, '!' for a PIN
 *         block that could not be decrypted or read
 *       6 '1' when contactless  7 contactless limit  8 contactless max count  9 contactless max sum
 *       10 '1' to reserve the amount on approval  11 reservation id  12 reservation lapse (ms)
 *       13 notice id prefix  14 terminal id
 *       15 request signature (what a retransmission must repeat; '' records nothing)  16 'single' | 'dual'
 *       17 approval code  18 transaction record lifetime (ms)
 *       19.. the posting's own fields (the card record gives the rest; no JSON on the switch's hot
 *       path): 19 id 20 transaction id 21 type 22 direction 23 currency 24 terminal 25 merchant
 *       26 STAN 27 local time 28 received (ms) 29 '1' when the terminal's last approval is tracked
 * Returns: { outcome, detail, notices written, available after (øre), approval code, posting JSON
 *   ('' unless a posting was made) }
 *   A retransmission returns the first outcome and detail, and 'repeat' after the posting; the same transaction with
 *   other content returns 'duplicateTransmission'.
 */
export const AUTHORIZE_LUA = `
local card, res, resamt, outbox, txn, posts = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local now = tonumber(ARGV[1])
local nowYYMM, kind, amount, pvvGiven = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local contactless = ARGV[6] == '1'
local clLimit, clMaxCount, clMaxSum = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local reserve, resId, lapse = ARGV[10] == '1', ARGV[11], tonumber(ARGV[12])
local noticeId, terminal = ARGV[13], ARGV[14]
local sig, msg, approval, keepFor = ARGV[15], ARGV[16], ARGV[17], tonumber(ARGV[18])

-- Every card record has a status: none means no card (one read for both, no EXISTS first).
local f = redis.call('HMGET', card, 'status', 'expiry', 'block', 'pinBlocked', 'pinTries', 'pvv',
  'balance', 'reserved', 'unbooked', 'clCount', 'clSum', 'issuer', 'maskedPan', 'panEnc')
if not f[1] then return {'notRegistered', '', 0, 0, '', ''} end
${REPEAT_LUA}
-- No signature: a call that only applies the rules (seeding), with nothing to record.
local record = sig ~= ''
if record then
  local seen = repeatOf(txn, sig)
  if seen then return seen end
end

local status, expiry, block, pinBlocked = f[1], f[2], f[3] or '', f[4] == '1'
local tries = tonumber(f[5] or '0')
local balance, reserved, unbooked = tonumber(f[7] or '0'), tonumber(f[8] or '0'), tonumber(f[9] or '0')
local clCount, clSum = tonumber(f[10] or '0'), tonumber(f[11] or '0')

local notices = 0
local function notice(kind, extra)
  notices = notices + 1
  local n = { id = noticeId .. '-' .. notices, type = kind, issuer = f[12], card = string.match(card, '{(.-)}'),
    maskedPan = f[13], at = now, terminal = terminal }
  for k, v in pairs(extra) do n[k] = v end
  redis.call('RPUSH', outbox, cjson.encode(n))
end

local reservedId = ''
local function decide()
  if status == 'deleted' then return {'deleted', '', 0, 0} end
  if expiry < nowYYMM then return {'expired', '', 0, 0} end
  if status ~= 'active' then return {'notActivated', '', 0, 0} end
  if block ~= '' then return {'blocked', block, 0, 0} end
  if pinBlocked then return {'pinTriesExceeded', '', 0, 0} end

  -- A PIN block that could not be decrypted or read is no try at all.
  if pvvGiven == '!' then return {'invalidPinBlock', '', 0, 0} end

  -- Three strikes.
  local pinVerified = false
  if pvvGiven ~= '' then
    if pvvGiven ~= f[6] then
      tries = tries + 1
      redis.call('HSET', card, 'pinTries', tries)
      notice('wrongPin', { tries = tries })
      if tries >= 3 then
        redis.call('HSET', card, 'pinBlocked', '1', 'pinBlockedAt', now)
        notice('pinBlocked', { tries = tries })
        return {'pinTriesExceeded', tostring(tries), notices, 0}
      end
      return {'wrongPin', tostring(tries), notices, 0}
    end
    pinVerified = true
    if tries > 0 then redis.call('HSET', card, 'pinTries', 0) end
  end

  -- Contactless without PIN: up to the limit, and only so many (or so much) in a row.
  if contactless and not pinVerified then
    if amount > clLimit then return {'pinRequired', 'limit', 0, 0} end
    if clCount + 1 > clMaxCount or clSum + amount > clMaxSum then return {'pinRequired', 'cumulative', 0, 0} end
  end
  if pinVerified and (clCount > 0 or clSum > 0) then redis.call('HSET', card, 'clCount', 0, 'clSum', 0) end

  -- Balance control: lapsed reservations are released first.
  local lapsed = redis.call('ZRANGEBYSCORE', res, '-inf', now)
  for _, id in ipairs(lapsed) do
    reserved = reserved - tonumber(redis.call('HGET', resamt, id) or '0')
    redis.call('HDEL', resamt, id)
    redis.call('ZREM', res, id)
  end
  if #lapsed > 0 then redis.call('HSET', card, 'reserved', reserved) end
  local available = balance - reserved - unbooked
  if kind == 'purchase' then
    if amount > available then return {'insufficientFunds', '', notices, available} end
    if reserve then
      redis.call('ZADD', res, now + lapse, resId)
      redis.call('HSET', resamt, resId, amount)
      reserved = reserved + amount
      redis.call('HSET', card, 'reserved', reserved)
      available = available - amount
      reservedId = resId
    end
  end
  if contactless and not pinVerified then
    redis.call('HSET', card, 'clCount', clCount + 1, 'clSum', clSum + amount)
  end
  return {'approved', '', notices, available}
end

local r = decide()
local posting = ''
if r[1] ~= 'approved' then approval = '' end
if not record then return {r[1], r[2], r[3], r[4], '', ''} end
if r[1] ~= 'approved' then
  redis.call('HSET', txn, 'sig', sig, 'outcome', r[1], 'detail', r[2], 'approval', approval)
else
  local p = { id = ARGV[19], txn = ARGV[20], type = ARGV[21], direction = ARGV[22], amount = amount,
    currency = ARGV[23], terminal = ARGV[24], merchant = ARGV[25], stan = ARGV[26], localTime = ARGV[27],
    receivedAt = tonumber(ARGV[28]) }
  if ARGV[29] == '1' then p.track = 1 end
  p.issuer, p.maskedPan, p.panEnc, p.cardStatus, p.approvalCode = f[12], f[13], f[14], 'active', approval
  p.card = string.match(card, '{(.-)}')
  local json = cjson.encode(p)
  local state = 'authorized'
  if msg == 'single' then
    state = 'posted'
    posting = json
    redis.call('RPUSH', posts, posting)
  end
  -- A dual-message authorization keeps the posting its completion will make. One write for the
  -- whole record: what a retransmission gets back, and what a completion or reversal finds.
  redis.call('HSET', txn, 'sig', sig, 'outcome', r[1], 'detail', r[2], 'approval', approval,
    'state', state, 'msg', msg, 'kind', kind, 'amount', amount, 'res', reservedId, 'posting', json)
end
redis.call('PEXPIRE', txn, keepFor)
return {r[1], r[2], r[3], r[4], approval, posting}
`;
