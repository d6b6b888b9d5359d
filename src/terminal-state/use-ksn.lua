-- Records that a terminal's DUKPT device used a transaction counter, unless it was used before:
-- the counter must be above the last one the device used. The same counter again is a replay,
-- except for the transaction that used it (a retransmission repeats its PIN block and KSN).
-- KEYS: K_ksn (the terminal's hash: device -> last counter, device..':txn' -> its transaction)
-- ARGV: A_device (the KSN without its counter, hex), A_counter, A_txn (the transaction id)
-- Returns 'ok' (recorded), 'repeat' (the same transaction again), 'reused' or 'backwards'.
local last = redis.call('HGET', K_ksn, A_device)
local counter = tonumber(A_counter)
if last then
  local previous = tonumber(last)
  if counter < previous then return 'backwards' end
  if counter == previous then
    if redis.call('HGET', K_ksn, A_device .. ':txn') == A_txn then return 'repeat' end
    return 'reused'
  end
end
redis.call('HSET', K_ksn, A_device, A_counter, A_device .. ':txn', A_txn)
return 'ok'
