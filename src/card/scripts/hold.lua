-- Shared by authorize, complete and reverse; uses their keys K_card and K_holds.
-- A debit posting holds its amount from the moment it is made until it is booked (book.lua):
-- K_holds maps its posting id to the øre still held, and the card record's `unbooked` is their
-- sum. Unlike a reservation, a hold never lapses: the posting is money spent.
-- hold(postingId, amount): holds the amount for the posting.
-- unhold(postingId, amount or nil for all): gives (part of) a posting's hold back; a posting
--   without a hold (booked already, or made before holds existed) gives nothing back.
local function hold(postingId, amount)
  redis.call('HSET', K_holds, postingId, amount)
  redis.call('HINCRBY', K_card, 'unbooked', amount)
end
local function unhold(postingId, amount)
  local held = tonumber(redis.call('HGET', K_holds, postingId) or '0')
  if held == 0 then return end
  local take = held
  if amount and amount < held then take = amount end
  if take == held then redis.call('HDEL', K_holds, postingId) else redis.call('HSET', K_holds, postingId, held - take) end
  redis.call('HINCRBY', K_card, 'unbooked', -take)
end
