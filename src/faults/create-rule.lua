-- Creates a fault rule, unless the most rules are kept already. All keys on the {faults} hash tag.
-- KEYS: K_rules (hash id -> rule JSON), K_left (hash id -> times left), K_version (counter)
-- ARGV: A_id, A_rule (rule JSON without seq), A_times ('always' or N), A_maxRules
-- Returns the rule's seq (its creation order), or 0 when the most rules are kept already.
if redis.call('HLEN', K_rules) >= tonumber(A_maxRules) then return 0 end
local seq = redis.call('INCR', K_version)
local rule = cjson.decode(A_rule)
rule.seq = seq
redis.call('HSET', K_rules, A_id, cjson.encode(rule))
if A_times ~= 'always' then redis.call('HSET', K_left, A_id, A_times) end
return seq
