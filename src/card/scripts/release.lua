-- Shared by complete and reverse; uses their keys K_card, K_reservations, K_reservationAmounts.
-- release(resId, amount or nil for all): gives a reservation (or part of it) back (`reserved` goes down).
local function release(resId, amount)
  if resId == nil or resId == '' then return end
  local held = tonumber(redis.call('HGET', K_reservationAmounts, resId) or '0')
  if held == 0 then return end
  local take = held
  if amount and amount < held then take = amount end
  if take == held then
    redis.call('HDEL', K_reservationAmounts, resId)
    redis.call('ZREM', K_reservations, resId)
  else
    redis.call('HSET', K_reservationAmounts, resId, held - take)
  end
  redis.call('HINCRBY', K_card, 'reserved', -take)
end
