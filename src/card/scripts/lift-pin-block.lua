-- Lifts a PIN block, which also clears the count of wrong tries. Includes owned.lua (KEYS and ARGV there).
-- Returns { 'ok' | 'notFound' | 'forbidden' | 'conflict', detail }.
if redis.call('HGET', K_card, 'pinBlocked') ~= '1' then return {'conflict', 'card is not PIN-blocked'} end
redis.call('HSET', K_card, 'pinBlocked', '0', 'pinTries', 0, 'pinBlockLiftedAt', A_now)
return {'ok', ''}
