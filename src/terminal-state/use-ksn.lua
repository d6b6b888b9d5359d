-- Records that a DUKPT device used a transaction counter, unless it was used before. Like a chip's
-- ATC (card/scripts/chip.lua): the highest counter used and a mask of the 32 below it, each taken
-- once, so that requests answered out of order (PROTOCOL.md §1.6) still pass; a counter more than
-- 32 below the highest is refused, since whether it was used is no longer known. The same counter
-- again is a replay, except for the transaction that used it (a retransmission repeats its PIN
-- block and KSN): each counter in the window keeps its transaction. The hash expires A_keepMs
-- after its last use, so a device gone quiet leaves nothing behind.
-- KEYS: K_device (the device's hash: 'last', 'seen', 't:<counter>' -> its transaction)
-- ARGV: A_counter, A_txn (the transaction id), A_keepMs (ms the state is kept after a use)
-- Returns 'ok' (recorded), 'repeat' (the same transaction again), 'reused' or 'stale'.
local WINDOW = 32
local counter = tonumber(A_counter)
local last = tonumber(redis.call('HGET', K_device, 'last') or '-1')
local seen = tonumber(redis.call('HGET', K_device, 'seen') or '0')
local field = 't:' .. A_counter

-- The new highest counter and mask after `counter`, or nil when it was used or left the window.
-- LuaBitOp works on 32-bit numbers and takes shift counts modulo 32: shifts of 32 are avoided.
local function window()
  if last < 0 then return counter, 0 end
  if counter > last then
    local shift = counter - last
    if shift > WINDOW then return counter, 0 end
    local moved = shift == WINDOW and 0 or bit.lshift(seen, shift)
    return counter, bit.bor(moved, bit.lshift(1, shift - 1))
  end
  local age = last - counter
  if age == 0 or age > WINDOW then return nil end
  local mark = bit.lshift(1, age - 1)
  if bit.band(seen, mark) ~= 0 then return nil end
  return last, bit.bor(seen, mark)
end

local highest, mask = window()
if not highest then
  if last - counter > WINDOW then return 'stale' end
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
    if n and n < highest - WINDOW then redis.call('HDEL', K_device, name) end
  end
end
redis.call('PEXPIRE', K_device, A_keepMs)
return 'ok'
