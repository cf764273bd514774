import { useState } from "react";
import type { HandoffDetail } from "../../bindings";
import { ConfidenceBar } from "../../components/ConfidenceBar";
import { PriorityBadge } from "../../components/PriorityBadge";
import { ProvenanceBadge } from "../../components/ProvenanceBadge";
import { RelativeTime } from "../../components/RelativeTime";
import { REASON_LABEL, SENTIMENT_LABEL } from "../../labels";
import { useSession } from "../../session/context";
import { parseInstant } from "../../time";
import { useToolCalls } from "../gates/hooks";
import { ProposeForm, type ProposeSeed } from "../gates/ProposeForm";
import { ForwardControl, ToolCallList } from "../gates/ToolCallList";
import { ActionLedger } from "./ActionLedger";

type ProposeProps = {
  /** The propose form is open on this escalation (from the button, `p`, or a bot's action). */
  propose: ProposeSeed | null;
  onPropose: (seed: ProposeSeed | null) => void;
};

/** What the bot understood and did: intent, sentiment, reason, fields, actions, provenance. */
export function ContextPane({ detail, ...propose }: { detail: HandoffDetail | undefined } & ProposeProps) {
  return (
    <aside className="pane pane--context" aria-label="Context">
      {detail ? (
        <Context key={detail.handoff.handoff_id} detail={detail} {...propose} />
      ) : (
        <p className="muted context__empty">The open escalation's intent, fields and attempted actions show here.</p>
      )}
    </aside>
  );
}

function Context({ detail, propose, onPropose }: { detail: HandoffDetail } & ProposeProps) {
  const h = detail.handoff;
  const { can } = useSession();
  const [justProposed, setJustProposed] = useState<string | null>(null);
  const seed = propose?.handoffId === h.handoff_id ? propose : null;
  const calls = useToolCalls(h.handoff_id).data ?? [];
  const waiting = calls.filter((c) => c.state === "pending" || c.state === "proposed").length;
  const failed = calls.filter((c) => c.state === "failed").length;
  const fields = Object.entries(h.collected_fields);
  const score = h.sentiment.score;
  return (
    <div className="context">
      <section className="ctx">
        <h3 className="ctx__label">Intent</h3>
        <p className="ctx__intent mono" data-testid="intent-name">
          {h.intent.name}
        </p>
        <ConfidenceBar
          value={h.intent.confidence}
          band={detail.band}
          label="Intent confidence"
          numberTestId="intent-confidence"
          bandTestId="confidence-band"
        />
        {h.intent.alternatives.length > 0 && (
          <ul className="alts" aria-label="Alternative intents">
            {h.intent.alternatives.map((a, i) => (
              <li key={a.name} className="alt" data-testid="intent-alternative">
                <span className="alt__name mono" title={a.name}>
                  {a.name}
                </span>
                <ConfidenceBar
                  value={a.confidence}
                  band={detail.alternative_bands[i] ?? "low"}
                  size="small"
                  label={`Confidence of ${a.name}`}
                />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="ctx ctx--grid">
        <dl className="kv">
          <dt>Sentiment</dt>
          <dd>
            <span className={`sentiment--${h.sentiment.label}`}>{SENTIMENT_LABEL[h.sentiment.label]}</span>{" "}
            <span className="muted mono" title="−1 most negative … +1 most positive">
              {score > 0 ? "+" : score < 0 ? "−" : ""}
              {Math.abs(score).toFixed(2)}
            </span>
          </dd>
          <dt>Reason</dt>
          <dd data-testid="escalation-reason">{REASON_LABEL[h.reason]}</dd>
          <dt>Priority</dt>
          <dd>
            <PriorityBadge priority={h.priority} />
          </dd>
        </dl>
      </section>

      <section className="ctx">
        <h3 className="ctx__label">Collected fields</h3>
        {fields.length === 0 ? (
          <p className="muted small">None collected.</p>
        ) : (
          <dl className="kv kv--fields">
            {fields.map(([k, v]) => (
              <div key={k} className="kv__row kv__row--field" data-testid="collected-field" data-key={k}>
                <dt className="mono">{k}</dt>
                <dd className="mono">{v}</dd>
                <dd className="kv__prov">
                  <ProvenanceBadge provenance={detail.field_provenance[k]} />
                </dd>
              </div>
            ))}
          </dl>
        )}
      </section>

      <section className="ctx ctx--actions" aria-label="Actions">
        <div className="ctx__head">
          <h3 className="ctx__label">Actions</h3>
          {(waiting > 0 || failed > 0) && (
            <button
              type="button"
              className="link-button ctx__counts"
              data-testid="actions-summary"
              title="Show the desk's tool calls"
              onClick={() => document.querySelector('[aria-label="Tool calls from the desk"]')?.scrollIntoView({ block: "start", behavior: "smooth" })}
            >
              {waiting > 0 && <span className="ctx__count--wait">{waiting} waiting</span>}
              {waiting > 0 && failed > 0 && " · "}
              {failed > 0 && <span className="ctx__count--bad">{failed} failed</span>}
            </button>
          )}
          <span className="ctx__head-spacer" />
          {can("propose_tool_calls") && seed === null && (
            <button
              type="button"
              className="button button--small"
              data-testid="propose-action"
              title="Propose a tool call on this customer's account (p)"
              onClick={() => onPropose({ handoffId: h.handoff_id, origin: "agent" })}
            >
              Propose action… <kbd>p</kbd>
            </button>
          )}
        </div>
        {seed !== null && (
          <ProposeForm
            key={`${seed.tool ?? ""}:${seed.origin}`}
            detail={detail}
            seed={seed}
            onClose={() => onPropose(null)}
            onProposed={(v) => {
              setJustProposed(v.id);
              onPropose(null);
            }}
          />
        )}
        <h4 className="ctx__sublabel">
          Attempted by the bot <span className="muted">({h.attempted_actions.length})</span>
        </h4>
        <ActionLedger
          actions={h.attempted_actions}
          extra={(a) => <ForwardControl action={a} handoffId={h.handoff_id} onEdit={onPropose} />}
        />
        <h4 className="ctx__sublabel">Tool calls from the desk</h4>
        <ToolCallList handoffId={h.handoff_id} highlightId={justProposed} />
      </section>

      <section className="ctx ctx--provenance">
        <dl className="kv kv--small">
          <dt>Bot</dt>
          <dd>
            {h.bot.name} <span className="mono">{h.bot.version}</span>
          </dd>
          <dt>Revision</dt>
          <dd>
            {detail.revision}
            {detail.revision > 1 && <span className="muted"> (updated by the bot)</span>}
          </dd>
          <dt>Received</dt>
          <dd>
            <RelativeTime atMs={parseInstant(detail.received_at)} />
          </dd>
          {detail.updated_at !== detail.received_at && (
            <>
              <dt>Updated</dt>
              <dd>
                <RelativeTime atMs={parseInstant(detail.updated_at)} />
              </dd>
            </>
          )}
          <dt>Source</dt>
          <dd className="mono ellipsis" title={detail.source}>
            {detail.source}
          </dd>
          <dt>Status</dt>
          <dd>{detail.status}</dd>
          <dt>Ids</dt>
          <dd className="mono ids">
            <span title="Handoff id">{h.handoff_id}</span>
            <span title="Conversation id">{h.conversation_id}</span>
          </dd>
        </dl>
      </section>
    </div>
  );
}
