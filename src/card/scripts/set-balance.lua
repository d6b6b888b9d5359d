-- Sets a card's balance. Includes owned.lua (KEYS and first ARGV there).
-- ARGV: A_balance (øre).  Returns { 'ok' | 'notFound' | 'forbidden', detail }.
redis.call('HSET', K_card, 'balance', A_balance)
return {'ok', ''}
