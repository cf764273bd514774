-- A rejected draft's reason and the agent's note in their own columns (the reason was stored as
-- "reason: note"), and the demo channel's record leaves the database: the demo channel lives in
-- desk-demo and keeps what it received itself.
ALTER TABLE drafts ADD COLUMN reject_note TEXT;
UPDATE drafts
   SET reject_note   = substr(reject_reason, instr(reject_reason, ': ') + 2),
       reject_reason = substr(reject_reason, 1, instr(reject_reason, ': ') - 1)
 WHERE instr(reject_reason, ': ') > 0;
DROP TABLE demo_channel_received;
