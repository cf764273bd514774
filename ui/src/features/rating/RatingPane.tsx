import { useId, useMemo, useRef, useState, type ReactNode } from "react";
import type { EscalationTiming, HandoffDetail, Rating, RatingInput, SummaryVerdict } from "../../bindings";
import { Choice, type ChoiceOption } from "../../components/Choice";
import { ErrorState } from "../../components/ErrorState";
import { RelativeTime } from "../../components/RelativeTime";
import { toIpcError } from "../../ipc";
import { BAND_WORD, SUMMARY_VERDICT_LABEL, TIMING_LABEL } from "../../labels";
import { useSession } from "../../session/context";
import { parseInstant } from "../../time";
import { useRate, useRatings } from "./hooks";

type Props = {
  openId: string | null;
  detail: HandoffDetail | undefined;
  /** Intents seen in the queue, offered for "the right intent". */
  intents: string[];
  onNextUnrated: () => void;
  findingNext: boolean;
};

/** The team lead's rubric for the open handoff, beside the conversation. */
export function RatingPane({ openId, detail, intents, onNextUnrated, findingNext }: Props) {
  const { can } = useSession();
  const canSeeRatings = can("view_analytics");
  const ratings = useRatings(openId, canSeeRatings);

  let body;
  if (openId === null) {
    body = (
      <div className="rating__empty">
        <p className="state__title">Nothing open to rate</p>
        <p className="muted small">Open an escalation from the queue, or go to the next one you have not rated.</p>
        <NextButton onClick={onNextUnrated} busy={findingNext} />
      </div>
    );
  } else if (!detail || (canSeeRatings && ratings.isPending)) {
    body = (
      <div className="rating__empty" aria-busy="true">
        <span className="skeleton skeleton--title" />
        <span className="skeleton" />
        <span className="skeleton skeleton--mid" />
      </div>
    );
  } else if (ratings.isError) {
    body = <ErrorState title="Could not load the ratings of this handoff" error={ratings.error} onRetry={() => void ratings.refetch()} />;
  } else {
    body = (
      <RatingForm
        key={openId}
        detail={detail}
        ratings={ratings.data ?? []}
        intents={intents}
        onNextUnrated={onNextUnrated}
        findingNext={findingNext}
      />
    );
  }
  return (
    <aside className="pane pane--rating" aria-label="Rating">
      {body}
    </aside>
  );
}

function NextButton({ onClick, busy }: { onClick: () => void; busy: boolean }) {
  return (
    <button type="button" className="button button--small" data-testid="next-unrated" onClick={onClick} disabled={busy} title="Open the next handoff you have not rated (u)">
      {busy ? "Finding…" : "Next unrated"} <kbd>u</kbd>
    </button>
  );
}

/** The form's state: null = not answered yet. */
type Draft = {
  summary: SummaryVerdict | null;
  intentCorrect: boolean | null;
  correctIntent: string;
  contextComplete: boolean | null;
  missing: string[];
  missingOther: string;
  actions: boolean | null;
  timing: EscalationTiming | null;
  overall: number | null;
  comment: string;
};

const EMPTY: Draft = {
  summary: null,
  intentCorrect: null,
  correctIntent: "",
  contextComplete: null,
  missing: [],
  missingOther: "",
  actions: null,
  timing: null,
  overall: null,
  comment: "",
};

function draftFrom(input: RatingInput | undefined, fieldNames: string[]): Draft {
  if (!input) return EMPTY;
  const known = input.missing_fields.filter((f) => fieldNames.includes(f));
  const other = input.missing_fields.filter((f) => !fieldNames.includes(f));
  return {
    summary: input.summary_accurate,
    intentCorrect: input.intent_correct,
    correctIntent: input.correct_intent ?? "",
    contextComplete: input.context_complete,
    missing: known,
    missingOther: other.join(", "),
    actions: input.actions_reported,
    timing: input.timing,
    overall: input.overall,
    comment: input.comment,
  };
}

function missingFields(d: Draft): string[] {
  const typed = d.missingOther
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return [...new Set([...d.missing, ...typed])];
}

type Question = "summary" | "intent" | "correctIntent" | "context" | "actions" | "timing" | "overall";

const QUESTION_NAME: Record<Question, string> = {
  summary: "summary",
  intent: "intent",
  correctIntent: "the right intent",
  context: "context",
  actions: "actions",
  timing: "timing",
  overall: "overall",
};

function unanswered(d: Draft): Question[] {
  const out: Question[] = [];
  if (d.summary === null) out.push("summary");
  if (d.intentCorrect === null) out.push("intent");
  if (d.intentCorrect === false && d.correctIntent.trim() === "") out.push("correctIntent");
  if (d.contextComplete === null) out.push("context");
  if (d.actions === null) out.push("actions");
  if (d.timing === null) out.push("timing");
  if (d.overall === null) out.push("overall");
  return out;
}

type Answers = { [K in keyof RatingInput]: RatingInput[K] | null };

/** The answers as they would be sent, follow-up fields emptied when they do not apply. */
function answers(d: Draft): Answers {
  return {
    summary_accurate: d.summary,
    intent_correct: d.intentCorrect,
    correct_intent: d.intentCorrect === false ? d.correctIntent.trim() : null,
    context_complete: d.contextComplete,
    missing_fields: d.contextComplete === false ? missingFields(d) : [],
    actions_reported: d.actions,
    timing: d.timing,
    overall: d.overall,
    comment: d.comment.trim(),
  };
}

/** What is sent: exactly the answers; null while a question is unanswered. */
function toInput(d: Draft): RatingInput | null {
  return unanswered(d).length > 0 ? null : (answers(d) as RatingInput);
}

function sameAnswers(a: Answers, b: Answers | RatingInput): boolean {
  return (Object.keys(a) as (keyof RatingInput)[]).every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));
}

const SUMMARY_OPTS: ChoiceOption<SummaryVerdict>[] = (["yes", "partly", "no"] as const).map((v) => ({
  value: v,
  label: SUMMARY_VERDICT_LABEL[v],
  testId: `rating-summary-${v}`,
}));
const yesNo = (prefix: string): ChoiceOption<boolean>[] => [
  { value: true, label: "Yes", testId: `rating-${prefix}-yes` },
  { value: false, label: "No", testId: `rating-${prefix}-no` },
];
const INTENT_OPTS = yesNo("intent");
const CONTEXT_OPTS = yesNo("context");
const ACTIONS_OPTS = yesNo("actions");
const TIMING_OPTS: ChoiceOption<EscalationTiming>[] = (["too_early", "right", "too_late"] as const).map((v) => ({
  value: v,
  label: TIMING_LABEL[v],
  testId: `rating-timing-${v}`,
}));
const OVERALL_OPTS: ChoiceOption<number>[] = [1, 2, 3, 4, 5].map((n) => ({
  value: n,
  label: String(n),
  testId: `rating-overall-${n}`,
  title: n === 1 ? "1 — poor" : n === 5 ? "5 — excellent" : undefined,
}));

function RatingForm({
  detail,
  ratings,
  intents,
  onNextUnrated,
  findingNext,
}: {
  detail: HandoffDetail;
  ratings: Rating[];
  intents: string[];
  onNextUnrated: () => void;
  findingNext: boolean;
}) {
  const id = useId();
  const { actor } = useSession();
  const h = detail.handoff;
  const fieldNames = useMemo(() => Object.keys(h.collected_fields), [h.collected_fields]);
  const mine = ratings.find((r) => r.rater_id === actor.user_id);
  const others = ratings.filter((r) => r.rater_id !== actor.user_id);
  const [draft, setDraft] = useState<Draft>(() => draftFrom(mine?.input, fieldNames));
  const [tried, setTried] = useState(false);
  const save = useRate(h.handoff_id);
  const formRef = useRef<HTMLFormElement>(null);

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const todo = unanswered(draft);
  const dirty = !sameAnswers(answers(draft), mine ? mine.input : answers(EMPTY));
  const justSaved = save.isSuccess && !dirty ? save.data : null;
  const saveError = save.isError ? toIpcError(save.error) : null;
  const otherIntents = intents.filter((i) => i !== h.intent.name);
  const missingTodo = (q: Question) => tried && todo.includes(q);

  const submit = () => {
    setTried(true);
    const input = toInput(draft);
    if (!input) {
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"] [tabindex="0"], input[aria-invalid="true"]')?.focus();
      return;
    }
    save.mutate(input);
  };

  return (
    <form
      ref={formRef}
      className="rating"
      data-testid="rating-form"
      aria-labelledby={`${id}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <header className="rating__header">
        <h2 id={`${id}-title`} className="rating__title" data-testid="rating-bot">
          Rating{" "}
          <span className="mono">
            {h.bot.name} {h.bot.version}
          </span>
        </h2>
      </header>
      <p className="rating__bot small muted">
        Bot said <span className="mono rating__intent">{h.intent.name}</span> at{" "}
        <span className="mono">{h.intent.confidence.toFixed(2)}</span> {BAND_WORD[detail.band]}
      </p>
      {mine && (
        <p className="rating__revision small" data-testid="rating-revision">
          Your rating · revision {mine.revision} · {mine.revision > 1 ? "edited" : "rated"}{" "}
          <RelativeTime atMs={parseInstant(mine.updated_at)} />
          {dirty && <span className="rating__unsaved"> · unsaved changes</span>}
        </p>
      )}

      <Q label="Summary accurate?" id={`${id}-summary`}>
        <Choice labelId={`${id}-summary`} label="Summary accurate?" value={draft.summary} options={SUMMARY_OPTS} onChange={(v) => set("summary", v)} invalid={missingTodo("summary")} />
      </Q>

      <Q label="Intent correct?" id={`${id}-intent`}>
        <Choice labelId={`${id}-intent`} label="Intent correct?" value={draft.intentCorrect} options={INTENT_OPTS} onChange={(v) => set("intentCorrect", v)} invalid={missingTodo("intent")} />
      </Q>
      {draft.intentCorrect === false && (
        <div className="rating__follow">
          <label className="field__label" htmlFor={`${id}-correct`}>
            The right intent
          </label>
          <input
            id={`${id}-correct`}
            className="input input--small mono"
            list={`${id}-intents`}
            data-testid="rating-correct-intent"
            placeholder="Pick or type an intent"
            spellCheck={false}
            autoComplete="off"
            value={draft.correctIntent}
            aria-invalid={missingTodo("correctIntent") || undefined}
            onChange={(e) => set("correctIntent", e.target.value)}
          />
          <datalist id={`${id}-intents`}>
            {otherIntents.map((i) => (
              <option key={i} value={i} />
            ))}
          </datalist>
        </div>
      )}

      <Q label="Context complete?" id={`${id}-context`}>
        <Choice labelId={`${id}-context`} label="Context complete?" value={draft.contextComplete} options={CONTEXT_OPTS} onChange={(v) => set("contextComplete", v)} invalid={missingTodo("context")} />
      </Q>
      {draft.contextComplete === false && (
        <fieldset className="rating__follow rating__missing">
          <legend className="field__label">Missing or wrong fields</legend>
          {fieldNames.map((f) => (
            <label key={f} className="check">
              <input
                type="checkbox"
                data-testid="rating-missing-field"
                value={f}
                checked={draft.missing.includes(f)}
                onChange={() => set("missing", draft.missing.includes(f) ? draft.missing.filter((x) => x !== f) : [...draft.missing, f])}
              />
              <span className="check__label mono">{f}</span>
            </label>
          ))}
          <input
            className="input input--small mono"
            data-testid="rating-missing-other"
            aria-label="Other missing fields, separated by commas"
            placeholder="Other fields, comma-separated"
            spellCheck={false}
            value={draft.missingOther}
            onChange={(e) => set("missingOther", e.target.value)}
          />
        </fieldset>
      )}

      <Q label="Attempted actions reported correctly?" id={`${id}-actions`}>
        <Choice labelId={`${id}-actions`} label="Attempted actions reported correctly?" value={draft.actions} options={ACTIONS_OPTS} onChange={(v) => set("actions", v)} invalid={missingTodo("actions")} />
      </Q>

      <Q label="Escalation timing" id={`${id}-timing`}>
        <Choice labelId={`${id}-timing`} label="Escalation timing" value={draft.timing} options={TIMING_OPTS} onChange={(v) => set("timing", v)} invalid={missingTodo("timing")} />
      </Q>

      <Q label="Overall" hint="1 poor, 5 excellent" id={`${id}-overall`}>
        <Choice labelId={`${id}-overall`} label="Overall" value={draft.overall} options={OVERALL_OPTS} onChange={(v) => set("overall", v)} invalid={missingTodo("overall")} className="segmented--scale" />
      </Q>

      <div className="rating__q rating__q--comment">
        <label className="rating__label" htmlFor={`${id}-comment`}>
          Comment <span className="muted">(optional)</span>
        </label>
        <textarea
          id={`${id}-comment`}
          className="input textarea"
          data-testid="rating-comment"
          rows={2}
          placeholder="What the bot should have done (Ctrl+Enter saves)"
          value={draft.comment}
          onChange={(e) => set("comment", e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              submit();
            } else if (e.key === "Escape") {
              e.currentTarget.blur();
            }
          }}
        />
      </div>

      {tried && todo.length > 0 && (
        <p className="form-error small" role="alert" data-testid="rating-incomplete">
          Still to answer: {todo.map((q) => QUESTION_NAME[q]).join(", ")}.
        </p>
      )}
      {saveError && (
        <p className="form-error small" role="alert" data-testid="rating-error">
          Not saved: {saveError.message}
        </p>
      )}
      <div className="rating__actions">
        <button type="submit" className="button button--primary" data-testid="rating-save" disabled={save.isPending}>
          {save.isPending ? "Saving…" : mine ? "Save changes" : "Save rating"}
        </button>
        {justSaved && (
          <span className="rating__saved" role="status" data-testid="rating-saved">
            ✓ Saved · revision {justSaved.revision}
          </span>
        )}
        <span className="rating__next">
          <NextButton onClick={onNextUnrated} busy={findingNext} />
        </span>
      </div>

      {others.length > 0 && (
        <section className="rating__others" aria-label="Other ratings">
          <h3 className="ctx__label">Other ratings ({others.length})</h3>
          <ul>
            {others.map((r) => (
              <OtherRating key={r.id} rating={r} />
            ))}
          </ul>
        </section>
      )}
    </form>
  );
}

function Q({ label, hint, id, children }: { label: string; hint?: string; id: string; children: ReactNode }) {
  return (
    <div className="rating__q">
      <span className="rating__label" id={id}>
        {label}
        {hint && <span className="rating__hint muted">{hint}</span>}
      </span>
      {children}
    </div>
  );
}

function OtherRating({ rating: r }: { rating: Rating }) {
  const i = r.input;
  const facts = [
    `summary ${SUMMARY_VERDICT_LABEL[i.summary_accurate].toLowerCase()}`,
    i.intent_correct ? "intent right" : `intent should be ${i.correct_intent ?? "?"}`,
    i.context_complete ? "context complete" : `missing ${i.missing_fields.join(", ") || "fields"}`,
    i.actions_reported ? "actions right" : "actions misreported",
    `timing ${TIMING_LABEL[i.timing].toLowerCase()}`,
  ];
  return (
    <li className="other-rating" data-testid="other-rating">
      <div className="other-rating__head">
        <strong>{r.rater_name}</strong>
        <span className="other-rating__overall" title="Overall, 1 to 5">
          {i.overall}/5
        </span>
        <span className="muted small">
          rev {r.revision} · <RelativeTime atMs={parseInstant(r.updated_at)} />
        </span>
      </div>
      <p className="small">{facts.join(" · ")}</p>
      {i.comment && <p className="other-rating__comment small">“{i.comment}”</p>}
      {r.bot_version !== "" && (
        <p className="muted small">
          rated {r.bot_name} {r.bot_version}
        </p>
      )}
    </li>
  );
}
