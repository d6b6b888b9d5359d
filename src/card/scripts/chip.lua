-- EMV chip purchases (docs/SECURITY.md §1): the cryptogram's verdict and the application
-- transaction counter (ATC). Included by authorize.lua, whose decide() calls chipRefusal() after
-- the card's status and PIN block (a blocked card is refused as such) and before the remote, PIN,
-- contactless and balance checks.
--
-- The arguments (authorize.lua's header lists them all):
--   A_cryptogram  '' not checked (no field 55, or a card or product without chip keys); 'ok' the
--                 ARQC verified; 'bad' it did not
--   A_atc         the ATC of the request (tag 9F36) as a number
-- The card's last ATC is record field `atc` (HMGET in authorize.lua): the highest ATC of a
-- verified cryptogram. Only a verified cryptogram moves it: the ATC of one that failed is not
-- the card's word (anyone can write any ATC into field 55), and letting it count would let a
-- forged request with ATC 65535 lock the real card out.
--
-- A failed cryptogram or an ATC not above the last one: refused 'cryptogramFailure' (detail
-- 'arqc' or 'atc'), and a `cryptogramFailure` notice to the issuer. A verified cryptogram moves
-- the ATC even when a later rule refuses the purchase (a wrong PIN, the balance): the card
-- counted that transaction.

-- The refusal as { outcome, detail }, or nil when the cryptogram passes (or was not checked).
local function chipRefusal(lastAtc, notice)
  if A_cryptogram == '' then return nil end
  local atc, last = tonumber(A_atc), tonumber(lastAtc or '-1')
  if A_cryptogram ~= 'ok' then
    notice('cryptogramFailure', { reason = 'arqc', atc = atc })
    return {'cryptogramFailure', 'arqc'}
  end
  if atc <= last then
    notice('cryptogramFailure', { reason = 'atc', atc = atc, lastAtc = last })
    return {'cryptogramFailure', 'atc'}
  end
  redis.call('HSET', K_card, 'atc', atc)
  return nil
end
