-- Included by authorize.lua and offline-advice.lua (after status-at.lua): the posting of a
-- request, from the posting's own fields the script takes (A_postingId ... A_cvr,
-- src/card/posting-args.ts POSTING_ARGS) and the card's. The fields of a Posting
-- (src/journal/posting.ts; test/card/posting-fields.test.ts compares them).
-- newPosting(amount, issuer, maskedPan, panEnc, approvalCode, card): the posting as a table; its
-- authorizedAt is its receivedAt (the request that authorised it, or an offline advice, the
-- switch's first sight of the sale), its cardStatus the card's status at the purchase time,
-- from the block history (a purchase time inside a block since lifted shows that block, 001 §36).
-- `card`, when given, is the record's { deletedAt, blocks, block } as the caller's HMGET read
-- them (status-at.lua statusOf); without it the record is read (statusAt).
local function newPosting(amount, issuer, maskedPan, panEnc, approvalCode, card)
  local p = { id = A_postingId, txn = A_txn, type = A_postingType, direction = A_direction, amount = amount,
    currency = A_currency, terminal = A_postingTerminal, merchant = A_merchant, stan = A_stan, localTime = A_localTime,
    receivedAt = tonumber(A_receivedAt) }
  p.originalAmount, p.originalCurrency = tonumber(A_originalAmount), A_originalCurrency
  p.originalExponent, p.rate = tonumber(A_originalExponent), tonumber(A_rate)
  p.purchasedAt, p.authorizedAt = tonumber(A_purchasedAt), p.receivedAt
  p.merchantName, p.merchantCity, p.mcc = A_merchantName, A_merchantCity, A_mcc
  p.entryMode, p.verification, p.terminalKind = A_entryMode, A_verification, A_terminalKind
  p.channel, p.authentication, p.initiatedBy = A_channel, A_authentication, A_initiatedBy
  p.series, p.authorization = A_series, A_authorization
  -- A chip transaction's offline results (hex); the posting of any other has none of them.
  if A_tvr ~= '' then p.tvr = A_tvr end
  if A_cvmResults ~= '' then p.cvmResults = A_cvmResults end
  if A_cvr ~= '' then p.cvr = A_cvr end
  p.issuer, p.maskedPan, p.panEnc, p.approvalCode = issuer, maskedPan, panEnc, approvalCode
  if card then
    p.cardStatus = statusOf(p.purchasedAt, card[1], card[2], card[3])
  else
    p.cardStatus = statusAt(p.purchasedAt)
  end
  p.card = string.match(K_card, '{(.-)}')
  return p
end
