-- Included by authorize.lua, checked after the contactless rules and before the balance.
-- Unattended machines without cardholder verification (004 §5.2: bridges, parking, some phone
-- machines; chip read, no PIN, no signature) take up to the card product's limit: A_unattended
-- is '' for any other request, 'pinPad' for a machine that could have taken the PIN (over the
-- limit it is asked for, as a contactless reader is), 'noPinPad' for one that could not (over the
-- limit it is refused). A_unattendedLimit (øre) is the limit of a product without one of its own;
-- A_unattendedLimits is JSON {product: øre} of those with their own ('' none). The card's product
-- is read only for such a request.
-- unattendedRefusal(amount): nil within the limit (or not such a request), else decide()'s refusal.
local function unattendedRefusal(amount)
  if A_unattended == '' then return nil end
  local limit = tonumber(A_unattendedLimit)
  if A_unattendedLimits ~= '' then
    local own = cjson.decode(A_unattendedLimits)[redis.call('HGET', K_card, 'product') or '']
    if own then limit = tonumber(own) end
  end
  if amount <= limit then return nil end
  if A_unattended == 'pinPad' then return {'pinRequired', 'unattended', 0, 0} end
  return {'unattendedLimitExceeded', tostring(limit), 0, 0}
end
