-- Books postings on one card (the clearing delivery that carried them was written): the balance
-- goes down by a debit and up by a credit, and the hold of the posting (hold.lua) is released, in
-- one atomic step. A posting is booked once: its id is kept in K_booked, and a posting booked
-- again (a delivery retried, two workers at once) changes nothing. A posting without a hold (a
-- credit, or one made before holds existed) releases nothing. The posting's place in the journal
-- goes into the card's statement (K_statement, scored by the purchase time), which the disputes
-- read the card's transactions from (card-statement.ts). One card's keys (one hash tag).
--
-- KEYS: K_card, K_holds, K_booked (posting id by booking time), K_statement (journal id by purchase time)
-- ARGV: A_now (ms)  A_keepFor (ms: how long a booked id is remembered)
--       then R_postings: id, direction ('D' | 'C'), amount (øre), journal id, purchase time (ms) of
--       each posting, in order
-- Returns the number of postings booked now (0 for a card no longer registered: nothing written).
if redis.call('EXISTS', K_card) == 0 then return 0 end
local now = tonumber(A_now)
local booked, delta, released = 0, 0, 0
for i = R_postings, #ARGV, 5 do
  local id, amount = ARGV[i], tonumber(ARGV[i + 2])
  if not redis.call('ZSCORE', K_booked, id) then
    if ARGV[i + 1] == 'C' then delta = delta + amount else delta = delta - amount end
    local held = redis.call('HGET', K_holds, id)
    if held then
      released = released + tonumber(held)
      redis.call('HDEL', K_holds, id)
    end
    redis.call('ZADD', K_booked, now, id)
    redis.call('ZADD', K_statement, tonumber(ARGV[i + 4]), ARGV[i + 3])
    booked = booked + 1
  end
end
if delta ~= 0 then redis.call('HINCRBY', K_card, 'balance', delta) end
if released ~= 0 then redis.call('HINCRBY', K_card, 'unbooked', -released) end
redis.call('ZREMRANGEBYSCORE', K_booked, '-inf', now - tonumber(A_keepFor))
return booked
