-- Activates a card with its activation code. Includes owned.lua (KEYS and first ARGV there).
-- ARGV: A_code (keyed hash of the activation code given).
-- Returns { 'ok' | 'notFound' | 'forbidden' | 'conflict', detail }.
local f = redis.call('HMGET', K_card, 'status', 'activationCode')
if f[1] == 'deleted' then return {'conflict', 'card is deleted'} end
if f[1] == 'active' then return {'conflict', 'card is already active'} end
if f[2] ~= A_code then return {'conflict', 'activation code does not match'} end
redis.call('HSET', K_card, 'status', 'active', 'activatedAt', A_now)
return {'ok', ''}
