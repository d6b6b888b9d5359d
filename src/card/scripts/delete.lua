-- Deletes a card (the record stays, with status 'deleted', and so does its block history), with a
-- cardDeleted notice (naming the block in force, if any). Includes owned.lua (KEYS and ARGV there).
-- Returns { 'ok' | 'notFound' | 'forbidden' | 'conflict', detail }.
local f = redis.call('HMGET', K_card, 'status', 'block')
if f[1] == 'deleted' then return {'conflict', 'card is already deleted'} end
redis.call('HSET', K_card, 'status', 'deleted', 'deletedAt', A_now)
local extra = { by = A_issuer }
if (f[2] or '') ~= '' then extra.block = f[2] end
notice('cardDeleted', extra)
return {'ok', ''}
