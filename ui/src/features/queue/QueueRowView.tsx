import { memo } from "react";
import type { QueueRow } from "../../bindings";
import { PriorityBadge } from "../../components/PriorityBadge";
import { WaitingTime } from "../../components/WaitingTime";
import { useNow } from "../../clock";
import { BAND_SHORT, CHANNEL_LABEL, REASON_LABEL, SENTIMENT_LABEL, customerLabel, initials } from "../../labels";
import { slaLevel } from "../../time";

export const ROW_HEIGHT = 70;

type Props = {
  row: QueueRow;
  index: number;
  top: number;
  selected: boolean;
  open: boolean;
  isNew: boolean;
  /** Claimed by the signed-in user. */
  mine: boolean;
  onClick: (id: string) => void;
};

export const QueueRowView = memo(function QueueRowView({ row, index, top, selected, open, isNew, mine, onClick }: Props) {
  const customer = customerLabel(row.customer_name, row.customer_id);
  const now = useNow();
  // Nobody has picked up an urgent or high escalation that is already past its SLA: the row
  // stands out more than a late one someone is working on.
  const unattended =
    row.claimed_by === null &&
    (row.priority === "urgent" || row.priority === "high") &&
    slaLevel(now - row.escalated_ms, row.sla_secs) === "breach";
  return (
    <div
      id={`queue-row-${row.handoff_id}`}
      role="option"
      data-testid="queue-row"
      data-handoff-id={row.handoff_id}
      data-index={index}
      aria-selected={selected}
      aria-current={open ? "true" : undefined}
      className={`qrow${selected ? " qrow--selected" : ""}${open ? " qrow--open" : ""}${isNew ? " qrow--new" : ""}${unattended ? " qrow--unattended" : ""}`}
      data-claimed={row.claimed_by !== null ? (mine ? "mine" : "other") : "no"}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      onClick={() => onClick(row.handoff_id)}
    >
      <span className="qrow__new" aria-hidden={!isNew}>
        {isNew && <span className="visually-hidden">new</span>}
      </span>
      <div className="qrow__line qrow__line--head">
        <PriorityBadge priority={row.priority} />
        <span className="qrow__intent" title={row.intent}>
          {row.intent}
        </span>
        {row.failed_action_count > 0 && (
          <span className="qrow__failed" title={`${row.failed_action_count} action(s) failed or denied`}>
            ✗ {row.failed_action_count}
            <span className="visually-hidden"> failed actions</span>
          </span>
        )}
        <WaitingTime escalatedMs={row.escalated_ms} slaSecs={row.sla_secs} />
        {row.claimed_by !== null && (
          <span
            className={`avatar avatar--row${mine ? " avatar--me" : ""}`}
            data-testid="row-claimed-by"
            title={`Claimed by ${row.claimed_by}${mine ? " (you)" : ""}`}
          >
            <span aria-hidden="true">{initials(row.claimed_by)}</span>
            <span className="visually-hidden">claimed by {row.claimed_by}</span>
          </span>
        )}
      </div>
      <div className="qrow__line qrow__summary" title={row.summary}>
        {unattended && (
          <span className="qrow__unclaimed" title="Past its SLA and nobody has claimed it">
            unclaimed
          </span>
        )}
        {row.summary}
      </div>
      <div className="qrow__line qrow__meta">
        <span className="qrow__facts">
        <span className="qrow__customer" title={row.customer_name ? row.customer_id : undefined}>
          {customer}
        </span>
        <span className="qrow__sep" aria-hidden="true">·</span>
        <span>{CHANNEL_LABEL[row.channel]}</span>
        <span className="qrow__sep" aria-hidden="true">·</span>
        <span className="qrow__reason">{REASON_LABEL[row.reason]}</span>
        <span className="qrow__sep" aria-hidden="true">·</span>
        <span className={`qrow__sentiment sentiment--${row.sentiment}`}>{SENTIMENT_LABEL[row.sentiment]}</span>
        </span>
        <span className={`qrow__conf band-text--${row.band}`} title={`Confidence ${row.confidence.toFixed(2)}`}>
          {row.confidence.toFixed(2)} <span className="qrow__band">{BAND_SHORT[row.band]}</span>
        </span>
      </div>
    </div>
  );
});
