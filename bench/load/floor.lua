-- The floor server's one Redis call per request (bench/load/floor.ts): the part of an
-- authorization Redis cannot be spared, and nothing more. It gets the decision's KEYS and ARGV
-- (authorize.lua's names, so the same count, with values of about the same bytes), reads the
-- card hash as the decision does (the same 14 fields), updates one counter (the amount held, as
-- a single-message approval's hold adds to `unbooked`) and appends one entry (the posting,
-- encoded as the decision encodes it) to a list of its own. No rules: a card found is approved.
--
-- KEYS touched: K_card the card hash (its field floorHeld is the floor's), K_posts the floor's
-- own list (card:{id}:floor, not the switch's posting outbox); the others are sent, not touched.
-- Returns 1 when the card is in the register, 0 when it is not.

local f = redis.call('HMGET', K_card, 'status', 'expiry', 'block', 'pinBlocked', 'pinTries', 'pvv',
  'balance', 'reserved', 'unbooked', 'clCount', 'clSum', 'issuer', 'maskedPan', 'panEnc')
if not f[1] then return 0 end
redis.call('HINCRBY', K_card, 'floorHeld', A_amount)

-- The posting's fields, as authorize.lua builds them.
local p = { id = A_postingId, txn = A_txn, type = A_postingType, direction = A_direction, amount = tonumber(A_amount),
  currency = A_currency, terminal = A_postingTerminal, merchant = A_merchant, stan = A_stan, localTime = A_localTime,
  receivedAt = tonumber(A_receivedAt) }
p.originalAmount, p.originalCurrency = tonumber(A_originalAmount), A_originalCurrency
p.originalExponent, p.rate = tonumber(A_originalExponent), tonumber(A_rate)
p.purchasedAt, p.authorizedAt = tonumber(A_purchasedAt), p.receivedAt
p.merchantName, p.merchantCity, p.mcc = A_merchantName, A_merchantCity, A_mcc
p.entryMode, p.verification, p.terminalKind = A_entryMode, A_verification, A_terminalKind
p.channel, p.authentication, p.initiatedBy = A_channel, A_authentication, A_initiatedBy
p.series, p.authorization = A_series, A_authorization
p.issuer, p.maskedPan, p.panEnc, p.approvalCode = f[12], f[13], f[14], A_approvalCode
p.cardStatus = f[1]
p.card = string.match(K_card, '{(.-)}')
redis.call('RPUSH', K_posts, cjson.encode(p))
return 1
