-- Lifts a card's block. Includes owned.lua (KEYS and ARGV there).
-- Returns { 'ok' | 'notFound' | 'forbidden' | 'conflict', detail }.
if (redis.call('HGET', K_card, 'block') or '') == '' then return {'conflict', 'card is not blocked'} end
redis.call('HSET', K_card, 'block', '', 'blockLiftedAt', A_now)
return {'ok', ''}
