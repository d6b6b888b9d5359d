/**
 * Issuer and block-service changes to a card, each one Lua script: the check that the caller's
 * issuer owns the card and the change (with the notice it causes, written to the card's outbox)
 * happen together or not at all. KEYS[1] is the card hash, KEYS[2] its outbox; ARGV[1] the
 * issuer asking ('' for the block service, which may block any card), ARGV[2] now (ms).
 * Every script returns { 'ok' | 'notFound' | 'forbidden' | 'conflict', detail }.
 */

/** Shared head: the card must exist and belong to the issuer asking. */
const OWNED = `
local card, outbox, issuer, now = KEYS[1], KEYS[2], ARGV[1], ARGV[2]
if redis.call('EXISTS', card) == 0 then return {'notFound', ''} end
local owner = redis.call('HGET', card, 'issuer')
if issuer ~= '' and owner ~= issuer then return {'forbidden', ''} end
local function notice(kind, extra)
  local n = { id = ARGV[3], type = kind, issuer = owner, card = string.match(card, '{(.-)}'),
    maskedPan = redis.call('HGET', card, 'maskedPan'), at = tonumber(now) }
  for k, v in pairs(extra) do n[k] = v end
  redis.call('RPUSH', outbox, cjson.encode(n))
end
`;

/** ARGV[3..]: fields and values of the new record. Fails with 'conflict' when the card exists. */
export const REGISTER_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {'conflict', 'card already registered'} end
redis.call('HSET', KEYS[1], unpack(ARGV))
return {'ok', ''}
`;

/** ARGV[3] notice id, ARGV[4] activation code hash. */
export const ACTIVATE_LUA = `${OWNED}
local f = redis.call('HMGET', card, 'status', 'activationCode')
if f[1] == 'deleted' then return {'conflict', 'card is deleted'} end
if f[1] == 'active' then return {'conflict', 'card is already active'} end
if f[2] ~= ARGV[4] then return {'conflict', 'activation code does not match'} end
redis.call('HSET', card, 'status', 'active', 'activatedAt', now)
return {'ok', ''}
`;

/** ARGV[3] notice id, ARGV[4] balance in øre. */
export const SET_BALANCE_LUA = `${OWNED}
redis.call('HSET', card, 'balance', ARGV[4])
return {'ok', ''}
`;

/**
 * ARGV[3] notice id, ARGV[4] reason (lost | stolen | fraud | issuer), ARGV[5] time the holder
 * reported it (ms; the block's own time is now), ARGV[6] JSON of what the holder said ('' if none),
 * ARGV[7] reference number ('' if none). A block of a blocked card keeps the first block.
 */
export const BLOCK_LUA = `${OWNED}
local f = redis.call('HMGET', card, 'status', 'block')
if f[1] == 'deleted' then return {'conflict', 'card is deleted'} end
if (f[2] or '') ~= '' then return {'conflict', 'card is already blocked'} end
-- Everything that can fail (cjson refuses some text) before the first write: Redis does not roll back a script that stops halfway.
local extra = { reason = ARGV[4], reportedAt = tonumber(ARGV[5]), blockedAt = tonumber(now), reference = ARGV[7] }
if ARGV[6] ~= '' then extra.report = cjson.decode(ARGV[6]) end
redis.call('HSET', card, 'block', ARGV[4], 'blockedAt', now, 'blockReportedAt', ARGV[5], 'blockReference', ARGV[7])
notice(ARGV[4] == 'fraud' and 'monitoringBlock' or 'blockRegistered', extra)
return {'ok', ''}
`;

/** ARGV[3] notice id. */
export const LIFT_BLOCK_LUA = `${OWNED}
if (redis.call('HGET', card, 'block') or '') == '' then return {'conflict', 'card is not blocked'} end
redis.call('HSET', card, 'block', '', 'blockLiftedAt', now)
return {'ok', ''}
`;

/** ARGV[3] notice id. Lifting a PIN block also clears the count of wrong tries. */
export const LIFT_PIN_BLOCK_LUA = `${OWNED}
if redis.call('HGET', card, 'pinBlocked') ~= '1' then return {'conflict', 'card is not PIN-blocked'} end
redis.call('HSET', card, 'pinBlocked', '0', 'pinTries', 0, 'pinBlockLiftedAt', now)
return {'ok', ''}
`;

/** ARGV[3] notice id. */
export const DELETE_LUA = `${OWNED}
if redis.call('HGET', card, 'status') == 'deleted' then return {'conflict', 'card is already deleted'} end
redis.call('HSET', card, 'status', 'deleted', 'deletedAt', now)
return {'ok', ''}
`;
