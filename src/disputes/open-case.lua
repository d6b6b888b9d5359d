-- Opens a dispute case (dispute-store.ts open): checks that no transaction of it would be returned
-- beyond what it has to return, then records what each returns, the case, the case under its card,
-- and the chargebacks due on the credit date, all at once. Every key is under {disputes}: one slot.
--
-- KEYS: K_cases (number -> case JSON), K_byCard (case numbers by opening time), K_returned
--       (posting id -> øre returned), K_due (chargeback and redebit JSON by the time they are due)
-- ARGV: A_number, A_case (JSON), A_openedAt (ms), A_dueAt (ms)
--       then R_items: posting id, amount (øre), limit (øre: the most it may have returned in all),
--       chargeback JSON of each transaction
-- Returns {'ok'}, {'exists'} (the number is taken), or {'over', posting id, øre returned already}.
if redis.call('HEXISTS', K_cases, A_number) == 1 then return {'exists'} end
for i = R_items, #ARGV, 4 do
  local returned = tonumber(redis.call('HGET', K_returned, ARGV[i]) or '0')
  if returned + tonumber(ARGV[i + 1]) > tonumber(ARGV[i + 2]) then
    return {'over', ARGV[i], tostring(returned)}
  end
end
for i = R_items, #ARGV, 4 do
  redis.call('HINCRBY', K_returned, ARGV[i], ARGV[i + 1])
  redis.call('ZADD', K_due, A_dueAt, ARGV[i + 3])
end
redis.call('HSET', K_cases, A_number, A_case)
redis.call('ZADD', K_byCard, A_openedAt, A_number)
return {'ok'}
