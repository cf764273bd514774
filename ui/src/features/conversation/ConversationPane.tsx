import type { HandoffDetail } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { PriorityBadge } from "../../components/PriorityBadge";
import { WaitingTime } from "../../components/WaitingTime";
import { toIpcError } from "../../ipc";
import { CHANNEL_LABEL, customerLabel } from "../../labels";
import { formatExact, parseInstant } from "../../time";
import { useSession } from "../../session/context";
import { ClaimControl, type ClaimState } from "../claims/ClaimControl";
import { DraftPane } from "../drafts/DraftPane";
import { useOutbox } from "../drafts/hooks";
import { Transcript } from "./Transcript";

type Props = {
  openId: string | null;
  detail: HandoffDetail | undefined;
  isPending: boolean;
  error: unknown;
  onRetry: () => void;
  claim: ClaimState;
};

export function ConversationPane({ openId, detail, isPending, error, onRetry, claim }: Props) {
  let body;
  if (openId === null) {
    body = (
      <EmptyState title="No conversation open" testId="empty-conversation">
        <p>
          Pick an escalation from the queue: <kbd>j</kbd>/<kbd>k</kbd> to move, <kbd>Enter</kbd> to open.
        </p>
      </EmptyState>
    );
  } else if (error) {
    body = <ErrorState title="Could not open this escalation" error={error} onRetry={onRetry} />;
  } else if (isPending || !detail) {
    body = <ConversationSkeleton />;
  } else {
    body = <Conversation detail={detail} claim={claim} />;
  }
  return (
    <section className="pane pane--conversation" aria-label="Conversation">
      {body}
    </section>
  );
}

function Conversation({ detail, claim }: { detail: HandoffDetail; claim: ClaimState }) {
  const h = detail.handoff;
  const c = h.customer;
  const name = customerLabel(c.name, c.id);
  const { can } = useSession();
  const outbox = useOutbox(h.handoff_id);
  return (
    <div className="conversation">
      <header className="conv__header">
        <div className="conv__title">
          <h2 className="conv__customer" data-testid="conversation-customer">
            {name}
          </h2>
          {c.verified ? (
            <span className="badge badge--verified" title="Identity verified by the bot platform">
              ✓ verified
            </span>
          ) : (
            <span className="badge badge--unverified" title="Identity not verified">
              unverified
            </span>
          )}
          {c.tier && <span className="badge badge--tier">{c.tier}</span>}
          <ClaimControl detail={detail} claim={claim} />
        </div>
        <div className="conv__meta">
          <PriorityBadge priority={h.priority} />
          <span>{CHANNEL_LABEL[h.channel]}</span>
          {c.name && <span className="mono muted">{c.id}</span>}
          {c.email && <span className="muted">{c.email}</span>}
          <span className="muted">lang {c.language}</span>
          <span title={`Escalated ${formatExact(parseInstant(h.escalated_at))}`}>
            waiting <WaitingTime escalatedMs={detail.escalated_ms} slaSecs={detail.sla_secs} />
          </span>
        </div>
      </header>
      <div className="conv__scroll">
        <section className="summary" aria-label="Bot summary">
          <h3 className="summary__label">Bot summary</h3>
          <p className="summary__text" data-testid="conversation-summary">
            {h.summary}
          </p>
        </section>
        <Transcript turns={h.transcript} customerName={name} sent={outbox.data} />
        {outbox.isError && (
          <p className="transcript__note" data-testid="outbox-error">
            Could not load the replies sent from the desk: {toIpcError(outbox.error).message}{" "}
            <button type="button" className="link-button" onClick={() => void outbox.refetch()}>
              Try again
            </button>
          </p>
        )}
      </div>
      {can("reply_to_customers") && <DraftPane detail={detail} />}
    </div>
  );
}

function ConversationSkeleton() {
  return (
    <div className="conversation" aria-busy="true" aria-label="Loading the conversation">
      <div className="conv__header">
        <span className="skeleton skeleton--title" />
        <span className="skeleton skeleton--mid" />
      </div>
      <div className="conv__scroll">
        <span className="skeleton skeleton--block" />
        <span className="skeleton" />
        <span className="skeleton skeleton--mid" />
      </div>
    </div>
  );
}
