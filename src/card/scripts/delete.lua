-- Deletes a card (the record stays, with status 'deleted'). Includes owned.lua (KEYS and ARGV there).
-- Returns { 'ok' | 'notFound' | 'forbidden' | 'conflict', detail }.
if redis.call('HGET', K_card, 'status') == 'deleted' then return {'conflict', 'card is already deleted'} end
redis.call('HSET', K_card, 'status', 'deleted', 'deletedAt', A_now)
return {'ok', ''}
