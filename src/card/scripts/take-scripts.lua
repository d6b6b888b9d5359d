-- The card's queued issuer scripts for a chip answer, oldest first, as many as fit in A_maxBytes
-- of field 55, marked sent (in the answer to transaction A_txn): each is sent once and then waits
-- for its result (script-results.lua), or for the issuer to queue it again (resend-script.lua).
-- KEYS: K_scripts   ARGV: A_now  A_txn  A_maxBytes
-- Returns the scripts taken, as JSON, in id order.
local queued = {}
for _, json in ipairs(redis.call('HVALS', K_scripts)) do
  if string.sub(json, 1, 1) == '{' then
    local s = cjson.decode(json)
    if s.status == 'queued' then table.insert(queued, s) end
  end
end
table.sort(queued, function(a, b) return a.id < b.id end)
local out, room = {}, tonumber(A_maxBytes)
for _, s in ipairs(queued) do
  if s.size > room then break end
  room = room - s.size
  s.status, s.sentAt, s.sentIn, s.sends = 'sent', tonumber(A_now), A_txn, s.sends + 1
  s.result = nil
  local json = cjson.encode(s)
  redis.call('HSET', K_scripts, s.id, json)
  table.insert(out, json)
end
return out
