-- Remote purchases: internet, mail and phone order (docs/SCHEME.md, "Remote purchases"; 004 §5.1).
-- No PIN and no track: the card number, the expiry (field 14) and the three check digits (CVC,
-- field 48 sub-element 02) must match the card. Included by authorize.lua, whose decide() calls
-- remoteRefusal() after the card's status and PIN block (a blocked or deleted card is refused as
-- such in every channel) and before the PIN, contactless and balance checks.
--
-- The arguments (authorize.lua's header lists them all):
--   A_remote   '' not a remote purchase (or a refund); 'holder' the holder present (expiry, CVC,
--              and for internet purchases the holder's authentication); 'merchant' a merchant's
--              later payment of a stored card's series (neither expiry nor CVC)
--   A_expiry   field 14 as sent (YYMM; '' absent)
--   A_cvc      the keyed verification value of the CVC sent ('' none sent): the clear CVC never
--              reaches Redis, as the PIN never does
--   A_unauthenticated  '1' for an internet purchase without the holder's authentication
--   A_authDefault  '1' when a card product without a setting of its own refuses such a purchase
--   A_authProducts JSON {product: true|false} of the products with a setting of their own ('' none)
--   A_series, A_merchant: the posting's (a later payment names its series' first
--              transaction; it must be this card's, with this merchant)
-- The card's expiry, CVC verification value and product come from its record (HMGET in authorize.lua).
--
-- The series of a stored card or subscription: K_series maps the first purchase's transaction id
-- to the merchant (field 42) it was made with. It is the card's (its hash tag), kept as long as
-- the card: a subscription may run for years.

-- The refusal of a remote purchase as decide() returns it, or nil when its remote checks pass.
local function remoteRefusal(cardExpiry, cvcValue, product)
  if A_remote == 'merchant' then
    if redis.call('HGET', K_series, A_series) ~= A_merchant then return {'seriesNotFound', '', 0, 0} end
    return nil
  end
  if A_remote ~= 'holder' then return nil end
  -- In this order: what the holder typed from the card's face, then how the holder was authenticated.
  if A_expiry ~= cardExpiry then return {'wrongExpiry', A_expiry == '' and 'missing' or '', 0, 0} end
  if A_cvc == '' then return {'cvcMissing', '', 0, 0} end
  if A_cvc ~= cvcValue then return {'wrongCvc', cvcValue and '' or 'no CVC registered', 0, 0} end
  if A_unauthenticated == '1' then
    local required = A_authDefault == '1'
    if A_authProducts ~= '' then
      local own = cjson.decode(A_authProducts)[product or '']
      if own ~= nil then required = own end
    end
    if required then return {'holderAuthenticationRequired', A_authentication, 0, 0} end
  end
  return nil
end

-- An approved first purchase of a series (the holder present, series = its own transaction id)
-- records the series for the merchant's later payments.
local function recordSeries()
  if A_remote == 'holder' and A_series ~= '' then redis.call('HSET', K_series, A_series, A_merchant) end
end
