-- Included by queue-script.lua and lift-pin-block.lua: the card's issuer scripts (K_scripts, a
-- hash owned by the card module, src/card/issuer-scripts.ts): field 'seq' counts the scripts
-- queued, and each script is a field of its own, its id (8 hex digits, also its 9F18 script
-- identifier) -> JSON { id, template ('71' | '72'), commands [{ name, header, data }], size
-- (bytes of its template in field 55), status, queuedAt, by, sends }.
-- queueScript(template, commands JSON, size, now, by): the new script's id.
local function queueScript(template, commands, size, now, by)
  local n = redis.call('HINCRBY', K_scripts, 'seq', 1)
  local id = string.format('%08X', n)
  local s = { id = id, template = template, commands = cjson.decode(commands), size = tonumber(size),
    status = 'queued', queuedAt = tonumber(now), by = by, sends = 0 }
  redis.call('HSET', K_scripts, id, cjson.encode(s))
  return id
end

-- How many of the card's scripts are not done with: queued, or sent and waiting for a result.
local function openScripts()
  local open = 0
  for _, json in ipairs(redis.call('HVALS', K_scripts)) do
    if string.sub(json, 1, 1) == '{' then
      local st = cjson.decode(json).status
      if st == 'queued' or st == 'sent' then open = open + 1 end
    end
  end
  return open
end
