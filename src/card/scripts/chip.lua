-- EMV chip purchases (docs/SECURITY.md §1): the cryptogram's verdict and the application
-- transaction counter (ATC). Included by authorize.lua, whose decide() calls chipRefusal() after
-- the card's status and PIN block (a blocked card is refused as such) and before the remote, PIN,
-- contactless and balance checks.
--
-- The arguments (authorize.lua's header lists them all):
--   A_cryptogram  '' not checked (not a chip read, or a card or product without chip keys); 'ok' the
--                 ARQC verified; 'bad' it did not, or its data is not the message's; 'missing' a
--                 chip read without field 55 (the card's keys are looked at here, not before)
--   A_atc         the ATC of the request (tag 9F36) as a number
--   A_chipProducts  the products with an issuer master key, comma-separated: a card of one of
--                 them registered with a PAN sequence number (record field `psn`) has chip keys
-- The card's ATCs are a replay window (redis/replay-window.lua, included before this file) kept
-- in record fields `atc` (HMGET in authorize.lua), the highest ATC of a
-- verified cryptogram, and `atcSeen`, which of the 32 ATCs below it were seen (bit i:
-- atc - 1 - i). Transactions reach the host out of order (concurrent requests, offline
-- transactions counted by the card and advised later), so an ATC below the highest is taken once
-- if it lies within the window: a replay (an ATC seen) or one older than the window is refused.
-- Only a verified cryptogram counts: the ATC of one that failed is not the card's word (anyone can
-- write any ATC into field 55), and letting it count would let a forged request with ATC 65535
-- lock the real card out.
--
-- A failed cryptogram, a replayed ATC or one older than the window, or field 55 missing from a
-- chip read of a card with chip keys (a downgrade): refused 'cryptogramFailure' (detail 'arqc',
-- 'atc' or 'missing'), and a `cryptogramFailure` notice to the issuer. A verified cryptogram
-- counts its ATC even when a later rule refuses the purchase (a wrong PIN, the balance): the card
-- counted that transaction.

-- The refusal as { outcome, detail }, or nil when the cryptogram passes (or was not checked).
local function chipRefusal(lastAtc, atcSeen, product, psn, notice)
  if A_cryptogram == '' then return nil end
  if A_cryptogram == 'missing' then
    -- A chip read without field 55: for a card with chip keys, a downgrade that would skip the check.
    if not psn or not string.find(',' .. A_chipProducts .. ',', ',' .. (product or '') .. ',', 1, true) then return nil end
    notice('cryptogramFailure', { reason = 'missing' })
    return {'cryptogramFailure', 'missing'}
  end
  local atc, last = tonumber(A_atc), tonumber(lastAtc or '-1')
  if A_cryptogram ~= 'ok' then
    notice('cryptogramFailure', { reason = 'arqc', atc = atc })
    return {'cryptogramFailure', 'arqc'}
  end
  local highest, seen = replayWindow(atc, last, tonumber(atcSeen or '0'))
  if not highest then
    notice('cryptogramFailure', { reason = 'atc', atc = atc, lastAtc = last })
    return {'cryptogramFailure', 'atc'}
  end
  redis.call('HSET', K_card, 'atc', highest, 'atcSeen', seen)
  return nil
end
