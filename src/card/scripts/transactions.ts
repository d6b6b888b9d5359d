/**
 * Lua for what happens to a transaction after its authorization: completion (dual message) and
 * reversal (a PSAM's reversal advice, or the switch's own for an old terminal). Each runs on one
 * card's keys (one hash tag), so the check that a transaction is completed or reversed at most
 * once and the posting it makes are one atomic step, also with two switch processes.
 *
 * A transaction record (hash, src/card/keys.ts transactionKey) holds:
 *   sig, outcome, detail, approval   the answer given, for retransmissions
 *   state    'authorized' (dual, awaiting completion) | 'posted' (single) | 'completed' | 'reversed'
 *   msg      'single' | 'dual';  kind 'purchase' | 'refund';  amount (øre, authorised)
 *   res      reservation id ('' none);  posting  the posting JSON (for dual: the one completion makes)
 *   completedAmount, reversedAmount
 */

/**
 * repeatOf(key, sig): nil for a new request; the first answer ({outcome, detail, 0, 0, approval,
 * '', 'repeat'}) for a retransmission; 'duplicateTransmission' when the same transaction key arrives with other content.
 * remember(key, sig, outcome, detail, approval, keepFor): stores the answer.
 */
export const REPEAT_LUA = `
local function repeatOf(key, sig)
  local r = redis.call('HMGET', key, 'sig', 'outcome', 'approval', 'detail')
  if not r[1] then return nil end
  if r[1] ~= sig then return {'duplicateTransmission', '', 0, 0, '', ''} end
  return {r[2], r[4] or '', 0, 0, r[3] or '', '', 'repeat'}
end
local function remember(key, sig, outcome, detail, approval, keepFor)
  redis.call('HSET', key, 'sig', sig, 'outcome', outcome, 'detail', detail, 'approval', approval)
  redis.call('PEXPIRE', key, keepFor)
end
`;

/** release(resId, amount or nil for all): gives a reservation (or part of it) back to the balance. */
const RELEASE_LUA = `
local function release(resId, amount)
  if resId == nil or resId == '' then return end
  local held = tonumber(redis.call('HGET', resamt, resId) or '0')
  if held == 0 then return end
  local take = held
  if amount and amount < held then take = amount end
  if take == held then
    redis.call('HDEL', resamt, resId)
    redis.call('ZREM', res, resId)
  else
    redis.call('HSET', resamt, resId, held - take)
  end
  redis.call('HINCRBY', card, 'reserved', -take)
end
`;

/**
 * Completion of a dual-message authorization (1220/0220): posts the final amount, which may be
 * lower than authorised (fuel: authorise a maximum, complete with what was pumped) and gives the
 * rest of the reservation back. The completed amount stays reserved until the reservation lapses,
 * as a posted single-message purchase does.
 *
 * KEYS: 1 card, 2 reservations, 3 reservation amounts, 4 the completion's own record, 5 the original's record, 6 posting outbox
 * ARGV: 1 now (ms)  2 request signature  3 final amount (øre)  4 record lifetime (ms)  5 posting id
 * Returns: { outcome, detail, 0, 0, approval code of the original, posting JSON }
 */
export const COMPLETE_LUA = `
local card, res, resamt, own, orig, posts = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local sig, amount, keepFor, postingId = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
if redis.call('EXISTS', card) == 0 then return {'notRegistered', '', 0, 0, '', ''} end
${REPEAT_LUA}
${RELEASE_LUA}
local seen = repeatOf(own, sig)
if seen then return seen end

local o = redis.call('HMGET', orig, 'state', 'msg', 'amount', 'res', 'posting', 'approval')
local outcome, detail, posting = 'approved', '', ''
if not o[1] then outcome = 'originalNotFound'
elseif o[2] ~= 'dual' then outcome, detail = 'invalidTransaction', 'not a dual-message authorization'
elseif o[1] == 'completed' then outcome = 'alreadyCompleted'
elseif o[1] == 'reversed' then outcome = 'alreadyReversed'
elseif amount > tonumber(o[3]) then outcome = 'amountExceedsAuthorized'
else
  if amount < tonumber(o[3]) then release(o[4], tonumber(o[3]) - amount) end
  local p = cjson.decode(o[5])
  p.id, p.amount = postingId, amount
  posting = cjson.encode(p)
  redis.call('RPUSH', posts, posting)
  redis.call('HSET', orig, 'state', 'completed', 'completedAmount', amount, 'posting', posting)
end
local approval = ''
if outcome == 'approved' then approval = o[6] or '' end
remember(own, sig, outcome, detail, approval, keepFor)
return {outcome, detail, 0, 0, approval, posting}
`;

/**
 * Reversal of a transaction: a PSAM's reversal advice (1420/0420) or the switch's own for an
 * old terminal whose answer was lost. Each original is reversed at most once. A posted original
 * gets a reversal posting with its transaction id and (up to) its amount; an authorization not yet
 * completed only gives its reservation back. An unknown original posts nothing ('unmatched').
 *
 * KEYS: 1 card, 2 reservations, 3 reservation amounts, 4 the advice's own record (for the
 *       switch's own reversal, which has none, the original's again), 5 the original's record, 6 posting outbox
 * ARGV: 1 now (ms)  2 request signature  3 amount to reverse (øre; 0 = all)  4 record lifetime (ms)
 *       5 posting id  6 posting type ('reversal' | 'cancellation')  7 reason  8 '1' when KEYS[4] is the advice's own
 * Returns: { 'reversalAccepted' | 'duplicateTransmission', detail ('posted' | 'released' | 'alreadyReversed' |
 *   'unmatched'), 0, 0, '', posting JSON, 'repeat' for a repeated advice }
 */
export const REVERSE_LUA = `
local card, res, resamt, own, orig, posts = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local now, sig, amount, keepFor = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local postingId, kind, reason, hasOwn = ARGV[5], ARGV[6], ARGV[7], ARGV[8] == '1'
if redis.call('EXISTS', card) == 0 then return {'reversalAccepted', 'unmatched', 0, 0, '', ''} end
${REPEAT_LUA}
${RELEASE_LUA}
if hasOwn then
  local seen = repeatOf(own, sig)
  if seen then return seen end
end

local o = redis.call('HMGET', orig, 'state', 'amount', 'res', 'posting', 'completedAmount')
local detail, posting = 'posted', ''
if not o[1] then detail = 'unmatched'
elseif o[1] == 'reversed' then detail = 'alreadyReversed'
elseif o[1] == 'authorized' then
  release(o[3], nil)
  redis.call('HSET', orig, 'state', 'reversed', 'reversedAmount', 0)
  detail = 'released'
else
  local p = cjson.decode(o[4])
  local posted = tonumber(o[5] or o[2])
  if amount <= 0 or amount > posted then amount = posted end
  if p.direction == 'D' then release(o[3], amount) end
  p.id, p.type, p.amount, p.reverses, p.reason, p.receivedAt = postingId, kind, amount, p.txn, reason, now
  if p.direction == 'D' then p.direction = 'C' else p.direction = 'D' end
  p.track = nil
  posting = cjson.encode(p)
  redis.call('RPUSH', posts, posting)
  redis.call('HSET', orig, 'state', 'reversed', 'reversedAmount', amount)
end
if hasOwn then remember(own, sig, 'reversalAccepted', detail, '', keepFor) end
return {'reversalAccepted', detail, 0, 0, '', posting}
`;
