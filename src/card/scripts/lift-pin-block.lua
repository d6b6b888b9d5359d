-- Lifts a PIN block, which also clears the count of wrong tries, and queues the PIN unblock
-- script for the card's chip (its PIN try counter is blocked too): the next chip answer carries
-- it (docs/SECURITY.md §2). Includes owned.lua (KEYS and ARGV there) and script-queue.lua.
-- KEYS: K_scripts   ARGV: A_template  A_commands  A_size: the PIN unblock script, as queue-script.lua's.
-- Returns { 'ok' | 'notFound' | 'forbidden' | 'conflict', detail }.
if redis.call('HGET', K_card, 'pinBlocked') ~= '1' then return {'conflict', 'card is not PIN-blocked'} end
redis.call('HSET', K_card, 'pinBlocked', '0', 'pinTries', 0, 'pinBlockLiftedAt', A_now)
queueScript(A_template, A_commands, A_size, A_now, 'pinBlockLifted')
return {'ok', ''}
