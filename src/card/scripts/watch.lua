-- The fraud monitoring's record of one online transaction on the card (src/card/card-watch.ts,
-- docs/MONITORING.md): the card's recent transactions (K_recent, a list of JSON, oldest first)
-- and its holder profile (K_profile, a hash), both under the card's hash tag.
-- KEYS: K_card (the card record, read only), K_recent, K_profile
-- ARGV: A_now (ms), A_horizon (ms the rules look back), A_tx (the transaction's JSON, with `at`,
--       `outcome`, `kind`, `amount`, `merchant`, `terminal`, `country`), A_maxRecent (the most kept),
--       A_keepProfile (ms the profile is kept after the card's last transaction), A_maxFields
--       (the most fields the profile may have: merchants past it are not kept), A_read ('1': the
--       caller read the list with LRANGE just before this script, '0': the rules read none of the
--       earlier transactions for this one; src/monitoring/evaluate.ts recentReachMs).
-- A transaction that leaves the horizon (or the list's length) is folded into the profile when it
-- was an approved purchase or withdrawal: the profile is the history before the rules' windows,
-- so a burst of misuse never makes itself usual. Fields: n (count), max (largest øre),
-- m:<place> (the merchant, else the terminal), c:<country> (uses), p:<country> (uses with the card
-- present, not remote). What is kept and folded does not depend on A_read.
-- Each entry is stored as the transaction's JSON with a first key of its own, "seq": the card's
-- count of recorded transactions (one more than the newest entry's; from 1 when the list is
-- empty), so the caller can tell the entries of its LRANGE apart: a list read into Lua and
-- returned from it costs Redis several times what LRANGE itself does. Entries of an earlier
-- version have no "seq" (they read as before).
-- Returns { issuer, block reason ('' when not blocked), entries, from, to }: the earlier recent
-- transactions (none for a blocked card, nor when A_read is '0') are the caller's LRANGE entries
-- with seq from `from` to `to` (none when to < from) when `from` > 0; else, when the entries kept
-- are not one run of seqs from the oldest to the newest, `entries` (JSON, oldest first). For a card not in the register { '', '', {}, 0, 0 }
-- and nothing is written. An entry whose time does not read is dropped, unfolded, when it is the
-- oldest.
local f = redis.call('HMGET', K_card, 'status', 'issuer', 'block')
if not f[1] then return {'', '', {}, 0, 0} end
local cutoff = tonumber(A_now) - tonumber(A_horizon)
local maxRecent, maxFields = tonumber(A_maxRecent), tonumber(A_maxFields)

-- An entry's time (ms), nil when it does not read. The switch writes JSON.stringify of a flat
-- object: the first `"at":` is its key (a quote inside a string value is escaped, so `t":` cannot
-- be in one), and a whole number there is what cjson would read, without decoding the entry.
-- Anything else (another version's entry, a fraction) is decoded as before.
local function atOf(e)
  local at = string.match(e, '"at":(%d+)[,}]')
  if at then return tonumber(at) end
  local ok, d = pcall(cjson.decode, e)
  if ok and type(d) == 'table' and type(d.at) == 'number' then return d.at end
  return nil
end

local function count(field)
  if redis.call('HEXISTS', K_profile, field) == 1 or redis.call('HLEN', K_profile) < maxFields then
    redis.call('HINCRBY', K_profile, field, 1)
  end
end

local function fold(e)
  if e.outcome ~= 'approved' or e.kind == 'refund' or type(e.amount) ~= 'number' then return end
  redis.call('HINCRBY', K_profile, 'n', 1)
  if e.amount > tonumber(redis.call('HGET', K_profile, 'max') or '0') then
    redis.call('HSET', K_profile, 'max', e.amount)
  end
  -- The place (src/monitoring/watched-transaction.ts placeOf): the merchant, else the terminal (an ATM).
  local place = (e.merchant ~= '' and e.merchant) or e.terminal or ''
  if place ~= '' then count('m:' .. place) end
  count('c:' .. e.country)
  -- Where the card itself was (a remote purchase's country is its merchant's): a first use abroad.
  if e.channel ~= 'internet' and e.channel ~= 'mailOrder' and e.channel ~= 'phoneOrder' then count('p:' .. e.country) end
end

local length = redis.call('LLEN', K_recent)
-- The entry's seq, nil for an entry without one.
local function seqOf(e)
  return tonumber(string.match(e, '^{"seq":(%d+),'))
end
-- Read before the oldest are folded, so the count goes on even when all of them are.
local newestSeq = length > 0 and seqOf(redis.call('LINDEX', K_recent, -1)) or nil
local seq = (newestSeq or 0) + 1
-- The oldest entry kept, nil when none is left.
local oldest
while length > 0 do
  -- An entry that does not read (written by another version, say) is dropped, not left to fail every call.
  local e = redis.call('LINDEX', K_recent, 0)
  local at = atOf(e)
  if at and at >= cutoff and length < maxRecent then
    oldest = e
    break
  end
  redis.call('LPOP', K_recent)
  if at then
    local ok, decoded = pcall(cjson.decode, e)
    if ok and type(decoded) == 'table' then fold(decoded) end
  end
  length = length - 1
end

-- A blocked card's transactions are kept, but nothing is evaluated on them: none are sent back.
local blocked = (f[3] or '') ~= ''
local entries, from, to = {}, 0, 0
if not blocked and A_read == '1' then
  local oldestSeq = oldest and seqOf(oldest)
  if oldest == nil then
    from, to = seq, seq - 1
  elseif oldestSeq and newestSeq and newestSeq - oldestSeq + 1 == length then
    from, to = oldestSeq, newestSeq
  else
    -- Not one run of seqs (an earlier version's entries, or one recorded by such a process while
    -- versions are mixed): the list itself, as before.
    entries = redis.call('LRANGE', K_recent, 0, -1)
  end
end
redis.call('RPUSH', K_recent, '{"seq":' .. seq .. ',' .. string.sub(A_tx, 2))
redis.call('PEXPIRE', K_recent, tonumber(A_keepProfile))
redis.call('PEXPIRE', K_profile, tonumber(A_keepProfile))
return {f[2] or '', f[3] or '', entries, from, to}
