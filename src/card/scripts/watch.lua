-- The fraud monitoring's record of one online transaction on the card (src/card/card-watch.ts,
-- docs/MONITORING.md): the card's recent transactions (K_recent, a list of JSON, oldest first)
-- and its holder profile (K_profile, a hash), both under the card's hash tag.
-- KEYS: K_card (the card record, read only), K_recent, K_profile
-- ARGV: A_now (ms), A_horizon (ms the rules look back), A_tx (the transaction's JSON, with `at`,
--       `outcome`, `kind`, `amount`, `merchant`, `terminal`, `country`), A_maxRecent (the most kept),
--       A_keepProfile (ms the profile is kept after the card's last transaction), A_maxFields
--       (the most fields the profile may have: merchants past it are not kept).
-- A transaction that leaves the horizon (or the list's length) is folded into the profile when it
-- was an approved purchase or withdrawal: the profile is the history before the rules' windows,
-- so a burst of misuse never makes itself usual. Fields: n (count), max (largest øre),
-- m:<place> (the merchant, else the terminal), c:<country> (uses), p:<country> (uses with the card
-- present, not remote).
-- Returns { issuer, block reason ('' when not blocked), the earlier recent transactions (JSON,
-- oldest first; none for a blocked card) }; for a card not in the register { '', '', {} } and
-- nothing is written. An entry that does not decode is dropped when it is the oldest.
local f = redis.call('HMGET', K_card, 'status', 'issuer', 'block')
if not f[1] then return {'', '', {}} end
local cutoff = tonumber(A_now) - tonumber(A_horizon)
local maxRecent, maxFields = tonumber(A_maxRecent), tonumber(A_maxFields)

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
while length > 0 do
  -- An entry that does not read (written by another version, say) is dropped, not left to fail every call.
  local ok, oldest = pcall(cjson.decode, redis.call('LINDEX', K_recent, 0))
  local readable = ok and type(oldest) == 'table' and type(oldest.at) == 'number'
  if readable and oldest.at >= cutoff and length < maxRecent then break end
  redis.call('LPOP', K_recent)
  if readable then fold(oldest) end
  length = length - 1
end
-- A blocked card's transactions are kept, but nothing is evaluated on them: none are sent back.
local blocked = (f[3] or '') ~= ''
local earlier = blocked and {} or redis.call('LRANGE', K_recent, 0, -1)
redis.call('RPUSH', K_recent, A_tx)
redis.call('PEXPIRE', K_recent, tonumber(A_keepProfile))
redis.call('PEXPIRE', K_profile, tonumber(A_keepProfile))
return {f[2] or '', f[3] or '', earlier}
