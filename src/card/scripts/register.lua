-- Registers a card: the whole record in one step, or nothing when the card exists.
-- KEYS: K_card (the card hash)  ARGV: the tail R_fields.. is the new record's fields and values.
-- Returns { 'ok', '' } or { 'conflict', 'card already registered' }.
if redis.call('EXISTS', K_card) == 1 then return {'conflict', 'card already registered'} end
redis.call('HSET', K_card, unpack(ARGV, R_fields))
return {'ok', ''}
