-- Queues an issuer script for the card's next chip answer. Includes owned.lua (KEYS card and
-- outbox, ARGV issuer, now, noticeId there) and script-queue.lua.
-- KEYS: K_scripts   ARGV: A_template ('71' | '72')  A_commands (JSON)  A_size (bytes)
--   A_maxOpen (the most scripts a card may have queued or waiting for their result)
-- Returns { 'ok', id } | { 'notFound' | 'forbidden' | 'conflict', detail }.
if openScripts() >= tonumber(A_maxOpen) then
  return {'conflict', 'the card has ' .. A_maxOpen .. ' scripts queued or waiting for their result already'}
end
return {'ok', queueScript(A_template, A_commands, A_size, A_now, 'issuer')}
