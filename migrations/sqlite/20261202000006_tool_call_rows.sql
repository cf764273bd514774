-- A tool call joined with its escalation and the people named on it: what both stores read
-- (the same view exists on PostgreSQL), so one record type and one query text per read.
CREATE VIEW tool_call_rows AS
SELECT c.id, h.handoff_id, c.tool, c.params, c.params_sha256, c.requested_by,
       ru.display_name AS requested_by_name, ru.username AS requested_by_username, c.origin, c.flags,
       c.decision, c.rule_id, c.rule_reason, c.rule_matched, c.policy_version, c.policy_sha256, c.state,
       c.approved_by, au.display_name AS approved_by_name, c.approved_sha256, c.approved_at_ms,
       c.expires_at_ms, du.display_name AS decided_by_name, c.decision_reason, c.attempts, c.http_status,
       c.outcome, c.retryable, c.escalated_at_ms, c.created_at_ms, c.updated_at_ms,
       h.escalated_ms AS handoff_escalated_ms
FROM tool_calls c
JOIN handoffs h ON h.seq = c.handoff_seq
JOIN users ru ON ru.id = c.requested_by
LEFT JOIN users au ON au.id = c.approved_by
LEFT JOIN users du ON du.id = c.decided_by;
