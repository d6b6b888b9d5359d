-- Queues a script sent before once more (the issuer's resend): a failed or unperformed one, or one
-- sent without a result yet (its answer lost, say). Includes owned.lua (KEYS card and outbox,
-- ARGV issuer, now, noticeId there).
-- KEYS: K_scripts   ARGV: A_id (the script's id)
-- Returns { 'ok', '' } | { 'notFound' | 'forbidden' | 'conflict', detail }.
local json = redis.call('HGET', K_scripts, A_id)
if not json or A_id == 'seq' then return {'notFound', 'no such script'} end
local s = cjson.decode(json)
if s.status == 'queued' then return {'conflict', 'the script is queued already'} end
if s.status == 'succeeded' then return {'conflict', 'the script succeeded: nothing to resend'} end
s.status = 'queued'
redis.call('HSET', K_scripts, A_id, cjson.encode(s))
return {'ok', ''}
