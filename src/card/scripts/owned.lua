-- The shared head of the issuer and block-service scripts (their specs name it in `include`):
-- the card must exist and belong to the issuer asking. Each of them declares
--   KEYS: K_card (the card hash), K_outbox (its notice outbox)
--   ARGV: A_issuer (the issuer asking; '' for the block service, which may change any card),
--         A_now (ms), A_noticeId (the id of the notice the change may cause), then its own.
-- Returns early { 'notFound', '' } or { 'forbidden', '' }; defines owner and notice(kind, extra).
if redis.call('EXISTS', K_card) == 0 then return {'notFound', ''} end
local owner = redis.call('HGET', K_card, 'issuer')
if A_issuer ~= '' and owner ~= A_issuer then return {'forbidden', ''} end
local function notice(kind, extra)
  local n = { id = A_noticeId, type = kind, issuer = owner, card = string.match(K_card, '{(.-)}'),
    maskedPan = redis.call('HGET', K_card, 'maskedPan'), at = tonumber(A_now) }
  for k, v in pairs(extra) do n[k] = v end
  redis.call('RPUSH', K_outbox, cjson.encode(n))
end
