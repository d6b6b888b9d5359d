-- Records that a DUKPT device used a transaction counter, unless it was used before. Like a chip's
-- ATC (card/scripts/chip.lua), through the replay window (redis/replay-window.lua, included before
-- this file): the highest counter used and a mask of the 32 below it, each taken once, so that requests answered out of order (PROTOCOL.md §1.6) still pass; a counter more than
-- 32 below the highest is refused, since whether it was used is no longer known. The same counter
-- again is a replay, except for the transaction that used it (a retransmission repeats its PIN
-- block and KSN): each counter in the window keeps its transaction. The hash expires A_keepMs
-- after its last use, so a device gone quiet leaves nothing behind.
-- KEYS: K_device (the device's hash: 'last', 'seen', 't:<counter>' -> its transaction)
-- ARGV: A_counter, A_txn (the transaction id), A_keepMs (ms the state is kept after a use)
-- Returns 'ok' (recorded), 'repeat' (the same transaction again), 'reused' or 'stale'.
local counter = tonumber(A_counter)
local last = tonumber(redis.call('HGET', K_device, 'last') or '-1')
local seen = tonumber(redis.call('HGET', K_device, 'seen') or '0')
local field = 't:' .. A_counter

local highest, mask = replayWindow(counter, last, seen)
if not highest then
  if last - counter > REPLAY_WINDOW then return 'stale' end
  if redis.call('HGET', K_device, field) == A_txn then
    redis.call('PEXPIRE', K_device, A_keepMs)
    return 'repeat'
  end
  return 'reused'
end
redis.call('HSET', K_device, 'last', highest, 'seen', mask, field, A_txn)
-- The transactions of counters that left the window go: the hash holds at most 33 of them.
if highest ~= last then
  for _, name in ipairs(redis.call('HKEYS', K_device)) do
    local n = tonumber(string.match(name, '^t:(%d+)$'))
    if n and n < highest - REPLAY_WINDOW then redis.call('HDEL', K_device, name) end
  end
end
redis.call('PEXPIRE', K_device, A_keepMs)
return 'ok'
