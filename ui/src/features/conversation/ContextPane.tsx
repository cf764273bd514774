import type { HandoffDetail } from "../../bindings";
import { ConfidenceBar } from "../../components/ConfidenceBar";
import { PriorityBadge } from "../../components/PriorityBadge";
import { ProvenanceBadge } from "../../components/ProvenanceBadge";
import { RelativeTime } from "../../components/RelativeTime";
import { REASON_LABEL, SENTIMENT_LABEL } from "../../labels";
import { parseInstant } from "../../time";
import { ActionLedger } from "./ActionLedger";

/** What the bot understood and did: intent, sentiment, reason, fields, actions, provenance. */
export function ContextPane({ detail }: { detail: HandoffDetail | undefined }) {
  return (
    <aside className="pane pane--context" aria-label="Context">
      {detail ? <Context detail={detail} /> : <p className="muted context__empty">The open escalation's intent, fields and attempted actions show here.</p>}
    </aside>
  );
}

function Context({ detail }: { detail: HandoffDetail }) {
  const h = detail.handoff;
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

      <section className="ctx">
        <h3 className="ctx__label">
          Attempted actions <span className="muted">({h.attempted_actions.length})</span>
        </h3>
        <ActionLedger actions={h.attempted_actions} />
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
