-- Shared by complete and reverse: an amount in minor units of the original currency in DKK øre,
-- by the rule of src/currency/conversion.ts (toDkk): amount × rate / 10^(exponent + 4), rounded
-- half up (rate: millionths of a DKK per unit). Exact in Lua's doubles: amount < 10^12 and
-- rate < 10^10 are split into base-10^6 limbs, so no intermediate exceeds 2^53.
local function divmod(x, y)
  local q = math.floor(x / y)
  local r = x - q * y
  if r < 0 then q, r = q - 1, r + y elseif r >= y then q, r = q + 1, r - y end
  return q, r
end

local function toDkk(amount, rate, exponent)
  local d = 10 ^ (exponent + 4)
  local a1, a0 = divmod(amount, 1e6)
  local r1, r0 = divmod(rate, 1e6)
  local c0, low0 = divmod(a0 * r0 + d / 2, 1e6)
  local c1, low1 = divmod(a1 * r0 + a0 * r1 + c0, 1e6)
  -- amount × rate + d/2 = (a1·r1 + c1)·10^12 + low1·10^6 + low0, and d divides 10^12 (exponent ≤ 3).
  local q = divmod(low1 * 1e6 + low0, d)
  return (a1 * r1 + c1) * (1e12 / d) + q
end
