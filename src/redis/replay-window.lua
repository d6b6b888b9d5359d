-- A replay window over a counter that should only move forward (a chip's ATC, a DUKPT device's
-- transaction counter), as an IPsec receiver's anti-replay window (RFC 4303 §3.4.3): the highest
-- counter seen and a mask of which of the REPLAY_WINDOW counters below it were seen (bit i:
-- highest - 1 - i). Messages reach a host out of order, so a counter below the highest is taken
-- once if it lies within the window; one seen already, or older than the window, is not.
local REPLAY_WINDOW = 32

-- The new highest and mask after `counter` was seen, or nil when it was seen before or is older
-- than the window (`highest` -1: nothing seen yet). LuaBitOp works on 32-bit numbers and takes
-- shift counts modulo 32: shifts of 32 are avoided.
local function replayWindow(counter, highest, seen)
  if highest < 0 then return counter, 0 end
  if counter > highest then
    local shift = counter - highest
    if shift > REPLAY_WINDOW then return counter, 0 end
    local moved = shift == REPLAY_WINDOW and 0 or bit.lshift(seen, shift)
    return counter, bit.bor(moved, bit.lshift(1, shift - 1))
  end
  local age = highest - counter
  if age == 0 or age > REPLAY_WINDOW then return nil end
  local mark = bit.lshift(1, age - 1)
  if bit.band(seen, mark) ~= 0 then return nil end
  return highest, bit.bor(seen, mark)
end
